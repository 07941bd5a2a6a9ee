/**
 * A private `redis-server` for tests and the benchmark: a free 127.0.0.1 port, a temp dir,
 * no persistence unless asked (then AOF with `appendfsync always`, or `everysec`), stopped by its owner.
 * The Debian package `redis-server` provides the binary (`.ci/run` installs it).
 */
import { spawn, spawnSync } from 'child_process';
import type { ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';

export interface RedisProcess {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The temp dir holding the AOF files. */
  readonly dir: string;
  /** Stops the server (SIGKILL when `crash`, else a clean shutdown) and starts it again on the same port and dir. */
  restart(options?: { crash?: boolean; downtime?: number }): Promise<void>;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

export interface RedisStartOptions {
  /** Append-only file with `appendfsync always`: an acknowledged write survives a SIGKILL. @default false */
  aof?: boolean;
  /** With `aof`: `everysec` fsyncs once a second instead (what a crash of the machine can lose). @default 'always' */
  fsync?: 'always' | 'everysec';
  /** More `redis-server` arguments, e.g. `['--maxmemory', '5mb', '--maxmemory-policy', 'noeviction']`. */
  args?: string[];
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function redisServerPath(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const bin = path.join(dir, 'redis-server');
    if (dir && fs.existsSync(bin)) return bin;
  }
  throw new Error('[wx-socket-manager] redis-server not found on PATH: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)');
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns redis-server and resolves once it logs that it accepts connections (bounded: 10 s). */
function spawnRedis(bin: string, port: number, dir: string, aof: boolean, extra: string[] = [], fsync = 'always'): Promise<ChildProcess> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
    '--save', '', '--appendonly', aof ? 'yes' : 'no', '--appendfsync', fsync,
    '--daemonize', 'no', '--logfile', '', '--loglevel', 'notice', ...extra,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`[wx-socket-manager] redis-server on 127.0.0.1:${port} did not start: ${why}\n${log.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('no "Ready to accept connections" within 10 s'), 10000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null): void => fail(`exited with ${code}`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    child.once('exit', onExit);
  });
}

/** Starts a private redis-server; retries on another port if the chosen one was taken meanwhile. */
export async function startRedis(options: RedisStartOptions = {}): Promise<RedisProcess> {
  const bin = redisServerPath();
  const aof = options.aof ?? false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await spawnRedis(bin, port, dir, aof, options.args, options.fsync);
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
  let current: ChildProcess = child;
  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    current.kill(signal);
    await exited(current);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async restart({ crash = false, downtime = 0 } = {}) {
      await stopChild(crash ? 'SIGKILL' : 'SIGTERM');
      if (downtime > 0) await new Promise((r) => setTimeout(r, downtime));
      current = await spawnRedis(bin, port, dir, aof, options.args, options.fsync);
    },
    async stop() {
      await stopChild('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterProcess {
  /** The masters, for `new Redis.Cluster(nodes)`. */
  readonly nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** A private Redis Cluster of `masters` masters (no replicas), each with its bus on its own free port. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  const bin = redisServerPath();
  const cli = path.join(path.dirname(bin), 'redis-cli');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-redis-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: Array<{ host: string; port: number }> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((c) => (c.kill('SIGKILL'), exited(c))));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      const own = path.join(dir, String(i));
      fs.mkdirSync(own);
      children.push(await spawnRedis(bin, port, own, false, ['--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', 'nodes.conf']));
      nodes.push({ host: '127.0.0.1', port });
    }
    const created = spawnSync(cli, ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 20000 });
    if (created.status !== 0) throw new Error(`[wx-socket-manager] redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (let waited = 0; ; waited += 100) {
      const info = spawnSync(cli, ['-p', String(nodes[0]!.port), 'cluster', 'info'], { encoding: 'utf8', timeout: 5000 });
      if (info.stdout?.includes('cluster_state:ok')) break;
      if (waited > 10000) throw new Error('[wx-socket-manager] Redis Cluster did not reach cluster_state:ok within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, stop };
}
