import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import {
  HotfixesResponse,
  ReleasesResponse,
  StagesResponse,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';
import {
  FinishHotfixRequest,
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

const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  InputError,
  ConflictError,
  NotAllowedError,
  NotFoundError,
  AuthenticationError,
  NotImplementedError,
};

/**
 * An error the Stageflow backend answered that has no class here (an
 * upstream failure, 502): the same name, message and status, so that the
 * scaffolder shows the real cause and a router maps it the same way.
 *
 * @public
 */
export class ReleaseServiceRemoteError extends CustomErrorBase {
  readonly statusCode: number;

  constructor(name: string, message: string, statusCode: number) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

async function errorFrom(response: Response): Promise<Error> {
  let body: { error?: { name?: string; message?: string } } = {};
  try {
    body = await response.json();
  } catch {
    // Not a Backstage error body: the status is all there is.
  }
  const name = body.error?.name ?? 'Error';
  const message =
    body.error?.message ??
    `Stageflow backend answered ${response.status} ${response.statusText}`;
  const Known = KNOWN_ERRORS[name];
  return Known
    ? new Known(message)
    : new ReleaseServiceRemoteError(name, message, response.status);
}

/**
 * {@link ReleaseService} over the Stageflow backend's REST API, acting on
 * behalf of the caller's credentials (the user who started a task). Errors
 * come back as the classes the backend threw.
 *
 * @public
 */
export class ReleaseServiceClient implements ReleaseService {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async getStages(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<StagesResponse> {
    return this.call('GET', `${this.entityPath(entityRef)}/stages`, options);
  }

  async getReleases(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<ReleasesResponse> {
    return this.call('GET', `${this.entityPath(entityRef)}/releases`, options);
  }

  async getUnreleased(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<UnreleasedResponse> {
    return this.call(
      'GET',
      `${this.entityPath(entityRef)}/unreleased`,
      options,
    );
  }

  async getHotfixes(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<HotfixesResponse> {
    return this.call('GET', `${this.entityPath(entityRef)}/hotfixes`, options);
  }

  tagRelease(
    request: TagReleaseRequest,
    actor: ReleaseActor,
  ): Promise<TagReleaseResult> {
    return this.call('POST', '/v1/releases', actor, request);
  }

  startHotfix(
    request: StartHotfixRequest,
    actor: ReleaseActor,
  ): Promise<StartHotfixResult> {
    return this.call('POST', '/v1/hotfixes', actor, request);
  }

  finishHotfix(
    request: FinishHotfixRequest,
    actor: ReleaseActor,
  ): Promise<FinishHotfixResult> {
    return this.call('POST', '/v1/hotfixes/finish', actor, request);
  }

  promote(
    request: PromoteRequest,
    actor: ReleaseActor,
  ): Promise<PromoteResult> {
    return this.call('POST', '/v1/promotions', actor, request);
  }

  private entityPath(entityRef: string): string {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return `/v1/entities/${[kind, namespace, name]
      .map(encodeURIComponent)
      .join('/')}`;
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    actor: { credentials: BackstageCredentials; taskId?: string },
    body?: object,
  ): Promise<T> {
    const baseUrl = await this.options.discovery.getBaseUrl('stageflow');
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: actor.credentials,
      targetPluginId: 'stageflow',
    });
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body
        ? {
            body: JSON.stringify({
              ...body,
              ...(actor.taskId ? { taskId: actor.taskId } : {}),
            }),
          }
        : {}),
    });
    if (!response.ok) {
      throw await errorFrom(response);
    }
    // Parsed here rather than by the fetch implementation, so that its
    // arrays and objects are this realm's: the scaffolder's templating
    // refuses values with another realm's prototypes (as under jest).
    return JSON.parse(await response.text()) as T;
  }
}
