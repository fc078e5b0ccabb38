import net from 'node:net';

/**
 * A TCP proxy on loopback in front of a real server (PostgreSQL, Redis),
 * which a test cuts and restores to stage an outage.
 *
 * @public
 */
export interface TcpProxy {
  /** The loopback port clients connect to. */
  port: number;
  /**
   * Starts an outage: open connections are reset and new ones are refused
   * (`refuse`, like a stopped server) or accepted and never answered
   * (`blackhole`, like a lost network).
   */
  cut(mode?: 'refuse' | 'blackhole'): void;
  /** Ends the outage: new connections reach the server again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * Starts a {@link TcpProxy} to `target`.
 *
 * @public
 */
export async function startTcpProxy(target: {
  host: string;
  port: number;
}): Promise<TcpProxy> {
  let mode: 'open' | 'refuse' | 'blackhole' = 'open';
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset peer is what the outage is about, not a test failure.
    socket.on('error', () => {});
  };
  const server = net.createServer(client => {
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole') {
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut(cutMode = 'refuse') {
      mode = cutMode;
      for (const socket of sockets) {
        socket.resetAndDestroy();
      }
    },
    restore() {
      mode = 'open';
    },
    async close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
