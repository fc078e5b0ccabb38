import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the stand-in received. */
export type RecordedRequest = {
  method?: string;
  url?: string;
  authorization?: string;
  body?: any;
};

/**
 * A real HTTP server standing in for the Stageflow backend's contributions
 * API, holding one set per contributor; `dryRun=true` stores nothing, the
 * contributor `taken` answers 409, `forbidden` 403 and `broken` 500.
 */
export async function startContributionsServer(
  sets: Record<string, any[]>,
  requests: RecordedRequest[],
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', chunk => {
      raw += chunk;
    });
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body,
      });
      const url = new URL(req.url!, 'http://localhost');
      const contributor = url.pathname.split('/').pop()!;
      res.setHeader('Content-Type', 'application/json');
      const refusals: Record<string, [number, string]> = {
        taken: [409, 'ConflictError'],
        forbidden: [403, 'NotAllowedError'],
        broken: [500, 'Error'],
      };
      const refusal = refusals[contributor];
      if (refusal) {
        res.statusCode = refusal[0];
        res.end(
          // The Backstage error body, as the real backend answers.
          JSON.stringify({
            error: { name: refusal[1], message: contributor },
            request: { method: req.method, url: req.url },
            response: { statusCode: refusal[0] },
          }),
        );
        return;
      }
      const dryRun = url.searchParams.get('dryRun') === 'true';
      const entities =
        req.method === 'PUT' ? body.entities : sets[contributor] ?? [];
      if (req.method === 'PUT' && !dryRun) {
        sets[contributor] = body.entities;
      }
      res.end(
        JSON.stringify({
          contributor,
          entities,
          entityRefs: entities.map(
            (e: any) => `${e.kind.toLowerCase()}:default/${e.metadata.name}`,
          ),
        }),
      );
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}/api` };
}
