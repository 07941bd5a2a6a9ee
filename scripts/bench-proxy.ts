/**
 * A TCP proxy in front of a server, for the link faults the peers must survive alike:
 * `drop()` destroys every proxied connection (an abrupt loss, no close frame), `hold()` does
 * the same and keeps new connections waiting until `release()`.
 */
import net from 'net';

export interface Proxy {
  readonly port: number;
  drop(): void;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const pairs = new Set<net.Socket>();
  const waiting: net.Socket[] = [];
  let held = false;
  const pipe = (client: net.Socket): void => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    pairs.add(client).add(upstream);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
    client.resume();
  };
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    client.setNoDelay(true);
    if (held) {
      client.on('error', () => client.destroy());
      waiting.push(client);
    } else pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const drop = (): void => {
    for (const s of [...pairs]) s.destroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    drop,
    hold() {
      held = true;
      drop();
    },
    release() {
      held = false;
      for (const c of waiting.splice(0)) if (!c.destroyed) pipe(c);
    },
    close() {
      drop();
      for (const c of waiting.splice(0)) c.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
