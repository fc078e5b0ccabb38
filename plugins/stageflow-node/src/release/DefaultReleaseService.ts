import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  FlowStage,
  HotfixesResponse,
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
  UnreleasedResponse,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import semver from 'semver';
import { JsonObject } from '@backstage/types';
import { LastKnownCatalog } from '../cache';
import { ComponentTarget, readComponentTarget } from '../flows';
import { LastKnownGood, StaleMarks } from '../resilience';
import { DefaultReleaseServiceOptions } from './DefaultReleaseServiceOptions';
import { ClaimSubject, ReleaseTargetResolver } from './ReleaseTargetResolver';
import { StageResolver } from './StageResolver';
import { StageflowFacts } from './StageflowFacts';
import { gatePromotion } from './approvals/gatePromotion';
import { executePromotion } from './executePromotion';
import { storePromotionReceipt } from './receipts/storePromotionReceipt';
import { findRelease } from './findRelease';
import { nextReleaseTag } from './nextReleaseTag';
import { planHotfix } from './planHotfix';
import {
  PromotionPlan,
  describePromotionPlan,
  planPromotion,
} from './planPromotion';
import { gitopsOutputs } from './gitops/gitopsOutputs';
import {
  cutGitflowRelease,
  finishHotfix,
  hotfixCandidates,
  publishRelease,
  startHotfixWithCherryPicks,
  unreleased,
} from './lifecycle';
import { planGitflowRelease } from './planGitflowRelease';
import { renderReleaseNotes } from './releaseNotes';
import {
  FinishHotfixRequest,
  FinishHotfixResult,
  PromoteRequest,
  PromoteResult,
  ReleaseActor,
  ReleaseService,
  ReleaseTargetSpec,
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

/** A release note block with the caller's line above it. */
function withMessage(message: string | undefined, notes: string): string {
  return message?.trim() ? `${message.trim()}\n\n${notes}` : notes;
}

const MAX_CHERRY_PICKS = 100;

/** The commits to cherry-pick: shas or ref names git accepts. */
function checkedCommits(commits: string[] | undefined): string[] {
  const list = commits ?? [];
  if (list.length > MAX_CHERRY_PICKS) {
    throw new InputError(
      `Invalid input: cherryPick may name at most ${MAX_CHERRY_PICKS} commits, got ${list.length}`,
    );
  }
  list.forEach((commit, i) => {
    if (!/^[0-9a-f]{4,40}$/.test(commit) && !validateRefName(commit).ok) {
      throw new InputError(
        `Invalid input: cherryPick[${i}] must be a commit sha or a branch or tag name, got '${commit.slice(
          0,
          80,
        )}'`,
      );
    }
  });
  return list;
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

  /** The repository of a component; NotFoundError when it names none. */
  private repositoryOf(target: ComponentTarget) {
    if (!target.repository) {
      throw new NotFoundError(
        `${target.entityRef} names no git repository (annotation stageflow.io/git-url or backstage.io/source-location)`,
      );
    }
    return target.repository;
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

  async getUnreleased(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<UnreleasedResponse> {
    const target = await this.readTarget(entityRef, options.credentials);
    const locator = this.repositoryOf(target);
    return unreleased(this.facts.repository(locator), target.flow, {
      releases: await this.facts.releases(locator, target.flow.tagPattern),
    });
  }

  async getHotfixes(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<HotfixesResponse> {
    const target = await this.readTarget(entityRef, options.credentials);
    const locator = this.repositoryOf(target);
    const { stages } = await this.resolver.getStages(target);
    const prodSha = stages[stages.length - 1]?.revision;
    return hotfixCandidates(this.facts.repository(locator), target.flow, {
      ...(prodSha ? { prodSha } : {}),
      releases: await this.facts.releases(locator, target.flow.tagPattern),
    });
  }

  async tagRelease(
    request: TagReleaseRequest,
    actor: ReleaseActor,
  ): Promise<TagReleaseResult> {
    return this.audited('release-tag', request, actor, async audit => {
      const target = await this.authorizedTarget(
        request.target,
        'repository',
        stageflowReleaseCreatePermission,
        actor,
        audit,
      );
      const { flow } = target;
      const repository = this.facts.repository(target.repository!);
      const releases = await this.facts.releases(
        target.repository!,
        flow.tagPattern,
      );
      const dryRun = Boolean(request.dryRun);
      // GitFlow: the release is the integration branch merged into the
      // release branch; checked (merge and version) before anything is
      // pushed, then merged, then the merge is tagged.
      const gitflow =
        flow.branches.develop !== flow.branches.release &&
        request.ref === undefined &&
        request.mergeIntegrationBranch !== false
          ? await planGitflowRelease({
              repository,
              flow,
              releases,
              version: request.version,
              bump: request.bump,
            })
          : undefined;
      if (gitflow && dryRun) {
        const { cut } = gitflow;
        const head = await repository.resolveCommit(cut.from);
        Object.assign(audit.meta, { tag: gitflow.tag, merge: cut.from });
        return {
          entityRef: target.entityRef,
          tag: gitflow.tag,
          version: gitflow.version,
          sha: head.sha,
          branch: cut.into,
          ...(cut.baseTag ? { baseTag: cut.baseTag } : {}),
          notes: withMessage(
            request.message,
            renderReleaseNotes({
              commits: cut.commits,
              locator: repository.locator,
              ...(cut.baseTag ? { baseTag: cut.baseTag } : {}),
            }),
          ),
          plan: `Would merge ${cut.from} into ${cut.into} and tag ${gitflow.tag} on the merge: ${gitflow.reason}`,
          dryRun,
        };
      }
      let merged: TagReleaseResult['merged'];
      if (gitflow) {
        const cut = await cutGitflowRelease(repository, flow, {
          releases,
          version: gitflow.version,
        });
        if (cut.outcome === 'pull-request' || !cut.sha) {
          throw new ConflictError(
            `${
              cut.into
            } takes changes through pull requests only: merge the pull request of ${
              cut.from
            } into ${cut.into}${
              cut.pullRequestUrl ? ` (${cut.pullRequestUrl})` : ''
            }, then tag the release`,
          );
        }
        merged = { from: cut.from, into: cut.into, sha: cut.sha };
        Object.assign(audit.meta, { merged: cut.sha });
        await this.facts
          .forget({
            repository: target.repository,
            branches: [cut.from, cut.into],
          })
          .catch(() => undefined);
      }
      const next = await nextReleaseTag({
        repository,
        flow,
        releases,
        ref: merged?.sha ?? request.ref,
        // The merge is tagged with the version planned before it.
        version: gitflow ? gitflow.version : request.version,
        bump: gitflow ? undefined : request.bump,
      });
      const reason = gitflow ? gitflow.reason : next.reason;
      const plan = `${
        merged
          ? `Merged ${merged.from} into ${merged.into} (${merged.sha.slice(
              0,
              7,
            )}), then tagged`
          : `${dryRun ? 'Would tag' : 'Tagged'}`
      } ${next.tag} on ${next.sha.slice(0, 7)} (${next.branch}): ${reason}`;
      Object.assign(audit.meta, { tag: next.tag, sha: next.sha });
      const published = await publishRelease(repository, {
        tag: next.tag,
        sha: next.sha,
        ...(next.baseTag ? { baseTag: next.baseTag } : {}),
        prerelease: semver.prerelease(next.version) !== null,
        ...(request.message !== undefined ? { message: request.message } : {}),
        dryRun,
      });
      if (!dryRun) {
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
        branch: merged ? merged.into : next.branch,
        ...(next.baseTag ? { baseTag: next.baseTag } : {}),
        notes: published.notes,
        ...(merged ? { merged } : {}),
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
      const cherryPick = checkedCommits(request.cherryPick);
      const target = await this.authorizedTarget(
        request.target,
        'repository',
        stageflowHotfixCreatePermission,
        actor,
        audit,
      );
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
        ...(cherryPick.length ? { cherryPick } : {}),
      });
      // The dry run checks the cherry-picks for conflicts; a conflict
      // fails naming the files, with nothing pushed.
      const started = await startHotfixWithCherryPicks(
        repository,
        target.flow,
        { name: request.name, from: hotfix.from, cherryPick, dryRun },
      );
      if (!dryRun) {
        await this.afterWrite(
          target,
          actor,
          { kind: 'hotfix', version: started.nextVersion },
          { branches: [started.branch] },
        );
      }
      return {
        entityRef: target.entityRef,
        branch: started.branch,
        sha: started.sha,
        fromTag: started.fromTag,
        nextVersion: started.nextVersion,
        ...(started.cherryPicked.length
          ? { cherryPicked: started.cherryPicked }
          : {}),
        plan: started.plan,
        dryRun,
      };
    });
  }

  async finishHotfix(
    request: FinishHotfixRequest,
    actor: ReleaseActor,
  ): Promise<FinishHotfixResult> {
    return this.audited('hotfix-finish', request, actor, async audit => {
      const valid = validateRefName(request.branch);
      if (!valid.ok) {
        throw new InputError(
          `Invalid input: branch must be a branch name: ${valid.message}`,
        );
      }
      const target = await this.authorizedTarget(
        request.target,
        'repository',
        stageflowHotfixCreatePermission,
        actor,
        audit,
      );
      const repository = this.facts.repository(target.repository!);
      const dryRun = Boolean(request.dryRun);
      Object.assign(audit.meta, { branch: request.branch });
      const { steps, conflicts, ...finished } = await finishHotfix(
        repository,
        target.flow,
        {
          branch: request.branch,
          deleteBranch: Boolean(request.deleteBranch),
          dryRun,
        },
      );
      Object.assign(audit.meta, {
        merges: steps.map(s => `${s.from}->${s.into}:${s.outcome}`),
        ...(finished.sha ? { sha: finished.sha } : {}),
      });
      if (!dryRun) {
        await this.afterWrite(
          target,
          actor,
          { kind: 'hotfix' },
          { branches: [request.branch] },
        );
      }
      return {
        entityRef: target.entityRef,
        ...finished,
        ...(conflicts?.length ? { conflicts } : {}),
      };
    });
  }

  async promote(
    request: PromoteRequest,
    actor: ReleaseActor,
  ): Promise<PromoteResult> {
    return this.audited('image-promote', request, actor, async audit => {
      const target = await this.authorizedTarget(
        request.target,
        'image',
        stageflowImagePromotePermission,
        actor,
        audit,
      );
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
      // A protected stage: refused in a freeze window; planned as a dry run
      // and stored as a request when it needs approval.
      const { needsApproval } = gatePromotion({
        stage,
        actor,
        approvals: this.options.approvals,
      });
      const dryRun = Boolean(request.dryRun) || needsApproval;
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
          facts: this.facts,
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
        const written = dryRun
          ? {}
          : await executePromotion(this.options.registry, plan, {
              facts: this.facts,
            });
        return { plan, tags, written };
      };
      const { plan, tags, written } = dryRun
        ? await run()
        : await this.options.lock.withLock(lockKey, run);
      if (needsApproval) {
        return this.requestApproval(
          target.entityRef,
          stage!,
          request,
          actor,
          plan,
        );
      }
      if (!dryRun) {
        await storePromotionReceipt({
          registry: this.options.registry,
          plan,
          logger: this.options.logger,
          receipt: {
            entityRef: target.entityRef,
            ...(plan.previousVersion
              ? { fromVersion: plan.previousVersion }
              : {}),
            ...(plan.previousDigest ? { fromDigest: plan.previousDigest } : {}),
            requester: actor.approval?.requester ?? actorOf(actor.credentials),
            approvers: actor.approval?.approvers ?? [],
            ...(actor.approval ? { requestId: actor.approval.requestId } : {}),
            ...(actor.taskId ? { taskId: actor.taskId } : {}),
            ...(request.rollback ? { rollback: true } : {}),
            tags,
            promotedAt: new Date().toISOString(),
          },
        });
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
        ...gitopsOutputs(plan, written),
        plan: `${dryRun ? 'Would ' : ''}${describePromotionPlan(plan)}`,
        dryRun,
        ...(dryRun ? {} : { state: 'done' as const }),
      };
    });
  }

  /** Stores a request for a promotion to a protected stage: it waits. */
  private async requestApproval(
    entityRef: string,
    stage: FlowStage,
    request: PromoteRequest,
    actor: ReleaseActor,
    plan: PromotionPlan,
  ): Promise<PromoteResult> {
    const { requestId } = await this.options.approvals!.request({
      entityRef,
      stage,
      request: { ...request, version: plan.version },
      version: plan.version,
      digest: plan.digest,
      ...(plan.previousVersion
        ? { previousVersion: plan.previousVersion }
        : {}),
      ...(plan.previousDigest ? { previousDigest: plan.previousDigest } : {}),
      requester: actorOf(actor.credentials),
      ...(actor.taskId ? { taskId: actor.taskId } : {}),
    });
    return {
      entityRef,
      stage: plan.stage,
      version: plan.version,
      tag: plan.tag,
      sha: plan.sha,
      digest: plan.digest,
      tags: [],
      ...(plan.previousDigest ? { previousDigest: plan.previousDigest } : {}),
      ...(plan.previousVersion
        ? { previousVersion: plan.previousVersion }
        : {}),
      plan: `Requested ${
        stage.approval!.required
      } approval(s) to ${describePromotionPlan(plan)} (request ${requestId})`,
      dryRun: false,
      state: 'pending',
      requestId,
    };
  }

  /**
   * The target of a write, resolved as the caller may see it, named in the
   * audit event, and authorized for `permission`.
   */
  private async authorizedTarget(
    spec: ReleaseTargetSpec,
    need: ClaimSubject,
    permission: ResourcePermission<'catalog-entity'>,
    actor: ReleaseActor,
    audit: { entityRef?: string },
  ): Promise<ComponentTarget> {
    const target = await this.targets.resolve(spec, need, actor.credentials);
    audit.entityRef = target.entityRef;
    await this.authorize(permission, target, actor);
    return target;
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
    request:
      | TagReleaseRequest
      | StartHotfixRequest
      | FinishHotfixRequest
      | PromoteRequest,
    actor: ReleaseActor,
    fn: (audit: { entityRef?: string; meta: JsonObject }) => Promise<T>,
  ): Promise<T> {
    const audit: { entityRef?: string; meta: JsonObject } = { meta: {} };
    const base: JsonObject = {
      actor: actor.approval?.requester ?? actorOf(actor.credentials),
      ...(actor.approval
        ? {
            approvers: actor.approval.approvers,
            requestId: actor.approval.requestId,
          }
        : {}),
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
    const actorRef = actor.approval?.requester ?? actorOf(actor.credentials);
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
        ...(actor.approval ? { approvers: actor.approval.approvers } : {}),
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
