import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  ServiceUnavailableError,
  isError,
  serializeError,
} from '@backstage/errors';
import { ErrorRequestHandler, Handler } from 'express';

const STATUS_BY_NAME: Record<string, number> = {
  [NotModifiedError.name]: 304,
  [InputError.name]: 400,
  [AuthenticationError.name]: 401,
  [NotAllowedError.name]: 403,
  [NotFoundError.name]: 404,
  [ConflictError.name]: 409,
  [NotImplementedError.name]: 501,
  [ServiceUnavailableError.name]: 503,
};

// The same rule as Backstage's own error middleware: a whole `statusCode` or
// `status` of the error, else its name.
function statusOf(error: Error): number {
  for (const field of ['statusCode', 'status'] as const) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 100 &&
      value <= 599
    ) {
      return value;
    }
  }
  return STATUS_BY_NAME[error.name] ?? 500;
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // user:password@ in URLs
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@"']*:[^/\s@"']*@/gi, '$1[redacted]@'],
  // header values and fields that carry credentials, in any quoting
  [
    /((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|private-token|x-registry-auth|password|passwd|secret|token|access_token|refresh_token|client_secret)["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^"'\s,;&}]+/gi,
    '$1[redacted]',
  ],
  // bare bearer or basic credentials anywhere
  [/\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // well-known token shapes (GitHub, JWTs)
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, '[redacted]'],
  [
    /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g,
    '[redacted]',
  ],
];

/**
 * The text with the credentials it may hold (URL user info, authorization
 * headers, tokens) replaced by `[redacted]`.
 *
 * @public
 */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (result, [pattern, replacement]) => result.replace(pattern, replacement),
    text,
  );
}

// What an upstream failure may tell the caller: who failed doing what.
function upstreamSummary(error: Error): string | undefined {
  const fields = error as unknown as Record<string, unknown>;
  const text = (key: string) =>
    typeof fields[key] === 'string' ? (fields[key] as string) : undefined;
  const host = text('host');
  const operation = text('operation');
  if (!host || !operation) {
    return undefined;
  }
  const repository = text('repository');
  const status = [fields.upstreamStatus, fields.status].find(
    value => typeof value === 'number',
  );
  const noResponse = text('noResponse');
  let why = '';
  if (status) {
    why = ` (upstream status ${status})`;
  } else if (noResponse) {
    why = ` (no response: ${noResponse})`;
  }
  return `${host} failed to ${operation}${
    repository ? ` for ${repository}` : ''
  }${why}; the server log has the details`;
}

// A message as a caller may read it: without the causes Backstage's errors
// append, without what an upstream answered, without URLs (a mirror's
// address, a presigned link), of bounded length.
function publicMessage(error: Error, status: number): string {
  const known = 'statusCode' in error || error.name in STATUS_BY_NAME;
  if (status >= 500 && !known) {
    // An unexpected failure (a bug, a database error): its text is for the log.
    return 'Internal error; the server log has the details';
  }
  const own = error.message.split('; caused by ')[0];
  const text = (status >= 500 ? upstreamSummary(error) : undefined) ?? own;
  const safe = redactSecrets(text).replace(
    /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi,
    '[url]',
  );
  return safe.length > 1000 ? `${safe.slice(0, 1000)}...` : safe;
}

/**
 * The error middleware of the Stageflow routers, mounted after them: it
 * answers the Backstage error body with the error's name, message and
 * status only (no `cause`, no stack, no upstream URL, header or body), and
 * logs a failure of the server (5xx) with its whole cause, credentials
 * redacted.
 *
 * @public
 */
export function createErrorBoundary(options: {
  logger: LoggerService;
}): Handler {
  const { logger } = options;
  const boundary: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const err = isError(error) ? error : new Error(String(error));
    const status = statusOf(err);
    if (status >= 500) {
      logger.error('Request failed', {
        method: req.method,
        path: req.path,
        status,
        error: redactSecrets(
          JSON.stringify(serializeError(err, { includeStack: true })),
        ).slice(0, 16_000),
        // An upstream error keeps what the host answered as a cause that
        // serializing the error leaves out: the log is where it belongs.
        ...(isError(err.cause)
          ? {
              cause: redactSecrets(
                JSON.stringify(
                  serializeError(err.cause, { includeStack: false }),
                ),
              ).slice(0, 16_000),
            }
          : {}),
      });
    }
    res.status(status).json({
      error: { name: err.name, message: publicMessage(err, status) },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: status },
    });
  };
  // The plugin's httpRouter takes handlers only; express tells an error
  // middleware by its four parameters, which this function keeps.
  return boundary as unknown as Handler;
}
