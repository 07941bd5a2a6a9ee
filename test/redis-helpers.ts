/** A private redis-server per test file (scripts/redis-server.ts), started in beforeAll and stopped in afterAll. */
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { startRedis } from '../scripts/redis-server';
import type { RedisProcess, RedisStartOptions } from '../scripts/redis-server';

export type { RedisProcess };

/** Registers beforeAll/afterAll; the getter returns the running server. Clients from `connect()` are closed in afterEach. */
export function useRedis(options: RedisStartOptions = {}): { server(): RedisProcess; connect(extra?: RedisOptions): Redis } {
  let server: RedisProcess | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis(options);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const get = (): RedisProcess => {
    if (!server) throw new Error('redis-server not started (useRedis() must run at the top of a describe)');
    return server;
  };
  return {
    server: get,
    connect(extra = {}) {
      const c = new Redis(get().url, extra);
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
  };
}
