import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  PromotionDecision,
  PromotionRequestInfo,
  PromotionRequestState,
} from '@stageflow/plugin-stageflow-common';
import { PromoteRequest } from '@stageflow/plugin-stageflow-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const TABLE = 'stageflow_promotion_requests';

interface RequestRow {
  id: string;
  entity_ref: string;
  stage: string;
  version: string;
  digest: string;
  previous_version: string | null;
  previous_digest: string | null;
  request: string;
  requester: string;
  task_id: string | null;
  required: number;
  approvers: string;
  decisions: string;
  state: PromotionRequestState;
  message: string | null;
  revision: number;
  created_at: string | number;
  expires_at: string | number;
  claimed_at?: string | number | null;
}

/** A stored request with what running it needs. */
export interface StoredPromotionRequest extends PromotionRequestInfo {
  request: PromoteRequest;
  taskId?: string;
  /** Group refs whose members may decide. */
  approverGroups: string[];
}

function toRequest(row: RequestRow, now: number): StoredPromotionRequest {
  const request = JSON.parse(row.request) as PromoteRequest;
  const expiresAt = Number(row.expires_at);
  // A pending request past its time is expired, whether or not a writer
  // has marked it yet.
  const state =
    row.state === 'pending' && expiresAt <= now ? 'expired' : row.state;
  return {
    id: row.id,
    entityRef: row.entity_ref,
    stage: row.stage,
    version: row.version,
    digest: row.digest,
    ...(row.previous_version ? { previousVersion: row.previous_version } : {}),
    ...(row.previous_digest ? { previousDigest: row.previous_digest } : {}),
    state,
    requester: row.requester,
    required: Number(row.required),
    approvals: JSON.parse(row.decisions) as PromotionDecision[],
    ...(request.rollback ? { rollback: true } : {}),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
    ...(row.message ? { message: row.message } : {}),
    request,
    ...(row.task_id ? { taskId: row.task_id } : {}),
    approverGroups: JSON.parse(row.approvers) as string[],
  };
}

/**
 * Promotion requests to protected stages, in the plugin's database (SQLite
 * or PostgreSQL). Every change is a compare-and-set on the row's revision,
 * so that of two replicas deciding at once exactly one wins, and exactly
 * one moves a request to `approved` (and runs it).
 */
export class PromotionRequestStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: {
    entityRef: string;
    stage: string;
    version: string;
    digest: string;
    previousVersion?: string;
    previousDigest?: string;
    request: PromoteRequest;
    requester: string;
    taskId?: string;
    required: number;
    approverGroups: string[];
    expireAfterMs: number;
  }): Promise<StoredPromotionRequest> {
    const now = this.now();
    const row: RequestRow = {
      id: randomUUID(),
      entity_ref: input.entityRef,
      stage: input.stage,
      version: input.version,
      digest: input.digest,
      previous_version: input.previousVersion ?? null,
      previous_digest: input.previousDigest ?? null,
      request: JSON.stringify(input.request),
      requester: input.requester,
      task_id: input.taskId ?? null,
      required: input.required,
      approvers: JSON.stringify(input.approverGroups),
      decisions: '[]',
      state: 'pending',
      message: null,
      revision: 0,
      created_at: now,
      expires_at: now + input.expireAfterMs,
    };
    await this.db<RequestRow>(TABLE).insert(row);
    return toRequest(row, now);
  }

  async get(id: string): Promise<StoredPromotionRequest> {
    const row = await this.db<RequestRow>(TABLE).where({ id }).first();
    if (!row) {
      throw new NotFoundError(`No promotion request ${id}`);
    }
    return toRequest(row, this.now());
  }

  async listForEntity(
    entityRef: string,
    limit = 50,
  ): Promise<StoredPromotionRequest[]> {
    const rows = await this.db<RequestRow>(TABLE)
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(limit);
    const now = this.now();
    return rows.map(row => toRequest(row, now));
  }

  /**
   * Adds a decision to a pending request. Returns the request as stored
   * after it and whether this call is the one that reached the quorum (the
   * caller then runs the promotion).
   */
  async decide(
    id: string,
    decision: PromotionDecision,
  ): Promise<{ request: StoredPromotionRequest; reachedQuorum: boolean }> {
    const row = await this.db<RequestRow>(TABLE).where({ id }).first();
    if (!row) {
      throw new NotFoundError(`No promotion request ${id}`);
    }
    const current = toRequest(row, this.now());
    if (current.state !== 'pending') {
      if (current.state === 'expired' && row.state === 'pending') {
        await this.db<RequestRow>(TABLE)
          .where({ id, revision: row.revision })
          .update({ state: 'expired', revision: row.revision + 1 });
      }
      throw new ConflictError(
        `Promotion request ${id} is ${current.state}, not pending`,
      );
    }
    if (current.approvals.some(d => d.by === decision.by)) {
      throw new ConflictError(
        `${decision.by} has already decided on promotion request ${id}`,
      );
    }
    const decisions = [...current.approvals, decision];
    const approvals = decisions.filter(d => d.decision === 'approve').length;
    let state: PromotionRequestState = 'pending';
    if (decision.decision === 'reject') {
      state = 'rejected';
    } else if (approvals >= current.required) {
      state = 'approved';
    }
    const updated = await this.db<RequestRow>(TABLE)
      .where({ id, revision: row.revision, state: 'pending' })
      .update({
        decisions: JSON.stringify(decisions),
        state,
        revision: row.revision + 1,
        // The decider runs it now; the sweep takes it up if it never ends.
        ...(state === 'approved' ? { claimed_at: this.now() } : {}),
      });
    if (updated !== 1) {
      throw new ConflictError(
        `Promotion request ${id} changed while deciding; try again`,
      );
    }
    return {
      request: {
        ...current,
        approvals: decisions,
        state,
      },
      reachedQuorum: state === 'approved',
    };
  }

  /** Records how the run of an approved request ended. */
  async finish(
    id: string,
    state: 'done' | 'failed',
    message?: string,
  ): Promise<void> {
    await this.db<RequestRow>(TABLE)
      .where({ id, state: 'approved' })
      .update({
        state,
        message: message ?? null,
        revision: this.db.raw('revision + 1'),
      });
  }

  /**
   * Marks pending requests past their time as expired; returns those this
   * call marked (of two replicas sweeping at once, each request is marked
   * by one).
   */
  async expire(): Promise<StoredPromotionRequest[]> {
    const now = this.now();
    const rows = await this.db<RequestRow>(TABLE)
      .where({ state: 'pending' })
      .andWhere('expires_at', '<=', now);
    const expired: StoredPromotionRequest[] = [];
    for (const row of rows) {
      const updated = await this.db<RequestRow>(TABLE)
        .where({ id: row.id, revision: row.revision, state: 'pending' })
        .update({ state: 'expired', revision: row.revision + 1 });
      if (updated === 1) {
        expired.push(toRequest({ ...row, state: 'expired' }, now));
      }
    }
    return expired;
  }

  /**
   * Takes up approved requests whose run was claimed longer than `leaseMs`
   * ago and never finished (the replica running it died): claims them anew
   * and returns those this call claimed.
   */
  async claimAbandoned(leaseMs: number): Promise<StoredPromotionRequest[]> {
    const now = this.now();
    const rows = await this.db<RequestRow>(TABLE)
      .where({ state: 'approved' })
      .andWhere(q =>
        q.whereNull('claimed_at').orWhere('claimed_at', '<=', now - leaseMs),
      );
    const claimed: StoredPromotionRequest[] = [];
    for (const row of rows) {
      const updated = await this.db<RequestRow>(TABLE)
        .where({ id: row.id, revision: row.revision, state: 'approved' })
        .update({ claimed_at: now, revision: row.revision + 1 });
      if (updated === 1) {
        claimed.push(toRequest(row, now));
      }
    }
    return claimed;
  }
}
