import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ReleasesResponse,
  StageflowChange,
  StagesResponse,
  formatImageReference,
  parseImageReference,
  renderFlowTemplate,
  stageflowEntityReadPermission,
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';
import { JsonObject } from '@backstage/types';
import { LastKnownCatalog } from '../cache';
import { ComponentTarget, readComponentTarget } from '../flows';
import { LastKnownGood, StaleMarks } from '../resilience';
import { DefaultReleaseServiceOptions } from './DefaultReleaseServiceOptions';
import { ReleaseTargetResolver } from './ReleaseTargetResolver';
import { StageResolver } from './StageResolver';
import { StageflowFacts } from './StageflowFacts';
import { executePromotion } from './executePromotion';
import { findRelease } from './findRelease';
import { nextReleaseTag } from './nextReleaseTag';
import { planHotfix } from './planHotfix';
import { describePromotionPlan, planPromotion } from './planPromotion';
import {
  FinishHotfixResult,
  PromoteRequest,
  PromoteResult,
  ReleaseActor,
  ReleaseService,
  StartHotfixRequest,
  StartHotfixResult,
  TagReleaseRequest,
  TagReleaseResult,
} from './types';

/** Who acted, as history rows, audit events and announcements name them. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  return principal.subject ?? principal.type;
}

function targetText(target: TagReleaseRequest['target']): string {
  if ('entityRef' in target) {
    return target.entityRef;
  }
  return 'repoUrl' in target ? target.repoUrl : target.image;
}

/**
 * The one implementation of {@link ReleaseService}: the card's resolution
 * and the actions' checks are the same code, every write is authorized
 * against the one entity that claims what it writes to, audited with the
 * user and task, and followed by cache invalidation, a history row and an
 * announcement.
 *
 * @public
 */
export class DefaultReleaseService implements ReleaseService {
  /** The cached facts (git, registry) the service reads. */
  readonly facts: StageflowFacts;
  /** Stage resolution, as the card shows it. */
  readonly resolver: StageResolver;
  private readonly targets: ReleaseTargetResolver;
  // Reads only: a write acts on what the catalog says now, never on a copy.
  private readonly lastKnownCatalog: LastKnownCatalog;

  static create(options: DefaultReleaseServiceOptions): DefaultReleaseService {
    return new DefaultReleaseService(options);
  }

  private constructor(private readonly options: DefaultReleaseServiceOptions) {
    const { config } = options;
    this.facts = new StageflowFacts({
      cache: options.cache,
      git: options.git,
      registry: options.registry,
      ttlSeconds: config.cacheTtlSeconds,
      lastKnown: new LastKnownGood({
        cache: options.cache,
        logger: options.logger,
      }),
    });
    this.lastKnownCatalog = new LastKnownCatalog({
      catalog: options.catalog,
      cache: options.cache,
      logger: options.logger,
    });
    this.resolver = new StageResolver(this.facts, options.logger);
    this.targets = new ReleaseTargetResolver({
      catalog: options.catalog,
      auth: options.auth,
      flows: config.flows,
      defaultFlow: config.defaultFlow,
      claims: config.claims,
    });
  }

  /**
   * The component as the caller may see it, for a read; NotFoundError
   * otherwise. With `stale`, a catalog that is unavailable (its database
   * cut) answers with the last copy this caller saw, and its mark is
   * collected.
   */
  async readTarget(
    entityRef: string,
    credentials: BackstageCredentials,
    stale?: StaleMarks,
  ): Promise<ComponentTarget> {
    const ref = stringifyEntityRef(parseEntityRef(entityRef));
    let entity;
    if (stale) {
      const known = await this.lastKnownCatalog.getEntityByRef(ref, {
        credentials,
      });
      entity = known.entity;
      stale.add(known.stale);
    } else {
      entity = await this.options.catalog.getEntityByRef(ref, {
        credentials,
      });
    }
    if (!entity) {
      throw new NotFoundError(`No entity ${ref}`);
    }
    const [decision] = await this.options.permissions.authorize(
      [{ permission: stageflowEntityReadPermission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You may not read the stages of ${ref} (permission ${stageflowEntityReadPermission.name})`,
      );
    }
    return readComponentTarget(entity, this.options.config);
  }

  /**
   * The card's answer: facts (and the entity) whose upstream is unavailable
   * come from their last known good state, and `stale` names the oldest.
   */
  async getStages(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<StagesResponse> {
    const stale = new StaleMarks();
    const target = await this.readTarget(entityRef, options.credentials, stale);
    return this.resolver.getStages(target, { stale });
  }

  async getReleases(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<ReleasesResponse> {
    const stale = new StaleMarks();
    const target = await this.readTarget(entityRef, options.credentials, stale);
    const releases = await this.resolver.getDatedReleases(target, { stale });
    return { releases, ...stale.field() };
  }

  async tagRelease(
    request: TagReleaseRequest,
    actor: ReleaseActor,
  ): Promise<TagReleaseResult> {
    return this.audited('release-tag', request, actor, async audit => {
      const target = await this.targets.resolve(
        request.target,
        'repository',
        actor.credentials,
      );
      audit.entityRef = target.entityRef;
      await this.authorize(stageflowReleaseCreatePermission, target, actor);
      const repository = this.facts.repository(target.repository!);
      const releases = await this.facts.releases(
        target.repository!,
        target.flow.tagPattern,
      );
      const next = await nextReleaseTag({
        repository,
        flow: target.flow,
        releases,
        ref: request.ref,
        version: request.version,
        bump: request.bump,
      });
      const dryRun = Boolean(request.dryRun);
      const plan = `${dryRun ? 'Would tag' : 'Tagged'} ${
        next.tag
      } on ${next.sha.slice(0, 7)} (${next.branch}): ${next.reason}`;
      Object.assign(audit.meta, { tag: next.tag, sha: next.sha });
      if (!dryRun) {
        await repository.createTag({
          name: next.tag,
          sha: next.sha,
          message: request.message ?? `Release ${next.tag}`,
        });
        await this.afterWrite(target, actor, {
          kind: 'release',
          version: next.version,
        });
      }
      return {
        entityRef: target.entityRef,
        tag: next.tag,
        version: next.version,
        sha: next.sha,
        branch: next.branch,
        ...(next.baseTag ? { baseTag: next.baseTag } : {}),
        plan,
        dryRun,
      };
    });
  }

  async startHotfix(
    request: StartHotfixRequest,
    actor: ReleaseActor,
  ): Promise<StartHotfixResult> {
    return this.audited('hotfix-start', request, actor, async audit => {
      if (request.cherryPick?.length) {
        throw new InputError(
          'Invalid input: cherryPick is not supported yet; start the hotfix without it and push the commits to the branch',
        );
      }
      const target = await this.targets.resolve(
        request.target,
        'repository',
        actor.credentials,
      );
      audit.entityRef = target.entityRef;
      await this.authorize(stageflowHotfixCreatePermission, target, actor);
      const repository = this.facts.repository(target.repository!);
      const releases = await this.facts.releases(
        target.repository!,
        target.flow.tagPattern,
      );
      const hotfix = await planHotfix({
        repository,
        flow: target.flow,
        releases,
        name: request.name,
        fromVersion: request.fromVersion,
      });
      const dryRun = Boolean(request.dryRun);
      Object.assign(audit.meta, {
        branch: hotfix.branch,
        from: hotfix.from.tag,
      });
      if (!dryRun) {
        await repository.createBranch(hotfix.branch, hotfix.from.sha);
        await this.afterWrite(
          target,
          actor,
          { kind: 'hotfix', version: hotfix.nextVersion },
          { branches: [hotfix.branch] },
        );
      }
      return {
        entityRef: target.entityRef,
        branch: hotfix.branch,
        sha: hotfix.from.sha,
        fromTag: hotfix.from.tag,
        nextVersion: hotfix.nextVersion,
        plan: `${dryRun ? 'Would create' : 'Created'} ${hotfix.branch} at ${
          hotfix.from.tag
        } (${hotfix.from.sha.slice(0, 7)}); it will be released as ${
          hotfix.nextVersion
        }`,
        dryRun,
      };
    });
  }

  async finishHotfix(): Promise<FinishHotfixResult> {
    throw new Error('not implemented');
  }

  async promote(
    request: PromoteRequest,
    actor: ReleaseActor,
  ): Promise<PromoteResult> {
    return this.audited('image-promote', request, actor, async audit => {
      const target = await this.targets.resolve(
        request.target,
        'image',
        actor.credentials,
      );
      audit.entityRef = target.entityRef;
      await this.authorize(stageflowImagePromotePermission, target, actor);
      const stage = target.flow.stages.find(s => s.name === request.stage);
      // One promotion at a time per image repository and stage, on every
      // replica: the plan, its downgrade check and the write are one step.
      const stageImage = stage
        ? parseImageReference(
            renderFlowTemplate(stage.image, { image: target.image }),
          )
        : undefined;
      const lockKey = `${stageImage ? formatImageReference(stageImage) : ''}#${
        request.stage
      }`;
      const dryRun = Boolean(request.dryRun);
      const run = async () => {
        if (stageImage) {
          // Read what the stage runs now, not what a cache remembers.
          await this.facts.forget({ images: [stageImage] });
        }
        const releases = target.repository
          ? await this.facts.releases(target.repository, target.flow.tagPattern)
          : [];
        const release = findRelease(releases, request.version, 'version');
        const plan = await planPromotion({
          target,
          stage: request.stage,
          release,
          releases,
          allowDowngrade: request.allowDowngrade,
          registry: this.options.registry,
          resolver: this.resolver,
        });
        Object.assign(audit.meta, {
          stage: plan.stage,
          version: plan.version,
          digest: plan.digest,
          ...(plan.previousDigest
            ? { previousDigest: plan.previousDigest }
            : {}),
        });
        const tags = plan.targets.map(t => formatImageReference(t));
        if (!dryRun) {
          await executePromotion(this.options.registry, plan);
        }
        return { plan, tags };
      };
      const { plan, tags } = dryRun
        ? await run()
        : await this.options.lock.withLock(lockKey, run);
      if (!dryRun) {
        await this.afterWrite(
          target,
          actor,
          { kind: 'promotion', stage: plan.stage, version: plan.version },
          {
            images: plan.targets,
            previous: {
              [plan.stage]: {
                digest: plan.previousDigest,
                version: plan.previousVersion,
              },
            },
          },
        );
      }
      return {
        entityRef: target.entityRef,
        stage: plan.stage,
        version: plan.version,
        tag: plan.tag,
        sha: plan.sha,
        digest: plan.digest,
        tags,
        ...(plan.previousDigest ? { previousDigest: plan.previousDigest } : {}),
        ...(plan.previousVersion
          ? { previousVersion: plan.previousVersion }
          : {}),
        plan: `${dryRun ? 'Would ' : ''}${describePromotionPlan(plan)}`,
        dryRun,
      };
    });
  }

  private async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    target: ComponentTarget,
    actor: ReleaseActor,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: target.entityRef }],
      { credentials: actor.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to do this on ${target.entityRef}: permission ${permission.name} is denied (members of the owning group may)`,
      );
    }
  }

  /**
   * Runs a write as an audit event naming the user, the task and (once
   * known) the entity; a refusal fails the event with its reason.
   */
  private async audited<T>(
    eventId: string,
    request: TagReleaseRequest | StartHotfixRequest | PromoteRequest,
    actor: ReleaseActor,
    fn: (audit: { entityRef?: string; meta: JsonObject }) => Promise<T>,
  ): Promise<T> {
    const audit: { entityRef?: string; meta: JsonObject } = { meta: {} };
    const base: JsonObject = {
      actor: actorOf(actor.credentials),
      ...(actor.taskId ? { taskId: actor.taskId } : {}),
      target: targetText(request.target),
      dryRun: Boolean(request.dryRun),
    };
    const event = await this.options.auditor.createEvent({
      eventId,
      severityLevel: request.dryRun ? 'low' : 'medium',
      meta: base,
    });
    const meta = () => ({
      ...base,
      ...(audit.entityRef ? { entityRef: audit.entityRef } : {}),
      ...audit.meta,
    });
    try {
      const result = await fn(audit);
      await event.success({ meta: meta() });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error, meta: meta() });
      throw error;
    }
  }

  /**
   * What every write is followed by: the facts it changed dropped from the
   * shared cache, the new stage state and history recorded, the change
   * announced. The write itself succeeded, so a failure here is logged and
   * does not fail it (a retried task would act twice).
   */
  private async afterWrite(
    target: ComponentTarget,
    actor: ReleaseActor,
    change: Pick<StageflowChange, 'kind' | 'stage' | 'version'>,
    extra: {
      branches?: string[];
      images?: ReturnType<typeof parseImageReference>[];
      previous?: Record<string, { digest?: string; version?: string }>;
    } = {},
  ): Promise<void> {
    const { logger } = this.options;
    const actorRef = actorOf(actor.credentials);
    const flow = target.flow;
    const stageImages = flow.stages.map(stage =>
      parseImageReference(
        renderFlowTemplate(stage.image, { image: target.image }),
      ),
    );
    const fail = (step: string) => (error: unknown) =>
      logger.error(`Stageflow could not ${step} after a write`, {
        entityRef: target.entityRef,
        kind: change.kind,
        error: (error as Error)?.message ?? String(error),
      });
    await this.facts
      .forget({
        repository: target.repository,
        tagPattern: flow.tagPattern,
        branches: [
          flow.branches.release,
          flow.branches.develop,
          ...flow.stages.flatMap(s =>
            'branch' in s.expects ? [s.expects.branch] : [],
          ),
          ...(extra.branches ?? []),
        ],
        images: [...stageImages, ...(extra.images ?? [])],
      })
      .catch(fail('invalidate the cache'));
    try {
      const { stages } = await this.resolver.getStages(target);
      const revisionDates: Record<string, string | undefined> = {};
      if (target.repository) {
        for (const stage of stages) {
          if (stage.revision && !(stage.revision in revisionDates)) {
            revisionDates[stage.revision] = await this.facts
              .commitDate(target.repository, stage.revision)
              .catch(() => undefined);
          }
        }
      }
      await this.options.history.record({
        entityRef: target.entityRef,
        flow: flow.name,
        stages,
        observedAt: new Date(),
        actor: actorRef,
        ...(actor.taskId ? { taskId: actor.taskId } : {}),
        revisionDates,
        ...(extra.previous ? { previous: extra.previous } : {}),
      });
    } catch (error) {
      fail('record the history')(error);
    }
    await this.options.announcer
      .announce({
        entityRef: target.entityRef,
        ...change,
        actor: actorRef,
        ...(actor.taskId ? { taskId: actor.taskId } : {}),
      })
      .catch(fail('announce the change'));
  }
}
