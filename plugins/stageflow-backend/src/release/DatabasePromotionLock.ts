import { ConflictError } from '@backstage/errors';
import { PromotionLock } from '@stageflow/plugin-stageflow-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const TABLE = 'stageflow_promotion_locks';

/**
 * A lease row per key in the plugin's database (SQLite or PostgreSQL): the
 * holder inserts it, renews it while it works and deletes it when done; a
 * lease left by a crashed replica expires. Waiting holders poll.
 */
export class DatabasePromotionLock implements PromotionLock {
  constructor(
    private readonly db: Knex,
    private readonly options: {
      leaseMs?: number;
      waitMs?: number;
      pollMs?: number;
    } = {},
  ) {}

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const leaseMs = this.options.leaseMs ?? 30_000;
    const holder = randomUUID();
    await this.acquire(key, holder, leaseMs);
    const renew = setInterval(() => {
      this.db(TABLE)
        .where({ lock_key: key, holder })
        .update({ expires_at: Date.now() + leaseMs })
        .catch(() => undefined);
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.db(TABLE).where({ lock_key: key, holder }).delete();
    }
  }

  private async acquire(key: string, holder: string, leaseMs: number) {
    const waitMs = this.options.waitMs ?? 120_000;
    const pollMs = this.options.pollMs ?? 50;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      await this.db(TABLE)
        .where({ lock_key: key })
        .where('expires_at', '<', now)
        .delete();
      await this.db(TABLE)
        .insert({ lock_key: key, holder, expires_at: now + leaseMs })
        .onConflict('lock_key')
        .ignore();
      const row = await this.db(TABLE).where({ lock_key: key }).first('holder');
      if (row?.holder === holder) {
        return;
      }
      if (Date.now() > deadline) {
        throw new ConflictError(
          `Another promotion of ${key} is still running; try again later`,
        );
      }
      await new Promise(r =>
        setTimeout(r, pollMs + Math.floor(Math.random() * pollMs)),
      );
    }
  }
}
