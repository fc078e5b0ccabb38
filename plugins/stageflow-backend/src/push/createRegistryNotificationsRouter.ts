import { timingSafeEqual } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { NotAllowedError, InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { PushRefresher } from './PushRefresher';

/** Where a distribution registry sends its notifications. */
export const REGISTRY_NOTIFICATIONS_PATH = '/v1/notifications/registry';

const envelope = z.object({
  events: z.array(
    z.object({
      action: z.string(),
      target: z
        .object({
          repository: z.string().min(1).max(255),
          tag: z.string().max(128).optional(),
        })
        .passthrough(),
    }),
  ),
});

// Pulls say nothing new; pushes, mounts and deletes move tags.
const CHANGES = new Set(['push', 'mount', 'delete']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `POST /v1/notifications/registry`: a distribution registry's own
 * notifications (`notifications.endpoints` in its config), authenticated by
 * a shared secret in the `Authorization: Bearer` header, refresh the
 * components whose images they name.
 */
export async function createRegistryNotificationsRouter(options: {
  secret: string;
  refresher: PushRefresher;
  logger: LoggerService;
}) {
  const router = Router();
  router.post(
    REGISTRY_NOTIFICATIONS_PATH,
    express.json({
      limit: '1mb',
      type: [
        'application/json',
        'application/vnd.docker.distribution.events.v1+json',
      ],
    }),
    async (req, res) => {
      const header = req.header('authorization') ?? '';
      const given = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
      if (!sameSecret(given, options.secret)) {
        throw new NotAllowedError('Invalid registry notification secret');
      }
      const parsed = envelope.safeParse(req.body);
      if (!parsed.success) {
        throw new InputError(
          `Invalid registry notification: ${parsed.error.issues
            .map(issue => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
      }
      const refreshed = new Set<string>();
      for (const event of parsed.data.events) {
        if (CHANGES.has(event.action)) {
          for (const ref of await options.refresher.imageChanged({
            repository: event.target.repository,
            tag: event.target.tag,
          })) {
            refreshed.add(ref);
          }
        }
      }
      res.json({ refreshed: [...refreshed] });
    },
  );
  return router;
}
