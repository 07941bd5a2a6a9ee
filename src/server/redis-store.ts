/**
 * `redisStore({ client })`: sessions in Redis ≥ 7, shared by any number of server nodes.
 * Each session is a state hash and a Stream of unacked server messages under one hash tag;
 * every read-modify-write is one Lua script (redis-scripts.ts). A node learns of new
 * messages, acks and takeovers through a doorbell channel of its own.
 */
import { newSessionId } from './memory-store';
import { SCRIPTS, runScript } from './redis-scripts';
import type { RedisCaller, Script } from './redis-scripts';
import type { Appended, Claim, SessionState, SessionStore, StoreEvent, StoredMessage } from './store';

/** What the store uses of an ioredis subscriber connection (`client.duplicate()`). */
export interface RedisSubscriber {
  on(event: 'message', fn: (channel: string, message: string) => void): unknown;
  on(event: 'ready', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  disconnect(): void;
}

/** What the store uses of an ioredis `Redis` (or `Cluster`) client. */
export interface RedisClient extends RedisCaller {
  duplicate(): RedisSubscriber;
  quit(): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** An ioredis client (`new Redis(url)` or `new Cluster(nodes)`), or a redis:// URL for the store to connect (and close) itself. */
  client: RedisClient | string;
  /** Prefix of every key and channel; no braces (the `{sid}` hash tag follows it). @default 'wxs:' */
  prefix?: string;
  /** The most messages one session's Stream may hold, whatever `maxBuffered` the server asks: a guard for a shared Redis. @default Infinity */
  maxLen?: number;
  /**
   * How often a node renews the sessions it holds (one script call each), in ms; a crashed
   * node's sessions expire ttl + up to 2 × this after its crash. @default 30000
   */
  leaseInterval?: number;
  /** How often sends waiting for an ack check that their session still exists (else `lost` expired), in ms. @default 1000 */
  sweepInterval?: number;
}

/** Ids the server issues (base64url); anything else is unknown without asking Redis. */
const SID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PAGE = 10000;

export function redisStore(options: RedisStoreOptions): SessionStore {
  const prefix = options.prefix ?? 'wxs:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw new Error('[wx-socket-manager] redisStore: option "prefix" must be a string without braces');
  const maxLen = options.maxLen ?? Infinity;
  if (!(maxLen >= 1)) throw new Error('[wx-socket-manager] redisStore: option "maxLen" must be ≥ 1');
  const leaseInterval = positive('leaseInterval', options.leaseInterval ?? 30000);
  const sweepInterval = positive('sweepInterval', options.sweepInterval ?? 1000);
  const owned = typeof options.client === 'string';
  const client = typeof options.client === 'string' ? connect(options.client) : options.client;
  if (!client || typeof client.call !== 'function' || typeof client.duplicate !== 'function') {
    throw new Error('[wx-socket-manager] redisStore: option "client" must be an ioredis client or a redis:// URL');
  }
  const channel = `${prefix}node:`;
  const keys = (id: string): string[] => {
    const tag = `${prefix}{${id}}:`;
    return [`${tag}st`, `${tag}dn`, `${tag}tb`, `${tag}ix`];
  };
  const run = (s: Script, id: string, args: Array<string | number>): Promise<unknown> => runScript(client, s, keys(id), args);

  /** Sessions this node holds: renewed every leaseInterval while their fence is ours. */
  const held = new Map<string, { fence: number; ttl: number }>();
  /** Sessions this node appended to, with the highest seq still waiting for the client's ack. */
  const waiting = new Map<string, number>();
  const listeners = new Map<string, Set<(e: StoreEvent) => void>>();
  const leaseMs = (ttl: number): number => ttl + 2 * leaseInterval;
  const hold = (id: string, fence: number, ttl: number): void => void held.set(id, { fence, ttl });

  let sub: RedisSubscriber | undefined;
  let closed = false;
  /** The node name appended messages carry, so acks find their way back here: the first subscribed node. */
  const self = (): string => listeners.keys().next().value ?? '';

  const deliver = (node: string | undefined, e: StoreEvent): void => {
    if (e.type === 'acked') {
      const top = waiting.get(e.id);
      if (top !== undefined && e.a >= top) waiting.delete(e.id);
    } else if (e.type === 'lost') {
      waiting.delete(e.id);
    } else if (e.type === 'taken') {
      const mine = held.get(e.id);
      if (mine && mine.fence < e.fence) held.delete(e.id);
    }
    // Acks and losses settle sends made through this store, whichever node name heard them.
    const targets = node === undefined || e.type === 'acked' || e.type === 'lost' ? [...listeners.values()] : [listeners.get(node) ?? new Set()];
    for (const set of targets) for (const fn of [...set]) fn(e);
  };

  const onMessage = (ch: string, text: string): void => {
    if (!ch.startsWith(channel)) return;
    const node = ch.slice(channel.length);
    const [kind, id = '', x = '', ...rest] = text.split('|');
    const n = Number(x);
    if (kind === 'a') deliver(node, { type: 'appended', id, s: n });
    else if (kind === 'k') deliver(node, { type: 'acked', id, a: n });
    else if (kind === 't') deliver(node, { type: 'taken', id, fence: n, node: rest.join('|') });
    else if (kind === 'l' && (x === 'overflow' || x === 'expired')) deliver(node, { type: 'lost', id, reason: x });
  };

  /**
   * Doorbells published while the subscriber was away are gone: after it is back, ring them
   * again from the state of every session this node holds or waits on.
   */
  const recover = async (): Promise<void> => {
    if (!sub || closed) return;
    await sub.subscribe(...[...listeners.keys()].map((n) => channel + n));
    const ids = new Set([...held.keys(), ...waiting.keys()]);
    await Promise.all([...ids].map(async (id) => {
      const [f, sq, ak, owner] = (await client.call('HMGET', keys(id)[0]!, 'f', 'sq', 'ak', 'n')) as Array<string | null>;
      if (f === null || f === undefined) {
        if (waiting.has(id)) deliver(undefined, { type: 'lost', id, reason: (await gone(id)) ?? 'expired' });
        return;
      }
      const mine = held.get(id);
      if (mine && Number(f) > mine.fence) deliver(self(), { type: 'taken', id, fence: Number(f), node: owner ?? '' });
      else if (mine && Number(sq) > Number(ak)) deliver(self(), { type: 'appended', id, s: Number(sq) });
      if (waiting.has(id)) deliver(undefined, { type: 'acked', id, a: Number(ak) });
    }));
  };

  const timers = [
    setInterval(() => void renew(), leaseInterval),
    setInterval(() => void sweep(), sweepInterval),
  ];
  for (const t of timers) t.unref();
  const renew = async (): Promise<void> => {
    await Promise.all([...held].map(async ([id, { fence, ttl }]) => {
      const ok = await run(SCRIPTS.keep, id, [fence, leaseMs(ttl), leaseMs(ttl) + ttl, '0']).catch(() => 1);
      if (ok === 0 && held.get(id)?.fence === fence) held.delete(id);
    }));
  };
  /** Why a session's state is gone: 'overflow' (its claim dropped it and told the senders), else expired. */
  const gone = async (id: string): Promise<'overflow' | undefined> => ((await client.call('GET', keys(id)[2]!)) === '' ? 'overflow' : undefined);
  const sweep = async (): Promise<void> => {
    await Promise.all([...waiting.keys()].map(async (id) => {
      if ((await client.call('EXISTS', keys(id)[0]!).catch(() => 1)) !== 0 || (await gone(id).catch(() => 'overflow'))) return;
      if (waiting.has(id)) deliver(undefined, { type: 'lost', id, reason: 'expired' });
    }));
  };

  return {
    async create(user, node, ttl) {
      const id = newSessionId();
      await run(SCRIPTS.create, id, [user, node, leaseMs(ttl), leaseMs(ttl) + ttl]);
      hold(id, 1, ttl);
      return { id, user, rx: 0, seq: 0, acked: 0, fence: 1, node };
    },

    async claim(id, user, node, ttl): Promise<Claim> {
      if (!SID.test(id)) return { ok: false, reason: 'unknown' };
      const r = (await run(SCRIPTS.claim, id, [user, node, leaseMs(ttl), leaseMs(ttl) + ttl, channel, id])) as [number, ...Array<number | string>];
      if (r[0] !== 1) return { ok: false, reason: r[1] as 'unknown' | 'expired' | 'forbidden' | 'overflow' };
      const [, rx, seq, acked, fence] = r as number[];
      const session: SessionState = { id, user, rx: rx!, seq: seq!, acked: acked!, fence: fence!, node };
      hold(id, session.fence, ttl);
      return { ok: true, session };
    },

    async append(id, m, maxBuffered): Promise<Appended> {
      if (!SID.test(id)) return { ok: false, reason: 'unknown' };
      const node = self();
      const r = (await run(SCRIPTS.append, id, [m.id, m.d, m.b ? '1' : '0', Math.min(maxBuffered, maxLen), node, channel, id])) as [number, number | string];
      if (r[0] !== 1) return { ok: false, reason: r[1] as 'overflow' | 'unknown' };
      const s = r[1] as number;
      if (node) waiting.set(id, Math.max(s, waiting.get(id) ?? 0));
      return { ok: true, s };
    },

    async ack(id, fence, a) {
      return SID.test(id) && (await run(SCRIPTS.ack, id, [fence, a, channel, id])) === 1;
    },

    async received(id, fence, s) {
      return SID.test(id) && (await run(SCRIPTS.received, id, [fence, s])) === 1;
    },

    async replay(id, after, limit): Promise<StoredMessage[]> {
      if (!SID.test(id)) return [];
      const count = Math.max(0, Math.min(Math.floor(limit), MAX_PAGE));
      if (count === 0) return [];
      const entries = (await client.call('XRANGE', keys(id)[1]!, `(0-${after}`, '+', 'COUNT', count)) as Array<[string, string[]]>;
      return entries.map(([entryId, f]) => {
        const s = Number(entryId.slice(2));
        // Fields in the order APPEND writes them: i, n, d[, b].
        return f[7] === '1' ? { s, id: f[1]!, d: f[5]!, b: 1 } : { s, id: f[1]!, d: f[5]! };
      });
    },

    async release(id, fence, ttl) {
      if (!SID.test(id)) return;
      if (held.get(id)?.fence === fence) held.delete(id);
      await run(SCRIPTS.keep, id, [fence, ttl, 2 * ttl, '1']);
    },

    async subscribe(node, listener) {
      if (closed) throw new Error('[wx-socket-manager] redisStore: subscribe() after close()');
      if (!sub) {
        const s = client.duplicate();
        sub = s;
        let ready = false;
        s.on('message', onMessage);
        s.on('error', () => undefined);
        s.on('ready', () => {
          if (ready) void recover().catch(() => undefined);
          ready = true;
        });
      }
      let set = listeners.get(node);
      if (!set) {
        set = new Set();
        listeners.set(node, set);
        await sub.subscribe(channel + node);
      }
      set.add(listener);
      return async () => {
        const current = listeners.get(node);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(node);
        if (!sub || closed) return;
        if (listeners.size > 0) return void (await sub.unsubscribe(channel + node));
        // Nobody listens any more (the server closed): no connection is left open.
        sub.disconnect();
        sub = undefined;
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      listeners.clear();
      held.clear();
      waiting.clear();
      sub?.disconnect();
      if (owned) await client.quit().catch(() => undefined);
    },
  };
}

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new Error(`[wx-socket-manager] redisStore: option "${name}" must be a number > 0`);
  return value;
}

function connect(url: string): RedisClient {
  let Redis: new (url: string) => RedisClient & { on(event: 'error', fn: (err: Error) => void): unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Redis = require('ioredis');
  } catch {
    throw new Error('[wx-socket-manager] redisStore needs the "ioredis" package: npm install ioredis');
  }
  const client = new Redis(url);
  // Connection errors are retried by ioredis and surface as rejected commands; don't print each one.
  client.on('error', () => undefined);
  return client;
}
