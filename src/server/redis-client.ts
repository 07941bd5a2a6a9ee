/** What `redisStore` uses of an ioredis client, how it connects from a URL, and the eviction check. */
import { PREFIX } from '../errors';
import type { RedisCaller } from './redis-scripts';

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
  /** ioredis `Cluster`: its masters, each checked for its eviction policy. */
  nodes?(role: 'master'): RedisCaller[];
}

export function connect(url: string): RedisClient {
  let Redis: new (url: string) => RedisClient & { on(event: 'error', fn: (err: Error) => void): unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Redis = require('ioredis');
  } catch {
    throw new Error(`${PREFIX} redisStore needs the "ioredis" package: npm install ioredis`);
  }
  const client = new Redis(url);
  // Connection errors are retried by ioredis and surface as rejected commands; don't print each one.
  client.on('error', () => undefined);
  return client;
}

/**
 * Redis's `maxmemory-policy` as an error when it is anything but `noeviction`: an evicting Redis
 * drops sessions' keys silently. Undefined when it is `noeviction` or cannot be read (`INFO`
 * refused); checked on every master of a Cluster.
 */
export async function evictionRisk(client: RedisClient): Promise<Error | undefined> {
  const servers = typeof client.nodes === 'function' ? client.nodes('master') : [client];
  const policies = await Promise.all(servers.map(async (server) => {
    const info = await server.call('INFO', 'memory').catch(() => '');
    return /maxmemory_policy:(\S+)/.exec(String(info))?.[1];
  }));
  const risky = policies.find((p) => p !== undefined && p !== 'noeviction');
  if (risky === undefined) return undefined;
  return new Error(`${PREFIX} redisStore: Redis maxmemory-policy is "${risky}": under memory pressure Redis evicts sessions' keys and clients lose their sessions; set it to "noeviction" (docs/production.md)`);
}
