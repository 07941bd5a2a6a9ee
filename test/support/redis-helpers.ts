/** A private redis-server per test file (scripts/redis-server.ts), started in beforeAll and stopped in afterAll. */
import fs from 'fs';
import os from 'os';
import path from 'path';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { startRedis } from '../../scripts/redis-server';
import type { RedisProcess, RedisStartOptions } from '../../scripts/redis-server';
import { fromRoot } from './paths';

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

/**
 * Bundles a TypeScript entry (a server node) into one file a child process can run with plain
 * node; bare imports (ws, ioredis) resolve from the project's node_modules. Removed after the file's tests.
 */
export function bundleForChild(entry: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-node-'));
  const out = path.join(dir, path.basename(entry).replace(/\.ts$/, '.js'));
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node18', packages: 'external', outfile: out, logLevel: 'silent' });
  fs.symlinkSync(fromRoot('node_modules'), path.join(dir, 'node_modules'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return out;
}
