import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';

/**
 * The location key of a contributor's entities. One key per contributor, so
 * that the catalog refuses to let one contributor overwrite another's entity.
 *
 * @public
 */
export function contributorLocationKey(contributor: string): string {
  return `stageflow-contributor:${contributor}`;
}

/**
 * Options of {@link StageflowContributionsProvider}.
 *
 * @public
 */
export interface StageflowContributionsProviderOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  /** Runs {@link StageflowContributionsProvider.refresh}; omitted in tests. */
  schedule?: SchedulerServiceTaskRunner;
}

/**
 * Ingests the entities contributors sent to the Stageflow backend
 * (`/api/stageflow/v1/contributions`). Each read replaces the provider's
 * whole set (a `full` mutation), so an entity a contributor stops sending
 * leaves the catalog.
 *
 * The entities are read over HTTP rather than from the database because a
 * catalog module cannot share the `stageflow` plugin's database.
 *
 * @public
 */
export class StageflowContributionsProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly logger: LoggerService;
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly options: StageflowContributionsProviderOptions) {
    this.logger = options.logger.child({
      provider: 'StageflowContributionsProvider',
    });
  }

  getProviderName(): string {
    return 'StageflowContributionsProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.schedule?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refreshSoon(),
    });
  }

  /**
   * Refreshes now, as when a contributor's change is announced; calls that
   * come while a refresh runs make one more run after it, so the change they
   * announce is never missed and never read twice at once. Failures are
   * logged: the catalog keeps what it has until the next run.
   */
  refreshSoon(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.refresh().catch(error =>
            this.logger.warn('Could not read the Stageflow contributions', {
              error: String(error),
            }),
          );
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /**
   * Reads every contributor's set and applies them as one full mutation.
   * Throws, applying nothing, when any read fails: a partial read applied
   * as `full` would delete the entities of the contributors not read.
   */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error('StageflowContributionsProvider is not connected');
    }
    const { discovery, auth } = this.options;
    const baseUrl = await discovery.getBaseUrl('stageflow');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'stageflow',
    });
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      return (await response.json()) as T;
    };

    const { contributors } = await get<{
      contributors: Array<{ contributor: string }>;
    }>('/v1/contributions');
    const entities: DeferredEntity[] = [];
    for (const { contributor } of contributors) {
      const contribution = await get<{ entities: Entity[] }>(
        `/v1/contributions/${encodeURIComponent(contributor)}`,
      );
      const locationKey = contributorLocationKey(contributor);
      for (const entity of contribution.entities) {
        entities.push({
          locationKey,
          entity: {
            ...entity,
            metadata: {
              ...entity.metadata,
              annotations: {
                ...entity.metadata.annotations,
                [ANNOTATION_LOCATION]: locationKey,
                [ANNOTATION_ORIGIN_LOCATION]: locationKey,
              },
            },
          },
        });
      }
    }
    await this.connection.applyMutation({ type: 'full', entities });
    this.logger.info('Applied the Stageflow contributions', {
      contributors: contributors.length,
      entities: entities.length,
    });
  }
}
