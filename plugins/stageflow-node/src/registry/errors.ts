import { NotFoundError } from '@backstage/errors';
import { UpstreamError } from '../resilience/UpstreamError';

/** What a failed registry call was about; never holds a credential. */
export interface RegistryErrorContext {
  host: string;
  operation: string;
  repository?: string;
  status?: number;
}

/**
 * A registry answered something unusable (a digest that does not match, a
 * body that does not parse): an {@link UpstreamError} of kind `registry`.
 */
export function registryUpstreamError(
  ctx: RegistryErrorContext,
  detail: string,
  cause?: unknown,
): UpstreamError {
  return new UpstreamError({ kind: 'registry', ...ctx, detail, cause });
}

/**
 * Turns a failed registry answer into the error Backstage maps to a status:
 * 404 is NotFoundError; anything else, a refusal of our credentials (401,
 * 403) included, is the registry's side, so an UpstreamError (502).
 */
export function errorFromStatus(
  ctx: RegistryErrorContext,
  errorCodes: string[],
): Error {
  const codes = errorCodes.length ? errorCodes.join(', ') : undefined;
  if (ctx.status === 404) {
    const where = ctx.repository ? `${ctx.host}/${ctx.repository}` : ctx.host;
    return new NotFoundError(
      `Registry ${ctx.operation} on ${where} found nothing${
        codes ? `: ${codes}` : ''
      }`,
    );
  }
  const credentials =
    ctx.status === 401 || ctx.status === 403
      ? `check the credentials configured for ${ctx.host} in stageflow.registries`
      : undefined;
  return registryUpstreamError(
    ctx,
    [codes, credentials].filter(Boolean).join('; ') || 'unexpected answer',
  );
}
