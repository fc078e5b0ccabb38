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
import { contributorLocationKey } from '@stageflow/plugin-stageflow-common';

export { contributorLocationKey };

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
  private forceNext = false;
  // The contributors list of the last applied read: when the next list is
  // the same, no set changed and nothing is read again.
  private appliedSignature?: string;

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
   * logged: the catalog keeps what it has until the next run. `force` reads
   * every set even when the list of contributors looks unchanged (an
   * announced change).
   */
  refreshSoon(options: { force?: boolean } = {}): Promise<void> {
    if (options.force) {
      this.forceNext = true;
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const force = this.forceNext;
          this.forceNext = false;
          await this.refresh({ force }).catch(error =>
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
   * Reads every contributor's set and applies them as one full mutation,
   * unless the list of contributors (names, sizes, times of change) is the
   * one last applied and `force` is not set. Throws, applying nothing, when
   * any read fails: a partial read applied as `full` would delete the
   * entities of the contributors not read.
   */
  async refresh(options: { force?: boolean } = {}): Promise<void> {
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
      contributors: Array<{
        contributor: string;
        entityCount?: number;
        updatedAt?: string;
      }>;
    }>('/v1/contributions');
    const signature = JSON.stringify(
      contributors.map(c => [c.contributor, c.entityCount, c.updatedAt]),
    );
    if (!options.force && signature === this.appliedSignature) {
      return;
    }
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
    this.appliedSignature = signature;
    this.logger.info('Applied the Stageflow contributions', {
      contributors: contributors.length,
      entities: entities.length,
    });
  }
}
