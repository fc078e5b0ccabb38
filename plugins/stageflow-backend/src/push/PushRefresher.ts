import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FlowDefinition,
  STAGEFLOW_IMAGE_ANNOTATION,
  parseImageReference,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import {
  ComponentTarget,
  ReleaseAnnouncer,
  StageflowFacts,
  readComponentTarget,
} from '@stageflow/plugin-stageflow-node';

/** A repository that changed on a GitHub host (a push, a tag, a release). */
export interface RepositoryChange {
  host: string;
  owner: string;
  repo: string;
}

/** An image repository a registry received or lost a manifest in. */
export interface ImageChange {
  /** The repository path, e.g. `acme/phippy/stable`. */
  repository: string;
  /** The tag pushed, when the notification names one. */
  tag?: string;
}

/**
 * Turns an upstream's notice of a change into fresh answers: the moving
 * facts of the components it concerns are dropped from the shared cache
 * (so every replica re-reads them) and each component is announced on the
 * signals channel, so that open cards refetch at once.
 */
export class PushRefresher {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      facts: StageflowFacts;
      announcer: ReleaseAnnouncer;
      flows: Record<string, FlowDefinition>;
      defaultFlow: string;
      logger: LoggerService;
    },
  ) {}

  /** Refreshes the components of the repository; returns their refs. */
  async repositoryChanged(change: RepositoryChange): Promise<string[]> {
    const key = (host: string, owner: string, repo: string) =>
      `${host}/${owner}/${repo}`.toLowerCase();
    const wanted = key(change.host, change.owner, change.repo);
    const targets = (await this.targets()).filter(
      target =>
        target.repository?.type === 'github' &&
        key(
          target.repository.host,
          target.repository.owner,
          target.repository.repo,
        ) === wanted,
    );
    return this.refresh(targets, []);
  }

  /** Refreshes the components whose stage images live in the repository. */
  imageChanged(change: ImageChange): Promise<string[]> {
    return this.imagesChanged([change]);
  }

  /**
   * Refreshes the components whose stage images live in any of the
   * repositories: one notification's events, read against the catalog once.
   */
  async imagesChanged(changes: ImageChange[]): Promise<string[]> {
    if (changes.length === 0) {
      return [];
    }
    const tagsByRepository = new Map<string, Set<string>>();
    for (const change of changes) {
      const wanted = change.repository.toLowerCase();
      const tags = tagsByRepository.get(wanted) ?? new Set<string>();
      if (change.tag) {
        tags.add(change.tag);
      }
      tagsByRepository.set(wanted, tags);
    }
    const matches: ComponentTarget[] = [];
    const pushed: ReturnType<typeof parseImageReference>[] = [];
    for (const target of await this.targets()) {
      const images = this.stageImages(target);
      const hits = images.filter(image =>
        tagsByRepository.has(image.repository),
      );
      if (hits.length > 0) {
        matches.push(target);
        for (const hit of new Map(hits.map(h => [h.repository, h])).values()) {
          // The pushed tag itself, e.g. a new candidate `sha-<sha>`.
          for (const tag of tagsByRepository.get(hit.repository)!) {
            pushed.push({ ...hit, tag });
          }
        }
      }
    }
    return this.refresh(matches, pushed);
  }

  private stageImages(target: ComponentTarget) {
    const references = [
      ...target.flow.stages.map(stage => stage.image),
      target.flow.candidateImage,
    ];
    const images: ReturnType<typeof parseImageReference>[] = [];
    for (const template of references) {
      try {
        const rendered = parseImageReference(
          renderFlowTemplate(template, { image: target.image, sha: 'x' }),
        );
        images.push({
          ...rendered,
          repository: rendered.repository.toLowerCase(),
        });
      } catch {
        // A template that renders no valid reference follows nothing.
      }
    }
    return images;
  }

  private async refresh(
    targets: ComponentTarget[],
    pushed: ReturnType<typeof parseImageReference>[],
  ): Promise<string[]> {
    const { facts, announcer, logger } = this.options;
    await Promise.all(
      targets.map(async target => {
        const flow = target.flow;
        await facts.forget({
          repository: target.repository,
          tagPattern: flow.tagPattern,
          branches: [
            flow.branches.release,
            flow.branches.develop,
            ...flow.stages.flatMap(s =>
              'branch' in s.expects ? [s.expects.branch] : [],
            ),
          ],
          images: [
            ...flow.stages.map(stage =>
              parseImageReference(
                renderFlowTemplate(stage.image, { image: target.image }),
              ),
            ),
            ...pushed,
          ],
        });
        await announcer.announce({
          entityRef: target.entityRef,
          kind: 'observed',
        });
      }),
    );
    if (targets.length > 0) {
      logger.info('Stageflow refreshed components after an upstream notice', {
        components: targets.length,
      });
    }
    return targets.map(target => target.entityRef);
  }

  private async targets(): Promise<ComponentTarget[]> {
    const { catalog, auth, flows, defaultFlow } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          [`metadata.annotations.${STAGEFLOW_IMAGE_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const targets: ComponentTarget[] = [];
    for (const entity of items) {
      try {
        targets.push(readComponentTarget(entity, { flows, defaultFlow }));
      } catch {
        // A component with a bad annotation is reported by the catalog module.
      }
    }
    return targets;
  }
}
