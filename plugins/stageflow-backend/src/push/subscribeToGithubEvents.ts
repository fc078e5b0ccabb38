import { LoggerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { z } from 'zod';
import { PushRefresher } from './PushRefresher';

/**
 * The topics the events backend's GitHub module publishes the webhooks
 * Stageflow follows on: commits and tags pushed, branches and tags made or
 * deleted, releases, packages published to GitHub's registry.
 */
export const GITHUB_TOPICS = [
  'github.push',
  'github.create',
  'github.delete',
  'github.release',
  'github.registry_package',
];

const repositoryPayload = z.object({
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    html_url: z.string().url(),
  }),
});

const packagePayload = z.object({
  registry_package: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    package_type: z.string().optional(),
    package_version: z
      .object({
        container_metadata: z
          .object({ tag: z.object({ name: z.string() }).partial() })
          .partial()
          .nullish(),
      })
      .partial()
      .nullish(),
  }),
});

/**
 * Subscribes to GitHub's webhooks through the events service (their
 * signature is verified by the events backend's GitHub module before they
 * are published): each refreshes only the components it concerns.
 */
export async function subscribeToGithubEvents(options: {
  events: EventsService;
  refresher: PushRefresher;
  logger: LoggerService;
}) {
  const { events, refresher, logger } = options;
  await events.subscribe({
    id: 'stageflow-push',
    topics: GITHUB_TOPICS,
    async onEvent(params) {
      try {
        if (params.topic === 'github.registry_package') {
          const parsed = packagePayload.safeParse(params.eventPayload);
          if (parsed.success) {
            const pkg = parsed.data.registry_package;
            await refresher.imageChanged({
              repository: `${pkg.namespace}/${pkg.name}`,
              tag:
                pkg.package_version?.container_metadata?.tag?.name || undefined,
            });
            return;
          }
        }
        const parsed = repositoryPayload.safeParse(params.eventPayload);
        if (!parsed.success) {
          logger.warn(
            'Stageflow ignored a GitHub webhook without a repository',
            {
              topic: params.topic,
            },
          );
          return;
        }
        const repository = parsed.data.repository;
        await refresher.repositoryChanged({
          host: new URL(repository.html_url).host,
          owner: repository.owner.login,
          repo: repository.name,
        });
      } catch (error) {
        // The next poll refreshes what this one could not.
        logger.warn('Stageflow could not refresh after a GitHub webhook', {
          topic: params.topic,
          error: (error as Error).message,
        });
      }
    },
  });
}
