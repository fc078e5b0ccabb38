import type { UpstreamNoResponse } from './UpstreamError';

const BY_CODE: Record<string, UpstreamNoResponse> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'name not resolved',
  EAI_AGAIN: 'name not resolved',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
};

/**
 * Why `fetch` got no response, from the system error it carries (Node's
 * fetch throws "fetch failed" and keeps the reason in `cause`).
 */
export function noResponseReason(error: unknown): UpstreamNoResponse {
  for (let e = error as any, depth = 0; e && depth < 4; depth++) {
    if (e.name === 'TimeoutError') {
      return 'timed out';
    }
    const reason = BY_CODE[e.code] ?? BY_CODE[e.errors?.[0]?.code];
    if (reason) {
      return reason;
    }
    e = e.cause;
  }
  return 'network failure';
}

const GIT_PATTERNS: Array<[RegExp, UpstreamNoResponse]> = [
  [/could not resolve host|name or service not known/i, 'name not resolved'],
  [/connection refused|couldn't connect/i, 'connection refused'],
  [/timed out|timeout/i, 'timed out'],
  [
    /connection reset|broken pipe|early eof|unexpected disconnect/i,
    'connection reset',
  ],
];

/** Why git reached no remote, from its stderr; undefined when the remote answered. */
export function gitNoResponseReason(
  stderr: string,
): UpstreamNoResponse | undefined {
  return GIT_PATTERNS.find(([pattern]) => pattern.test(stderr))?.[1];
}
