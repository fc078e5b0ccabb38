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

/**
 * Whether an event's target can move a tag: a manifest (or index) pushed,
 * mounted or deleted, or one whose media type is not told. A blob (layer,
 * config) moves none; an image push sends one event per blob before its
 * manifest's.
 */
function movesTags(target: { mediaType?: unknown; tag?: string }): boolean {
  if (
    target.tag ||
    typeof target.mediaType !== 'string' ||
    target.mediaType === ''
  ) {
    return true;
  }
  return /manifest|index/.test(target.mediaType);
}

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
      const changes = parsed.data.events
        .filter(event => CHANGES.has(event.action) && movesTags(event.target))
        .map(event => ({
          repository: event.target.repository,
          tag: event.target.tag,
        }));
      const refreshed = await options.refresher.imagesChanged(changes);
      res.json({ refreshed });
    },
  );
  return router;
}
