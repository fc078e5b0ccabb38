import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { DistributionRegistryClient } from './DistributionRegistryClient';
import { MEDIA_TYPES, sha256Digest } from './manifest';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';

// Failures a real registry will not produce on demand.
const HOST = 'registry.test';
const BASE = `https://${HOST}`;
const ref = { registry: HOST, repository: 'acme/app', tag: 'v1' };
const manifestBytes = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: {
      mediaType: MEDIA_TYPES.ociConfig,
      digest: `sha256:${'0'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);
const digest = sha256Digest(manifestBytes);

describe('DistributionRegistryClient against failing upstreams', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = (timeoutMs = 1000) =>
    new DistributionRegistryClient({
      host: HOST,
      credentials: { username: 'u', password: 'super-secret-pw' },
      policy: new UpstreamPolicy({
        kind: 'registry',
        host: HOST,
        options: { ...DEFAULT_RESILIENCE, timeoutMs, backoffMs: 1 },
      }),
    });

  it('waits as Retry-After says on 429, then succeeds', async () => {
    const calls: number[] = [];
    server.use(
      http.head(`${BASE}/v2/acme/app/manifests/v1`, () => {
        calls.push(Date.now());
        return calls.length === 1
          ? new HttpResponse(null, {
              status: 429,
              headers: { 'retry-after': '1' },
            })
          : new HttpResponse(null, {
              status: 200,
              headers: {
                'docker-content-digest': digest,
                'content-type': MEDIA_TYPES.ociManifest,
                'content-length': String(manifestBytes.length),
              },
            });
      }),
    );
    await expect(client().resolve(ref)).resolves.toEqual({
      digest,
      mediaType: MEDIA_TYPES.ociManifest,
      size: manifestBytes.length,
    });
    expect(calls).toHaveLength(2);
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after three 500s with an error naming host, repository, operation and status', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v2/acme/app/tags/list`, () => {
        calls += 1;
        return HttpResponse.json(
          { errors: [{ code: 'UNKNOWN' }] },
          { status: 500 },
        );
      }),
    );
    const error = await client()
      .listTags('acme/app')
      .catch(e => e);
    expect(calls).toBe(3);
    expect(error).toMatchObject({
      name: 'UpstreamError',
      statusCode: 502,
      status: 500,
    });
    expect(error.message).toBe(
      'Registry registry.test failed to list tags for acme/app: HTTP 500',
    );
  });

  it('times out a request that does not answer', async () => {
    server.use(
      http.get(`${BASE}/v2/acme/app/manifests/v1`, async () => {
        await delay(2000);
        return new HttpResponse(manifestBytes);
      }),
    );
    await expect(client(100).getManifest(ref)).rejects.toThrow(
      'Registry registry.test failed to get manifest for acme/app: no response (timed out), after 100 ms',
    );
  });

  it('refuses a manifest whose bytes do not match the digest', async () => {
    server.use(
      http.get(
        `${BASE}/v2/acme/app/manifests/:reference`,
        () =>
          new HttpResponse(manifestBytes, {
            headers: {
              'content-type': MEDIA_TYPES.ociManifest,
              'docker-content-digest': `sha256:${'1'.repeat(64)}`,
            },
          }),
      ),
    );
    await expect(client().getManifest(ref)).rejects.toThrow(
      /has digest sha256:.* expected sha256:1111/,
    );
    await expect(
      client().getManifest({
        ...ref,
        tag: undefined,
        digest: `sha256:${'2'.repeat(64)}`,
      }),
    ).rejects.toMatchObject({ name: 'UpstreamError' });
  });

  it('follows Link pagination when listing tags', async () => {
    server.use(
      http.get(`${BASE}/v2/acme/app/tags/list`, ({ request }) => {
        const last = new URL(request.url).searchParams.get('last');
        return last
          ? HttpResponse.json({ name: 'acme/app', tags: ['c'] })
          : HttpResponse.json(
              { name: 'acme/app', tags: ['b', 'a'] },
              {
                headers: {
                  link: '</v2/acme/app/tags/list?n=2&last=a>; rel="next"',
                },
              },
            );
      }),
    );
    await expect(client().listTags('acme/app')).resolves.toEqual([
      'b',
      'a',
      'c',
    ]);
  });

  it('maps 404 to NotFoundError and 403 to an upstream refusal without leaking credentials', async () => {
    server.use(
      http.get(`${BASE}/v2/acme/app/manifests/v1`, () =>
        HttpResponse.json(
          { errors: [{ code: 'MANIFEST_UNKNOWN' }] },
          { status: 404 },
        ),
      ),
      http.get(`${BASE}/v2/acme/app/manifests/v2`, () =>
        HttpResponse.json({ errors: [{ code: 'DENIED' }] }, { status: 403 }),
      ),
    );
    await expect(client().getManifest(ref)).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'Registry get manifest on registry.test/acme/app found nothing: MANIFEST_UNKNOWN',
    });
    const denied = await client()
      .getManifest({ ...ref, tag: 'v2' })
      .catch(e => e);
    expect(denied).toMatchObject({ name: 'UpstreamError', statusCode: 502 });
    expect(denied.message).toBe(
      'Registry registry.test failed to get manifest for acme/app: HTTP 403, DENIED; check the credentials configured for registry.test in stageflow.registries',
    );
    expect(denied.message).not.toContain('super-secret-pw');
  });

  it('sends a configured token as a bearer token', async () => {
    server.use(
      http.get(`${BASE}/v2/acme/app/tags/list`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer static-token'
          ? HttpResponse.json({ tags: ['v1'] })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    const withToken = new DistributionRegistryClient({
      host: HOST,
      credentials: { token: 'static-token' },
    });
    await expect(withToken.listTags('acme/app')).resolves.toEqual(['v1']);
  });
  it('falls back to a streaming copy of a blob when the registry refuses a mount', async () => {
    const layer = Buffer.from('layer-bytes');
    const layerDigest = sha256Digest(layer);
    const image = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: {
          mediaType: MEDIA_TYPES.ociConfig,
          digest: layerDigest,
          size: layer.length,
        },
        layers: [],
      }),
    );
    const imageDigest = sha256Digest(image);
    const uploaded: Buffer[] = [];
    let stored: Buffer | undefined;
    server.use(
      http.get(
        `${BASE}/v2/acme/rc/manifests/v1`,
        () =>
          new HttpResponse(image, {
            headers: { 'content-type': MEDIA_TYPES.ociManifest },
          }),
      ),
      http.head(`${BASE}/v2/acme/stable/manifests/latest`, () =>
        stored
          ? new HttpResponse(null, {
              headers: {
                'docker-content-digest': sha256Digest(stored),
                'content-type': MEDIA_TYPES.ociManifest,
                'content-length': String(stored.length),
              },
            })
          : new HttpResponse(null, { status: 404 }),
      ),
      http.post(`${BASE}/v2/acme/stable/blobs/uploads/`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('from')).toBe('acme/rc');
        return new HttpResponse(null, {
          status: 202,
          headers: { location: '/upload/1?state=x' },
        });
      }),
      http.get(
        `${BASE}/v2/acme/rc/blobs/${layerDigest}`,
        () => new HttpResponse(layer),
      ),
      http.put(`${BASE}/upload/1`, async ({ request }) => {
        expect(new URL(request.url).searchParams.get('digest')).toBe(
          layerDigest,
        );
        uploaded.push(Buffer.from(await request.arrayBuffer()));
        return new HttpResponse(null, { status: 201 });
      }),
      http.put(
        `${BASE}/v2/acme/stable/manifests/latest`,
        async ({ request }) => {
          expect(request.headers.get('content-type')).toBe(
            MEDIA_TYPES.ociManifest,
          );
          stored = Buffer.from(await request.arrayBuffer());
          return new HttpResponse(null, {
            status: 201,
            headers: { 'docker-content-digest': sha256Digest(stored) },
          });
        },
      ),
    );
    const result = await client().copy(
      { registry: HOST, repository: 'acme/rc', tag: 'v1' },
      [{ registry: HOST, repository: 'acme/stable', tag: 'latest' }],
    );
    expect(result).toEqual({
      digest: imageDigest,
      written: [`${HOST}/acme/stable:latest`],
      unchanged: [],
      bytesUploaded: layer.length,
    });
    expect(Buffer.concat(uploaded).equals(layer)).toBe(true);
    expect(stored!.equals(image)).toBe(true);
  });
});
