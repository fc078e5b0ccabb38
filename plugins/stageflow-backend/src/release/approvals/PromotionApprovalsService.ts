import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PromotionDecision,
  PromotionRequestInfo,
  stageflowPromotionApprovePermission,
} from '@stageflow/plugin-stageflow-common';
import {
  DefaultReleaseService,
  PromotionApprovals,
  PromotionRequestInput,
  ReleaseActor,
  ReleaseAnnouncer,
} from '@stageflow/plugin-stageflow-node';
import { PromotionNotifier } from './PromotionNotifier';
import {
  PromotionRequestStore,
  StoredPromotionRequest,
} from './PromotionRequestStore';

/**
 * How long an approved request's run may take before the sweep takes it up
 * again: far longer than a promotion takes. Should a run be slower still,
 * the second waits for the first at the promotion lock and finds the stage
 * moved already: a promotion is idempotent.
 */
export const APPROVED_RUN_LEASE_MS = 15 * 60_000;

/** The scheduled task of {@link PromotionApprovalsService.sweep}. */
export const PROMOTION_REQUESTS_SWEEP_TASK =
  'stageflow-promotion-requests-sweep';

function publicView(request: StoredPromotionRequest): PromotionRequestInfo {
  const {
    request: _run,
    taskId: _task,
    approverGroups: _groups,
    ...info
  } = request;
  return info;
}

/**
 * Promotion requests to protected stages: stored when a promotion needs
 * approval, decided by the members of the approving groups (never the
 * requester), and run once, by the replica whose decision reached the
 * quorum, through the same release service as a direct promotion.
 */
export class PromotionApprovalsService implements PromotionApprovals {
  private readonly approvedRuns = new WeakSet<ReleaseActor>();

  constructor(
    private readonly options: {
      store: PromotionRequestStore;
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      announcer: ReleaseAnnouncer;
      notifier: PromotionNotifier;
      logger: LoggerService;
      expireAfterMs: number;
      release: () => DefaultReleaseService;
    },
  ) {}

  isApprovedRun(actor: ReleaseActor): boolean {
    return this.approvedRuns.has(actor);
  }

  async request(input: PromotionRequestInput): Promise<{ requestId: string }> {
    const { store, logger } = this.options;
    const approval = input.stage.approval!;
    const approverGroups =
      approval.from === 'owner'
        ? [await this.ownerOf(input.entityRef)]
        : approval.from;
    const stored = await store.create({
      entityRef: input.entityRef,
      stage: input.stage.name,
      version: input.version,
      digest: input.digest,
      previousVersion: input.previousVersion,
      previousDigest: input.previousDigest,
      request: input.request,
      requester: input.requester,
      taskId: input.taskId,
      required: approval.required,
      approverGroups,
      expireAfterMs: this.options.expireAfterMs,
    });
    logger.info('Promotion request waits for approval', {
      requestId: stored.id,
      entityRef: input.entityRef,
      stage: input.stage.name,
      version: input.version,
      requester: input.requester,
      approvers: approverGroups.join(','),
    });
    await this.announce(stored, input.requester);
    await this.options.notifier.requested(stored);
    return { requestId: stored.id };
  }

  async list(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<PromotionRequestInfo[]> {
    // The same visibility and read permission as the stages.
    const target = await this.options
      .release()
      .readTarget(entityRef, credentials);
    return (await this.options.store.listForEntity(target.entityRef)).map(
      publicView,
    );
  }

  async decide(
    id: string,
    decision: PromotionDecision['decision'],
    comment: string | undefined,
    credentials: BackstageCredentials<any>,
  ): Promise<PromotionRequestInfo> {
    const { store, logger } = this.options;
    const pending = await store.get(id);
    const entity = await this.options.catalog.getEntityByRef(
      pending.entityRef,
      { credentials },
    );
    if (!entity) {
      throw new NotFoundError(`No promotion request ${id}`);
    }
    const user = credentials.principal?.userEntityRef as string | undefined;
    if (credentials.principal?.type !== 'user' || !user) {
      throw new NotAllowedError('Only a signed-in user may decide a request');
    }
    await this.authorize(pending.entityRef, credentials);
    const withdraws = decision === 'reject' && user === pending.requester;
    if (decision === 'approve' && user === pending.requester) {
      throw new NotAllowedError(
        `You requested promotion ${id}; another approver must approve it`,
      );
    }
    if (!withdraws) {
      const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
        credentials,
      );
      if (!pending.approverGroups.some(g => ownershipEntityRefs.includes(g))) {
        throw new NotAllowedError(
          `Only members of ${pending.approverGroups.join(
            ', ',
          )} may decide promotion request ${id}`,
        );
      }
    }
    const { request, reachedQuorum } = await store.decide(id, {
      by: user,
      decision,
      ...(comment ? { comment } : {}),
      at: new Date().toISOString(),
    });
    logger.info(
      `Promotion request ${decision === 'approve' ? 'approved' : 'rejected'}`,
      {
        requestId: id,
        by: user,
        state: request.state,
      },
    );
    if (!reachedQuorum) {
      await this.announce(request, user);
      await this.options.notifier.ended(request, user);
      return publicView(request);
    }
    return publicView(await this.run(request));
  }

  /**
   * The scheduled sweep, on one replica at a time: marks pending requests
   * past their time as expired (telling their requesters), and runs the
   * approved requests whose run never ended (the replica that reached the
   * quorum died): a run is idempotent, so what had already moved stays.
   */
  async sweep(): Promise<{ expired: number; resumed: number }> {
    const { store, logger } = this.options;
    const expired = await store.expire();
    for (const request of expired) {
      logger.info('Promotion request expired', {
        requestId: request.id,
        entityRef: request.entityRef,
        stage: request.stage,
      });
      await this.announce(request);
      await this.options.notifier.ended(request);
    }
    const abandoned = await store.claimAbandoned(APPROVED_RUN_LEASE_MS);
    for (const request of abandoned) {
      logger.warn(
        'Running an approved promotion request whose run never ended',
        {
          requestId: request.id,
          entityRef: request.entityRef,
          stage: request.stage,
        },
      );
      await this.run(request);
    }
    return { expired: expired.length, resumed: abandoned.length };
  }

  /** Runs an approved request, once: the caller reached the quorum. */
  private async run(
    request: StoredPromotionRequest,
  ): Promise<StoredPromotionRequest> {
    const { store, logger } = this.options;
    const actor: ReleaseActor = {
      // The requester asked and the approvers agreed: the service acts,
      // and history, audit and receipt name both.
      credentials: await this.options.auth.getOwnServiceCredentials(),
      ...(request.taskId ? { taskId: request.taskId } : {}),
      approval: {
        requestId: request.id,
        requester: request.requester,
        approvers: request.approvals
          .filter(d => d.decision === 'approve')
          .map(d => d.by),
      },
    };
    this.approvedRuns.add(actor);
    let finished: StoredPromotionRequest;
    try {
      await this.options
        .release()
        .promote({ ...request.request, dryRun: false }, actor);
      await store.finish(request.id, 'done');
      finished = { ...request, state: 'done' };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      logger.error('Approved promotion request failed', {
        requestId: request.id,
        error: message,
      });
      await store.finish(request.id, 'failed', message);
      finished = { ...request, state: 'failed', message };
    }
    const lastApprover = actor.approval!.approvers.at(-1);
    await this.announce(finished, lastApprover);
    await this.options.notifier.ended(finished, lastApprover);
    return finished;
  }

  private async authorize(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [
        {
          permission: stageflowPromotionApprovePermission,
          resourceRef: entityRef,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You may not decide promotions of ${entityRef}: permission ${stageflowPromotionApprovePermission.name} is denied`,
      );
    }
  }

  private async ownerOf(entityRef: string): Promise<string> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    const owner = (entity?.spec as { owner?: string } | undefined)?.owner;
    if (!owner) {
      throw new NotAllowedError(
        `${entityRef} has no owner to approve promotions; name the approving groups in the stage's approval.from`,
      );
    }
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: parseEntityRef(entityRef).namespace,
      }),
    );
  }

  private async announce(request: StoredPromotionRequest, actor?: string) {
    await this.options.announcer
      .announce({
        entityRef: request.entityRef,
        kind: 'promotion-request',
        stage: request.stage,
        version: request.version,
        requestId: request.id,
        state: request.state,
        approvers: request.approverGroups,
        ...(actor ? { actor } : {}),
      })
      .catch(error =>
        this.options.logger.warn('Could not announce a promotion request', {
          requestId: request.id,
          error: (error as Error)?.message ?? String(error),
        }),
      );
  }
}
