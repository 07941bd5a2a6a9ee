/**
 * `npm run dev-server -- --redis redis://127.0.0.1:6379 --nodes 3`: session nodes sharing
 * one Redis (redisStore), each a child process, behind the fault proxy (round robin over the
 * nodes alive). The control endpoint kills a node for real (SIGKILL) and restarts it.
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import http from 'http';
import net from 'net';
import path from 'path';
import { startFaultProxy } from './fault-proxy';

export interface DevClusterOptions {
  /** redis:// URL of a Redis ≥ 7 the nodes share. */
  redis: string;
  /** @default 3 */
  nodes?: number;
  /** Port clients connect to (the fault proxy). @default 8090 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default port + 1 (0 when port is 0) */
  controlPort?: number;
  /** @default console.log */
  log?: ((line: string) => void) | false;
  /** The node program (tests pass a bundle of redis-node.ts). @default redis-node.js next to this file */
  nodeEntry?: string;
}

export interface DevCluster {
  readonly url: string;
  readonly controlUrl: string;
  /** Node i (0-based): its port, and whether it runs. */
  nodes(): Array<{ name: string; port: number; alive: boolean }>;
  /** SIGKILLs node i; it starts again on the same port after `downtime` ms. */
  kill(i: number, downtime?: number): Promise<void>;
  close(): Promise<void>;
}

interface Member {
  name: string;
  port: number;
  child: ChildProcess | undefined;
}

export async function startDevCluster(options: DevClusterOptions): Promise<DevCluster> {
  const host = options.host ?? '127.0.0.1';
  const write = options.log === false ? undefined : options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => write?.(`[dev-server] ${new Date().toISOString().slice(11, 23)} ${line}`);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  const members: Member[] = Array.from({ length: options.nodes ?? 3 }, (_, i) => ({ name: `node-${i + 1}`, port: 0, child: undefined }));

  const start = (m: Member): Promise<void> => new Promise((resolve, reject) => {
    const child = fork(options.nodeEntry ?? path.join(__dirname, 'redis-node.js'), [], {
      env: { ...process.env, REDIS_URL: options.redis, NODE_NAME: m.name, PORT: String(m.port) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    m.child = child;
    child.once('message', (msg: { port: number }) => {
      m.port = msg.port;
      log(`${m.name} up on 127.0.0.1:${m.port}`);
      resolve();
    });
    child.once('exit', (code, signal) => {
      if (m.child === child) m.child = undefined;
      if (!closed) log(`${m.name} exited (${signal ?? code})`);
      reject(new Error(`${m.name} exited before it was ready`));
    });
  });
  for (const m of members) await start(m);

  const proxy = await startFaultProxy(host, options.port ?? 8090, () => members.filter((m) => m.child).map((m) => m.port), log);
  const api: DevCluster = {
    url: `ws://${host}:${proxy.port}`,
    controlUrl: '',
    nodes: () => members.map((m) => ({ name: m.name, port: m.port, alive: m.child !== undefined })),
    async kill(i, downtime = 1000) {
      const m = members[i];
      const child = m?.child;
      if (!m || !child) return;
      log(`FAULT kill: SIGKILL ${m.name}, back in ${downtime} ms`);
      m.child = undefined;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          timers.delete(t);
          r();
        }, downtime);
        timers.add(t);
      });
      if (!closed) await start(m).catch(() => undefined);
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const m of members) m.child?.kill('SIGTERM');
      await Promise.all([proxy.close(), new Promise((r) => control.close(r))]);
    },
  };

  const control = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const num = (k: string, d: number): number => (u.searchParams.has(k) ? Number(u.searchParams.get(k)) : d);
    res.setHeader('content-type', 'application/json');
    const m = /^\/fault\/(\w+)$/.exec(u.pathname);
    if (u.pathname === '/status') return res.end(JSON.stringify({ url: api.url, nodes: api.nodes(), links: proxy.links(), ...proxy.stats }));
    if (m?.[1] === 'kill') {
      const i = num('node', 1) - 1;
      if (!members[i]?.child) return res.writeHead(400).end(JSON.stringify({ error: `node must be 1..${members.length} and running` }));
      void api.kill(i, num('ms', 1000));
      return res.end(JSON.stringify({ fault: 'kill', node: members[i]!.name }));
    }
    if (m?.[1] === 'drop') return res.end(JSON.stringify({ fault: 'drop', links: proxy.drop() }));
    if (m?.[1] === 'blackhole') return res.end(JSON.stringify({ fault: 'blackhole', links: proxy.blackhole(num('ms', 10000)) }));
    res.writeHead(404).end(JSON.stringify({ error: 'try /status or /fault/<kill?node=1&ms=1000|drop|blackhole?ms=10000>' }));
  });
  const controlPort = options.controlPort ?? (options.port === 0 ? 0 : proxy.port + 1);
  await new Promise<void>((resolve) => control.listen(controlPort, host, resolve));
  (api as { controlUrl: string }).controlUrl = `http://${host}:${(control.address() as net.AddressInfo).port}`;
  log(`listening on ${api.url} (control ${api.controlUrl}), ${members.length} nodes on ${options.redis.replace(/\/\/[^@/]*@/, '//…@')}`);
  return api;
}
