/*
 * Promotion benchmark: Stageflow's manifest-only copy against `skopeo copy`,
 * both on one loopback docker-registry, both through one counting proxy so
 * that the blob bytes each one uploads are measured the same way.
 *
 * Run: yarn workspace @stageflow/plugin-stageflow-node bench:promote
 * (LAYERS and LAYER_MB override the default 10 x 30 MB image.)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DistributionRegistryClient, pushImage } from '../src/registry';
import { startTestRegistry } from '../src/testUtils/registry/registryServer';

const run = promisify(execFile);
const LAYERS = Number(process.env.LAYERS ?? 10);
const LAYER_MB = Number(process.env.LAYER_MB ?? 30);

interface CountingProxy {
  url: string;
  host: string;
  uploadedBlobBytes: number;
  close(): Promise<void>;
}

/** Forwards to the registry, counting request bytes sent to blob uploads. */
async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const agent = new Agent({ keepAlive: true });
  const state = { uploadedBlobBytes: 0 };
  const server: Server = createServer((req, res) => {
    const isBlobUpload =
      (req.method === 'PUT' || req.method === 'PATCH') &&
      (req.url ?? '').includes('/blobs/uploads/');
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      upstreamRes => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (isBlobUpload) {
      req.on('data', (chunk: Buffer) => {
        state.uploadedBlobBytes += chunk.length;
      });
    }
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get uploadedBlobBytes() {
      return state.uploadedBlobBytes;
    },
    set uploadedBlobBytes(value: number) {
      state.uploadedBlobBytes = value;
    },
    close: () =>
      new Promise<void>(r => {
        agent.destroy();
        server.close(() => r());
      }),
  };
}

async function main() {
  const registry = await startTestRegistry('none');
  const registryPort = Number(registry.host.split(':')[1]);
  const proxy = await startCountingProxy(registryPort);
  try {
    // References name the proxy so that both tools go through it.
    const host = proxy.host;
    const client = new DistributionRegistryClient({
      host,
      url: proxy.url,
      timeoutMs: 120_000,
    });
    const sha = randomBytes(20).toString('hex');
    const candidate = {
      registry: host,
      repository: 'acme/phippy/release-candidate',
      tag: sha,
    };

    // Layers are gzip streams, as in real images: given an uncompressed
    // layer, skopeo would compress it while copying and so change the digest.
    const layers = Array.from({ length: LAYERS }, () =>
      gzipSync(randomBytes(LAYER_MB * 1024 * 1024), { level: 1 }),
    );
    const built = await pushImage(client, candidate, {
      layers,
      labels: {
        'org.opencontainers.image.revision': sha,
        'org.opencontainers.image.version': '1.2.3',
      },
      format: 'docker',
    });
    const imageBytes = layers.reduce((sum, l) => sum + l.length, 0);
    console.log(
      `image ${built.digest}: ${LAYERS} layers, ${(imageBytes / 1e6).toFixed(
        1,
      )} MB`,
    );

    proxy.uploadedBlobBytes = 0;
    let start = performance.now();
    const result = await client.copy(candidate, [
      { registry: host, repository: 'acme/phippy2/stable', tag: 'latest' },
      { registry: host, repository: 'acme/phippy2/stable', tag: 'v1.2.3' },
    ]);
    const stageflowSeconds = (performance.now() - start) / 1000;
    const stageflowBytes = proxy.uploadedBlobBytes;
    console.log(
      `stageflow: ${stageflowSeconds.toFixed(
        3,
      )} s, blob bytes ${stageflowBytes} (client counted ${
        result.bytesUploaded
      }), digest ${result.digest}`,
    );

    proxy.uploadedBlobBytes = 0;
    start = performance.now();
    for (const tag of ['latest', 'v1.2.3']) {
      await run('skopeo', [
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${host}/${candidate.repository}:${sha}`,
        `docker://${host}/acme/phippy3/stable:${tag}`,
      ]);
    }
    const skopeoSeconds = (performance.now() - start) / 1000;
    const skopeoBytes = proxy.uploadedBlobBytes;
    const skopeoDigest = await client.resolve({
      registry: host,
      repository: 'acme/phippy3/stable',
      tag: 'latest',
    });
    console.log(
      `skopeo: ${skopeoSeconds.toFixed(
        3,
      )} s, blob bytes ${skopeoBytes}, digest ${skopeoDigest?.digest}`,
    );
    const ratio = skopeoSeconds / stageflowSeconds;
    console.log(
      `ratio=${ratio.toFixed(
        2,
      )} stageflow_bytes=${stageflowBytes} skopeo_bytes=${skopeoBytes}`,
    );
  } finally {
    await proxy.close();
    await registry.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
