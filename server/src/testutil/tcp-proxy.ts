import net from 'node:net';

// A TCP proxy between the server and its database that a test can break on demand, without root:
//   'pass'      forwards both ways;
//   'refuse'    closes the listening port (new connections get ECONNREFUSED) and cuts open connections;
//   'blackhole' accepts new connections and never answers, and silently drops what open connections send
//               (a database behind a dead network link: nothing is refused, nothing comes back).
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpProxy {
  port: number;
  mode: ProxyMode;
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  const server = net.createServer((client) => {
    const pair = { client, upstream: null as net.Socket | null };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole') return; // accepted, never answered
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (d) => {
      if (mode === 'pass') upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (mode === 'pass') client.write(d);
    });
  });
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
  const port = await listen(listenPort);
  const proxy: TcpProxy = {
    port,
    get mode() {
      return mode;
    },
    async set(next) {
      if (next === mode) return;
      const wasRefusing = mode === 'refuse';
      mode = next;
      if (next === 'refuse') {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream?.destroy();
        }
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (wasRefusing) {
        await listen(port);
      } else {
        // the link is back: connections that lost bytes meanwhile are reset, as a firewall would
        for (const p of pairs) {
          p.client.destroy();
          p.upstream?.destroy();
        }
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
