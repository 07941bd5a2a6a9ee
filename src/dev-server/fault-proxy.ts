/**
 * The TCP proxy in front of the dev server's nodes: it injects the faults a phone meets on
 * the byte level, so a "blackhole" is a real half-open link (bytes stop, nothing closes).
 * With several upstreams it deals new connections round robin, like a load balancer.
 *
 * It reads each connection's request head first. Faults act on links (WebSocket upgrades,
 * and anything that is not plain HTTP); plain HTTP requests (the H5 page and its files) pass
 * untouched, and a control request is answered here by `front`, so pressing a fault button
 * always gets its answer, even the one that cuts every link.
 */
import net from 'net';
import { readHead } from './http-head';
import type { RequestHead } from './http-head';
import { listen } from './listen';

export interface FaultProxy {
  readonly port: number;
  readonly stats: { accepted: number; refused: number };
  /** Links passing bytes now (blackholed ones included until they are cut). */
  links(): number;
  /** Cuts every link (with `user`: that dev user's) at once (both sides see a reset, no closing handshake); returns how many. */
  drop(user?: string): number;
  /** Existing links (with `user`: that dev user's) stop passing bytes (no FIN either) for `ms`, then are cut; returns how many. */
  blackhole(ms: number, onOver?: (count: number) => void, user?: string): number;
  /** New links (with `user`: that dev user's) are refused until `until` (a Date.now() time). */
  refuseUntil(until: number, user?: string): void;
  close(): Promise<void>;
}

/** Where a proxied connection goes: a port on 127.0.0.1, or any host and port (the conformance kit's chaos run). */
export type Upstream = number | { host: string; port: number };

/** Answers a request itself (raw HTTP bytes to write before closing, or their promise), or undefined to forward it. */
export type ProxyFront = (head: RequestHead) => string | Promise<string> | undefined;

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** A link (faults act on it) or a plain HTTP request (they never do). */
  link: boolean;
  blackholed: boolean;
  /** The dev user its URL names (`?user=`, default "dev"), for faults aimed at one user. */
  user: string;
}

const ignore = (): void => undefined;

interface ProxyState {
  pairs: Set<Pair>;
  /** Connections whose request head has not arrived yet. */
  waiting: Set<net.Socket>;
  timers: Set<ReturnType<typeof setTimeout>>;
  stats: { accepted: number; refused: number };
  refuseUntil: number;
  /** Users whose new links are refused, until when. */
  refuseUser: Map<string, number>;
  turn: number;
}

interface Routing {
  upstreams: () => Upstream[];
  log: (line: string) => void;
  front?: ProxyFront;
}

/**
 * Listens on `host:port` (0: a free one) and forwards each connection to the next of
 * `upstreams()` (ports on 127.0.0.1, or `{ host, port }`), asked afresh per connection so nodes may come and go.
 */
export async function startFaultProxy(host: string, port: number, upstreams: () => Upstream[], log: (line: string) => void = ignore, front?: ProxyFront): Promise<FaultProxy> {
  const state: ProxyState = { pairs: new Set(), waiting: new Set(), timers: new Set(), stats: { accepted: 0, refused: 0 }, refuseUntil: 0, refuseUser: new Map(), turn: 0 };
  const server = net.createServer((client) => accept(client, state, { upstreams, log, front }));
  await listen(server, port, host);
  return proxyApi(server, state);
}

/** Reads the request head, then answers it (front), forwards it as plain HTTP, or forwards it as a link. */
function accept(client: net.Socket, state: ProxyState, routing: Routing): void {
  client.on('error', ignore);
  state.waiting.add(client);
  client.once('close', () => state.waiting.delete(client));
  readHead(client, (bytes, head) => {
    state.waiting.delete(client);
    const answer = head && !head.upgrade ? routing.front?.(head) : undefined;
    if (typeof answer === 'string') return void client.end(answer);
    if (answer !== undefined) return void answer.then((bytes) => client.end(bytes), () => client.destroy());
    const link = !head || head.upgrade;
    const user = userOf(head?.url);
    const ports = routing.upstreams();
    if ((link && Date.now() < Math.max(state.refuseUntil, state.refuseUser.get(user) ?? 0)) || ports.length === 0) {
      state.stats.refused++;
      routing.log('refused a connection');
      return void client.destroy();
    }
    if (link) state.stats.accepted++;
    const to = ports[state.turn++ % ports.length]!;
    const upstream = typeof to === 'number' ? net.connect(to, '127.0.0.1') : net.connect(to.port, to.host);
    upstream.write(bytes);
    pipePair({ client, upstream, link, blackholed: false, user }, state.pairs);
  });
}

/** The dev user a request names (`?user=`, default "dev"), as the dev node reads it. */
function userOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://x').searchParams.get('user') ?? 'dev';
  } catch {
    return 'dev';
  }
}

function proxyApi(server: net.Server, state: ProxyState): FaultProxy {
  const links = (user?: string): Pair[] => [...state.pairs].filter((p) => p.link && (user === undefined || p.user === user));
  return {
    port: (server.address() as net.AddressInfo).port,
    stats: state.stats,
    links: () => links().length,
    drop(user) {
      const victims = links(user);
      for (const pair of victims) cut(pair, state.pairs);
      return victims.length;
    },
    blackhole(ms, onOver, user) {
      const victims = links(user);
      for (const pair of victims) pair.blackholed = true;
      const t = setTimeout(() => {
        state.timers.delete(t);
        for (const pair of victims) cut(pair, state.pairs);
        onOver?.(victims.length);
      }, ms);
      t.unref();
      state.timers.add(t);
      return victims.length;
    },
    refuseUntil(until, user) {
      if (user === undefined) state.refuseUntil = until;
      else state.refuseUser.set(user, until);
    },
    close() {
      for (const t of state.timers) clearTimeout(t);
      for (const pair of [...state.pairs]) cut(pair, state.pairs);
      for (const socket of state.waiting) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function cut(pair: Pair, pairs: Set<Pair>): void {
  pair.blackholed = false;
  pairs.delete(pair);
  pair.client.destroy();
  pair.upstream.destroy();
}

/** Passes bytes both ways until either side closes; a blackholed pair passes nothing, FIN included. */
function pipePair(pair: Pair, pairs: Set<Pair>): void {
  const { client, upstream } = pair;
  pairs.add(pair);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  // Backpressure both ways: a side that does not read makes the other side's bytes wait in its
  // own sender, never in this process (a blackholed pair reads and drops, as a dead network does).
  client.on('data', (chunk) => pair.blackholed || upstream.write(chunk) || client.pause());
  upstream.on('data', (chunk) => pair.blackholed || client.write(chunk) || upstream.pause());
  upstream.on('drain', () => client.resume());
  client.on('drain', () => upstream.resume());
  const end = (): void => void (pair.blackholed || cut(pair, pairs));
  client.on('close', end);
  upstream.on('close', end);
  upstream.on('error', ignore);
}
