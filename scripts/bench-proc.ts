/**
 * The bench's processes: a server role pinned to core 0 (with Redis), the load generator pinned
 * to core 1 (`taskset` from util-linux; unpinned when it is missing), a request/reply channel
 * over Node's IPC, and the CPU a process or a Redis has used.
 */
import { spawn, spawnSync } from 'child_process';
import type { ChildProcess } from 'child_process';
import fs from 'fs';
import inspector from 'inspector';
import path from 'path';
import type Redis from 'ioredis';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;
/** Where a role writes its CPU profile (set by spawnRole for `--cpu-prof`). */
const PROFILE_ENV = 'WXSM_BENCH_PROFILE';

let tasksetChecked: string | null | undefined;
/** The `taskset` binary, or null (then everything runs unpinned; the bench says so). */
export function taskset(): string | null {
  if (tasksetChecked !== undefined) return tasksetChecked;
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  tasksetChecked = probe.status === 0 ? 'taskset' : null;
  return tasksetChecked;
}

/** Pins a running process (every thread) to `core`; false when it cannot. */
export function pin(pid: number, core: number): boolean {
  const bin = taskset();
  return bin !== null && spawnSync(bin, ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' }).status === 0;
}

interface Reply { re: number; value?: unknown; error?: string; ready?: true }

/** A child process running one role of the bench, driven by `call`. */
export class Role {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited: Error | undefined;
  /** Resolves when the child serves calls. */
  readonly ready: Promise<void>;

  constructor(readonly name: string, readonly proc: ChildProcess, readonly profile: string | undefined) {
    this.ready = new Promise((resolve, reject) => {
      proc.on('message', (m: Reply) => m.ready && resolve());
      proc.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready`)));
    });
    proc.on('message', (m: Reply) => {
      const w = this.waiting.get(m.re);
      this.waiting.delete(m.re);
      if (m.error !== undefined) w?.reject(new Error(`${name}: ${m.error}`));
      else w?.resolve(m.value);
    });
    proc.once('exit', (code, signal) => {
      this.exited = new Error(`${name} exited (${code ?? signal})`);
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    });
  }

  call<T = unknown>(cmd: string, arg: unknown = {}, timeoutMs = 120000): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: "${cmd}" took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.send({ id, cmd, arg });
    });
  }

  /** Asks the role to stop (so a profile is written), then kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.call('stop', {}, 10000).catch(() => undefined);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await gone;
    clearTimeout(timer);
  }
}

export interface SpawnOptions {
  core: number;
  /** Write a V8 CPU profile into this directory (`--cpu-prof`). */
  profileDir?: string;
}

/** Starts `script` (a compiled bench file) with `args`, pinned to `options.core`, and waits until it serves calls. */
export async function spawnRole(name: string, script: string, args: string[], options: SpawnOptions): Promise<Role> {
  const nodeArgs = ['--expose-gc', '--max-old-space-size=4096'];
  let profile: string | undefined;
  if (options.profileDir) {
    fs.mkdirSync(options.profileDir, { recursive: true });
    profile = path.join(options.profileDir, `${name.replace(/[^\w.-]+/g, '_')}-${Date.now()}.cpuprofile`);
  }
  const command = [process.execPath, ...nodeArgs, script, ...args];
  const bin = taskset();
  const full = bin ? [bin, '-c', String(options.core), ...command] : command;
  const env = profile ? { ...process.env, [PROFILE_ENV]: profile } : process.env;
  const proc = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const role = new Role(name, proc, profile);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
  await role.ready.finally(() => clearTimeout(timer));
  return role;
}

/**
 * Profiles this process from now until the returned stop, which writes the .cpuprofile to
 * `file` (module loading and server start stay out of it, unlike node --cpu-prof).
 */
function startProfile(file: string): () => Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string): Promise<unknown> => new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

type Handler = (arg: never) => unknown;
/** Child side: answers the parent's calls with `handlers[cmd](arg)`; `stop` runs `onStop`, writes the profile if asked, and exits. */
export function serve(handlers: Record<string, Handler>, onStop: () => Promise<void>): void {
  const reply = (m: Reply): void => void process.send?.(m);
  const profile = process.env[PROFILE_ENV];
  const stopProfile = profile ? startProfile(profile) : async (): Promise<void> => undefined;
  process.on('message', (m: { id: number; cmd: string; arg: never }) => {
    if (m.cmd === 'stop') {
      void stopProfile().then(onStop).finally(() => {
        reply({ re: m.id, value: true });
        setTimeout(() => process.exit(0), 50); // after the reply is flushed
      });
      return;
    }
    const fn = handlers[m.cmd];
    if (!fn) return reply({ re: m.id, error: `unknown command "${m.cmd}"` });
    Promise.resolve()
      .then(() => fn(m.arg))
      .then((value) => reply({ re: m.id, value }), (err: unknown) => reply({ re: m.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }));
  });
  process.on('disconnect', () => process.exit(0));
  reply({ re: -1, ready: true });
}

/** CPU seconds (user + system) this process has used. */
export function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Redis's pid (from INFO server), to pin it. */
export async function redisPid(r: Redis): Promise<number> {
  const info = (await r.info('server')) as string;
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}
