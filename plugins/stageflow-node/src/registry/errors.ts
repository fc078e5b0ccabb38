import {
  CustomErrorBase,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';

/** What a failed registry call was about; never holds a credential. */
export interface RegistryErrorContext {
  host: string;
  operation: string;
  repository?: string;
  status?: number;
}

function describe(ctx: RegistryErrorContext): string {
  const where = ctx.repository ? `${ctx.host}/${ctx.repository}` : ctx.host;
  const status = ctx.status ? ` (HTTP ${ctx.status})` : '';
  return `Registry ${ctx.operation} on ${where} failed${status}`;
}

/**
 * A registry answered something unusable. Carries `statusCode` 502 so that the
 * Backstage error middleware reports it as an upstream failure, not the
 * caller's.
 *
 * @public
 */
export class RegistryUpstreamError extends CustomErrorBase {
  readonly statusCode = 502;
  readonly host: string;
  readonly operation: string;
  readonly repository?: string;
  readonly upstreamStatus?: number;

  constructor(ctx: RegistryErrorContext, detail: string, cause?: unknown) {
    super(`${describe(ctx)}: ${detail}`, cause);
    this.name = 'RegistryUpstreamError';
    this.host = ctx.host;
    this.operation = ctx.operation;
    this.repository = ctx.repository;
    this.upstreamStatus = ctx.status;
  }
}

/** Turns a failed registry response into the error Backstage maps to a status. */
export function errorFromStatus(
  ctx: RegistryErrorContext,
  errorCodes: string[],
): Error {
  const codes = errorCodes.length ? `: ${errorCodes.join(', ')}` : '';
  if (ctx.status === 404) {
    return new NotFoundError(`${describe(ctx)}${codes}`);
  }
  if (ctx.status === 401 || ctx.status === 403) {
    return new NotAllowedError(
      `${describe(ctx)}${codes}; check the credentials configured for ${
        ctx.host
      } in stageflow.registries`,
    );
  }
  return new RegistryUpstreamError(
    ctx,
    errorCodes.join(', ') || 'unexpected answer',
  );
}
