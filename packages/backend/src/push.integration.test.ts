import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import stageflowPlugin from '@stageflow/plugin-stageflow-backend';
import {
  DemoUpstreams,
  startDemoUpstreams,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import request from 'supertest';

/**
 * Changes pushed by the upstreams reach the card at once: a GitHub webhook
 * through the events backend's GitHub module (its signature checked with
 * the real HMAC), and Debian's docker-registry's own notifications.
 */
jest.setTimeout(120_000);

// The module's entry point loads its two modules with a dynamic import(),
// which jest cannot run without experimental flags: the same two modules,
// required from its files.
const githubModules = [
  'eventsModuleGithubEventRouter',
  'eventsModuleGithubWebhook',
].map(
  name =>
    require(join(
      dirname(
        require.resolve('@backstage/plugin-events-backend-module-github'),
      ),
      'service',
      `${name}.cjs.js`,
    )).default,
);

const WEBHOOK_SECRET = `webhook-${randomUUID()}`;
const REGISTRY_SECRET = `registry-${randomUUID()}`;
const STAGES = '/api/stageflow/v1/entities/component/default/phippy/stages';

/**
 * The registry starts before the backend (it must hold the demo images),
 * so it notifies this relay, which forwards to the backend once it is up.
 */
async function startRelay() {
  let target: string | undefined;
  /** `<action> <repository>:<tag>` of every event received, in order. */
  const received: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    try {
      for (const event of JSON.parse(Buffer.concat(chunks).toString()).events ??
        []) {
        received.push(
          `${event.action} ${event.target?.repository}:${
            event.target?.tag ?? ''
          }`,
        );
      }
    } catch {
      // Not an envelope: forwarded as it is.
    }
    if (!target) {
      res.writeHead(200).end();
      return;
    }
    const answer = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/json',
        authorization: req.headers.authorization ?? '',
      },
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status).end(await answer.text());
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    setTarget: (url: string) => {
      target = url;
    },
    close: () => new Promise(r => server.close(r)),
  };
}

function versions(body: any): string[] {
  return body.stages.map((s: any) => `${s.name}=${s.version ?? s.status}`);
}

describe('push-driven freshness', () => {
  let upstreams: DemoUpstreams;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let server: any;

  beforeAll(async () => {
    relay = await startRelay();
    upstreams = await startDemoUpstreams({
      registryNotifications: {
        url: relay.url,
        headers: { Authorization: [`Bearer ${REGISTRY_SECRET}`] },
      },
    });
    const config = upstreams.config as any;
    const backend = await startTestBackend({
      features: [
        // One events service for all plugins, as in the real backend.
        eventsServiceFactory,
        eventsPlugin,
        ...githubModules,
        stageflowPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...config,
            events: { modules: { github: { webhookSecret: WEBHOOK_SECRET } } },
            stageflow: {
              ...config.stageflow,
              notifications: { registry: { secret: REGISTRY_SECRET } },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: upstreams.phippyAnnotations,
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });
    server = backend.server;
    const port = (server.address() as AddressInfo).port;
    relay.setTarget(
      `http://127.0.0.1:${port}/api/stageflow/v1/notifications/registry`,
    );
  });

  afterAll(async () => {
    await upstreams?.stop();
    await relay?.close();
  });

  /** Reads the card until its answer differs from `before` (no timing assumed). */
  async function nextAnswer(before: string[]): Promise<string[]> {
    for (;;) {
      const res = await request(server).get(STAGES);
      expect(res.status).toBe(200);
      const now = versions(res.body);
      if (JSON.stringify(now) !== JSON.stringify(before)) {
        return now;
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  it('refreshes the card on a signed GitHub webhook, and refuses one with a wrong signature', async () => {
    const before = versions((await request(server).get(STAGES)).body);
    const staging = (await request(server).get(STAGES)).body.stages[0];
    // A release tagged on GitHub, on the commit staging runs.
    execFileSync('git', ['tag', 'v1.9.0', staging.revision], {
      cwd: upstreams.phippyRepository,
    });
    const body = JSON.stringify({
      ref: 'v1.9.0',
      ref_type: 'tag',
      repository: {
        name: 'phippy',
        owner: { login: 'acme' },
        html_url: `http://${upstreams.githubHost}/acme/phippy`,
      },
    });
    const deliver = (secret: string) =>
      request(server)
        .post('/api/events/http/github')
        .set('content-type', 'application/json')
        .set('x-github-event', 'create')
        .set(
          'x-hub-signature-256',
          `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        )
        .send(body);

    const forged = await deliver('not-the-secret');
    expect(forged.status).toBe(403);
    // Within the cache TTL, nothing told the backend: the old answer.
    expect(versions((await request(server).get(STAGES)).body)).toEqual(before);

    const signed = await deliver(WEBHOOK_SECRET);
    expect(signed.status).toBe(202);
    const after = await nextAnswer(before);
    expect(after[0]).toBe('staging=1.9.0');
  });

  it("refreshes the card on docker-registry's own notification of a pushed tag", async () => {
    const res = await request(server).get(STAGES);
    const before = versions(res.body);
    const [registry, ...path] =
      upstreams.phippyAnnotations['stageflow.io/image'].split('/');
    const repository = path.join('/');
    // Promote by hand: staging's image becomes prod's.
    await upstreams.registryClient.copy(
      { registry, repository: `${repository}/develop`, tag: 'latest' },
      [{ registry, repository: `${repository}/stable`, tag: 'latest' }],
    );
    const after = await nextAnswer(before);
    expect(after[1]).toBe(`prod=${res.body.stages[0].version}`);
  });

  it('is not notified of pulls with the config the README advises', async () => {
    const [registry, ...path] =
      upstreams.phippyAnnotations['stageflow.io/image'].split('/');
    const repository = `${path.join('/')}/develop`;
    const since = relay.received.length;
    // Reads, as cards and snapshots make them (a HEAD, a manifest GET, the
    // config blob), then a push.
    const ref = { registry, repository, tag: 'latest' };
    const manifest = await upstreams.registryClient.getManifest(ref);
    await upstreams.registryClient.resolve(ref);
    await upstreams.registryClient.getImageConfig(
      { ...ref, tag: undefined, digest: manifest.descriptor.digest },
      manifest,
    );
    const tag = `pull-check-${Date.now()}`;
    await upstreams.registryClient.copy(ref, [{ registry, repository, tag }]);
    const pushed = `push ${repository}:${tag}`;
    const deadline = Date.now() + 10_000;
    while (!relay.received.includes(pushed) && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    // Delivered in order: any pull would have arrived before the push.
    expect(relay.received.slice(since)).toEqual([pushed]);
  });

  it('refuses a registry notification without the shared secret', async () => {
    const res = await request(server)
      .post('/api/stageflow/v1/notifications/registry')
      .set('content-type', 'application/vnd.docker.distribution.events.v1+json')
      .set('authorization', 'Bearer wrong')
      .send(JSON.stringify({ events: [] }));
    expect(res.status).toBe(403);
  });
});
