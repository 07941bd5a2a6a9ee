/**
 * One measured run of the peer bench, in fresh processes: a private Redis when the kind needs
 * one (pinned to core 0), `hosts` server processes (core 0), one load generator (core 1); then
 * everything is stopped. `marks` reads the CPU and Redis counters a row's deltas come from.
 */
import path from 'path';
import Redis from 'ioredis';
import type { BenchIo } from './bench-common';
import { monoMs } from './bench-common';
import { LOAD_CORE, SERVER_CORE, pin, redisPid, spawnRole, taskset } from './bench-proc';
import type { Role } from './bench-proc';
import { profileNote } from './bench-profile';
import { commandCalls, redisCpu } from './bench-redis';
import { startRedis } from './redis-server';
import type { RedisProcess } from './redis-server';
import type { HostSpec, Kind } from './bench-peer-types';

const root = path.resolve(__dirname, '../..');
export const PROFILE_DIR = path.join(root, '.build/bench-profiles');

export interface Run {
  kind: Kind;
  hosts: Role[];
  ports: number[];
  load: Role;
  /** Whether the hosts have rooms (`HostServer.rooms`). */
  rooms: boolean;
  /** An admin client of the run's Redis, when it has one. */
  admin?: Redis;
}

export interface RunOptions {
  kind: Kind;
  /** Server processes sharing one Redis (ours: redisStore; socket.io: the redis adapter). @default 1 */
  hosts?: number;
  variant?: string;
  /** What the run measures, for the profile's name. */
  label: string;
}

export interface Marks {
  t: number;
  /** CPU seconds of every host, summed. */
  cpu: number;
  redisCpu: number;
  /** Redis commands executed so far (INFO and CONFIG excluded). */
  commands: number;
}

export async function marks(run: Run): Promise<Marks> {
  const cpus = await Promise.all(run.hosts.map((h) => h.call<number>('cpu')));
  let redis = 0;
  let commands = 0;
  if (run.admin) {
    redis = await redisCpu(run.admin);
    for (const [name, n] of await commandCalls(run.admin)) if (!/^(info|config)/.test(name)) commands += n;
  }
  return { t: monoMs(), cpu: cpus.reduce((a, b) => a + b, 0), redisCpu: redis, commands };
}

/** Starts a run, hands it to `fn`, stops everything; a failure becomes undefined and a note. */
export async function withRun<T>(io: BenchIo, options: RunOptions, fn: (run: Run) => Promise<T>): Promise<T | undefined> {
  const { kind } = options;
  const clustered = (options.hosts ?? 1) > 1;
  let redis: RedisProcess | undefined;
  let admin: Redis | undefined;
  const hosts: Role[] = [];
  let load: Role | undefined;
  const profileDir = io.cpuProf ? PROFILE_DIR : undefined;
  try {
    if (kind === 'redis' || clustered) {
      redis = await startRedis();
      admin = new Redis(redis.url);
      pin(await redisPid(admin), SERVER_CORE);
    }
    for (let i = 0; i < (options.hosts ?? 1); i++) {
      const spec: HostSpec = { kind, redisUrl: redis?.url, node: `n${i}`, variant: options.variant };
      hosts.push(await spawnRole(`${options.label}-${kind}-host${i}`, path.join(__dirname, 'bench-host.js'), [JSON.stringify(spec)], { core: SERVER_CORE, profileDir }));
    }
    const hello = await Promise.all(hosts.map((h) => h.call<{ port: number; rooms: boolean }>('hello')));
    load = await spawnRole(`${options.label}-${kind}-load`, path.join(__dirname, 'bench-load.js'), [], { core: LOAD_CORE });
    return await fn({ kind, hosts, ports: hello.map((h) => h.port), load, rooms: hello.every((h) => h.rooms), admin });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    io.notes?.push(`- ${options.label}, ${kind}: failed — ${why}`);
    console.error(`  ✘ ${options.label}, ${kind}: ${why}`);
    return undefined;
  } finally {
    await load?.stop();
    for (const h of hosts) await h.stop();
    admin?.disconnect();
    await redis?.stop();
    if (profileDir) for (const h of hosts) io.notes?.push(profileNote(h.name, h.profile));
  }
}

/** The pinning the runs use, for the report. */
export function pinningNote(): string {
  return taskset()
    ? `server processes and Redis pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE} (taskset)`
    : 'unpinned: taskset (util-linux) was not found, server and load generator share the cores';
}
