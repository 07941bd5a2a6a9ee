/**
 * The TCP proxy in front of the dev server's nodes: it injects the faults a phone meets on
 * the byte level, so a "blackhole" is a real half-open link (bytes stop, nothing closes).
 * With several upstreams it deals new connections round robin, like a load balancer.
 */
import net from 'net';

export interface FaultProxy {
  readonly port: number;
  readonly stats: { accepted: number; refused: number };
  /** Links passing bytes now (blackholed ones included until they are cut). */
  links(): number;
  /** Cuts every link at once (both sides see a reset, no closing handshake); returns how many. */
  drop(): number;
  /** Existing links stop passing bytes (no FIN either) for `ms`, then are cut; returns how many. */
  blackhole(ms: number, onOver?: (count: number) => void): number;
  /** New connections are refused until `until` (a Date.now() time). */
  refuseUntil(until: number): void;
  close(): Promise<void>;
}

/** Where a proxied connection goes: a port on 127.0.0.1, or any host and port. */
export type Upstream = number | { host: string; port: number };

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  blackholed: boolean;
}

/**
 * Listens on `host:port` (0: a free one) and forwards each connection to the next of
 * `upstreams()` (ports on 127.0.0.1, or `{ host, port }`), asked afresh per connection so nodes may come and go.
 */
export async function startFaultProxy(host: string, port: number, upstreams: () => Upstream[], log: (line: string) => void = () => undefined): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const stats = { accepted: 0, refused: 0 };
  let refuseUntil = 0;
  let turn = 0;
  const cut = (pair: Pair): void => {
    pair.blackholed = false;
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };

  const server = net.createServer((client) => {
    const ports = upstreams();
    if (Date.now() < refuseUntil || ports.length === 0) {
      stats.refused++;
      log('refused a connection');
      client.destroy();
      return;
    }
    stats.accepted++;
    const to = ports[turn++ % ports.length]!;
    const upstream = typeof to === 'number' ? net.connect(to, '127.0.0.1') : net.connect(to.port, to.host);
    const pair: Pair = { client, upstream, blackholed: false };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => pair.blackholed || upstream.write(chunk));
    upstream.on('data', (chunk) => pair.blackholed || client.write(chunk));
    // A blackholed link passes no FIN either: it ends only when the blackhole does.
    const end = (): void => void (pair.blackholed || cut(pair));
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    stats,
    links: () => pairs.size,
    drop() {
      const n = pairs.size;
      for (const pair of [...pairs]) cut(pair);
      return n;
    },
    blackhole(ms, onOver) {
      const victims = [...pairs];
      for (const pair of victims) pair.blackholed = true;
      const t = setTimeout(() => {
        timers.delete(t);
        for (const pair of victims) cut(pair);
        onOver?.(victims.length);
      }, ms);
      t.unref();
      timers.add(t);
      return victims.length;
    },
    refuseUntil(until) {
      refuseUntil = until;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      for (const pair of [...pairs]) cut(pair);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
