import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CompareCommit,
  CompareResponse,
  FlowDefinition,
  HistoryResponse,
  OverviewItem,
  OverviewResponse,
  STAGEFLOW_FLOW_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
  StagesResponse,
  computeBump,
  nextVersion,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import {
  DefaultReleaseService,
  LastKnownCatalog,
  LastKnownEntities,
  StaleMarks,
  parseConventionalCommit,
} from '@stageflow/plugin-stageflow-node';
import { computeDora } from './dora';
import { SnapshotStore } from './SnapshotStore';

const DORA_WINDOW_DAYS = 30;

function relationTarget(entity: Entity, type: string, kind: string) {
  const ref = entity.relations?.find(
    r => r.type === type && parseEntityRef(r.targetRef).kind === kind,
  )?.targetRef;
  return ref;
}

/**
 * What the REST API answers beyond the release service (which serves
 * stages, releases and every write): comparisons, history and the overview.
 */
export class StageflowService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      release: DefaultReleaseService;
      store: SnapshotStore;
      flows: Record<string, FlowDefinition>;
      defaultFlow: string;
      logger: LoggerService;
      /** Keeps the overview's last known entity list for a catalog outage. */
      cache?: CacheService;
    },
  ) {
    this.lastKnownCatalog = options.cache
      ? new LastKnownCatalog({
          catalog: options.catalog,
          cache: options.cache,
          logger: options.logger,
        })
      : undefined;
  }

  private readonly lastKnownCatalog?: LastKnownCatalog;

  private get resolver() {
    return this.options.release.resolver;
  }

  private target(
    entityRef: string,
    credentials: BackstageCredentials,
    stale: StaleMarks,
  ) {
    return this.options.release.readTarget(entityRef, credentials, stale);
  }

  async compare(
    entityRef: string,
    from: string,
    to: string,
    credentials: BackstageCredentials,
  ): Promise<CompareResponse> {
    // Points named by a stage or a release resolve from the last known
    // state while git is unavailable; a comparison of two commits is kept
    // for good once read.
    const stale = new StaleMarks();
    const target = await this.target(entityRef, credentials, stale);
    if (!target.repository) {
      throw new InputError(
        `${entityRef} names no git repository (github.com/project-slug or stageflow.io/git-url)`,
      );
    }
    const releases = await this.resolver.getReleases(target, { stale });
    let stages: StagesResponse | undefined;
    const resolvePoint = async (ref: string, field: string) => {
      const stage = target.flow.stages.find(s => s.name === ref);
      if (stage) {
        stages ??= await this.resolver.getStages(target, { stale });
        const info = stages.stages.find(s => s.name === ref)!;
        if (!info.revision) {
          throw new InputError(
            `${field}: stage '${ref}' runs no known commit (${info.status}${
              info.message ? `: ${info.message}` : ''
            })`,
          );
        }
        return { ref, sha: info.revision };
      }
      const release = releases.find(r => r.tag === ref);
      if (release) {
        return { ref, sha: release.sha };
      }
      const validation = validateRefName(ref);
      if (!validation.ok && !/^[0-9a-f]{4,40}$/.test(ref)) {
        throw new InputError(
          `${field} must be a stage (${target.flow.stages
            .map(s => s.name)
            .join(
              ', ',
            )}), a release tag or a commit sha; '${ref}' is not a valid ref name`,
        );
      }
      const repository = this.options.release.facts.repository(
        target.repository!,
      );
      const commit = await repository.resolveCommit(ref).catch(error => {
        if (error?.name === 'NotFoundError') {
          throw new InputError(
            `${field}: '${ref}' is neither a stage, a release tag nor a commit of ${entityRef}`,
          );
        }
        throw error;
      });
      return { ref, sha: commit.sha };
    };
    const fromPoint = await resolvePoint(from, 'from');
    const toPoint = await resolvePoint(to, 'to');
    const comparison = await this.options.release.facts.compare(
      target.repository,
      fromPoint.sha,
      toPoint.sha,
    );
    const commits: CompareCommit[] = comparison.commits.map(commit => {
      const parsed = parseConventionalCommit(commit.message);
      return {
        sha: commit.sha,
        subject: commit.message.split('\n')[0],
        type: parsed.type ?? 'other',
        breaking: parsed.breaking,
        ...(commit.author?.name ? { author: commit.author.name } : {}),
        ...(commit.date ?? commit.author?.date
          ? { date: commit.date ?? commit.author?.date }
          : {}),
      };
    });
    const groups: Record<string, CompareCommit[]> = {};
    for (const commit of commits) {
      (groups[commit.type] ??= []).push(commit);
    }
    const bump = computeBump(commits);
    const versionAt = (sha: string) =>
      releases.find(r => r.sha === sha)?.version;
    const fromVersion = versionAt(fromPoint.sha);
    const base = fromVersion ?? releases.find(r => !r.prerelease)?.version;
    return {
      from: { ...fromPoint, ...(fromVersion ? { version: fromVersion } : {}) },
      to: {
        ...toPoint,
        ...(versionAt(toPoint.sha) ? { version: versionAt(toPoint.sha) } : {}),
      },
      aheadBy: comparison.aheadBy,
      behindBy: comparison.behindBy,
      commits,
      groups,
      bump,
      ...(bump !== 'none' ? { nextVersion: nextVersion(base, bump) } : {}),
      ...stale.field(),
    };
  }

  async history(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<HistoryResponse> {
    // The catalog, the database and git may each be unavailable: each
    // answers from its last known state, and the oldest mark is the answer's.
    const stale = new StaleMarks();
    const target = await this.target(entityRef, credentials, stale);
    const read = await this.options.store.readTransitions(target.entityRef, {
      limit: 500,
    });
    stale.add(read.stale);
    const { transitions } = read;
    const releases = await this.resolver
      .getReleases(target, { stale })
      .catch(() => []);
    const lastStage = target.flow.stages[target.flow.stages.length - 1].name;
    return {
      transitions: transitions.map(({ revisionDate: _, ...t }) => t),
      dora: computeDora({
        stage: lastStage,
        transitions,
        releases,
        now: new Date(),
        windowDays: DORA_WINDOW_DAYS,
      }),
      ...stale.field(),
    };
  }

  async overview(
    query: {
      limit: number;
      offset: number;
      owner?: string;
      system?: string;
      flow?: string;
    },
    credentials: BackstageCredentials,
  ): Promise<OverviewResponse & { totalCount: number }> {
    const listRequest = {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${STAGEFLOW_IMAGE_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
      },
      fields: ['kind', 'metadata', 'spec', 'relations'],
    };
    // With the catalog's database gone, the list this caller saw last,
    // marked stale, rather than a 500.
    const { items, stale: catalogStale }: LastKnownEntities = this
      .lastKnownCatalog
      ? await this.lastKnownCatalog.getEntities(listRequest, { credentials })
      : await this.options.catalog.getEntities(listRequest, { credentials });
    const rows = items
      .map(entity => {
        const flow =
          entity.metadata.annotations?.[STAGEFLOW_FLOW_ANNOTATION] ??
          this.options.defaultFlow;
        return {
          entity,
          entityRef: stringifyEntityRef(entity),
          flow,
          owner:
            relationTarget(entity, RELATION_OWNED_BY, 'group') ??
            relationTarget(entity, RELATION_OWNED_BY, 'user'),
          system: relationTarget(entity, RELATION_PART_OF, 'system'),
        };
      })
      .filter(
        row =>
          (!query.owner || row.owner === query.owner) &&
          (!query.system || row.system === query.system) &&
          (!query.flow || row.flow === query.flow),
      )
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    const page = rows.slice(query.offset, query.offset + query.limit);
    const { states, stale } = await this.options.store.readLatestStates(
      page.map(r => r.entityRef),
    );
    let generatedAt: string | undefined;
    const result: OverviewItem[] = page.map(row => {
      const state = states.get(row.entityRef);
      if (state && (!generatedAt || state.observedAt > generatedAt)) {
        generatedAt = state.observedAt;
      }
      const order = (this.options.flows[row.flow]?.stages ?? []).map(
        s => s.name,
      );
      const stages = [...(state?.stages ?? [])].sort(
        (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
      );
      return {
        entityRef: row.entityRef,
        ...(row.entity.metadata.title
          ? { title: row.entity.metadata.title }
          : {}),
        ...(row.owner ? { owner: row.owner } : {}),
        ...(row.system ? { system: row.system } : {}),
        flow: row.flow,
        stages,
      };
    });
    return {
      items: result,
      totalCount: rows.length,
      ...(generatedAt ? { generatedAt } : {}),
      // The older of the two, when both the list and the states are copies.
      ...(stale || catalogStale
        ? {
            stale: [stale, catalogStale]
              .filter(mark => mark !== undefined)
              .sort((a, b) => a!.asOf.localeCompare(b!.asOf))[0],
          }
        : {}),
    };
  }
}
