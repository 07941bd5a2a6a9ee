/**
 * `npm run dev-server -- --redis redis://127.0.0.1:6379 --nodes 3`: dev nodes sharing one
 * Redis (redisStore), each a child process, behind the fault proxy (round robin over the nodes
 * alive). Every node serves what single mode serves — the H5 page, plain echo, reliable
 * sessions — so a node killed for real (SIGKILL) shows under any demo.
 */
import path from 'path';
import { typeError } from '../errors';
import { scrapeMember, startMember, killMember } from './cluster-members';
import type { Member, MemberSetup } from './cluster-members';
import type { ControlTarget } from './control';
import { dashboardSource, devRegistry } from './dev-metrics';
import type { FaultProxy } from './fault-proxy';
import { CLUSTER_FAULTS, faultProblem, runFaultText } from './faults';
import type { FaultArgs, FaultOutcome } from './faults';
import { startFront } from './front';
import type { Front } from './front';
import { H5_ROOT } from './h5';
import { Journal } from './journal';
import { urlHost } from './listen';
import { makeLog, redactUrl } from './log';
import type { Log } from './log';

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
  /** ms a session without a link is kept. @default 120000 */
  sessionTtl?: number;
  /** Obey "fault:<name> [args]" texts sent over a socket (as in single mode). @default false */
  textFaults?: boolean;
  /** Serve reliable sessions only (as in single mode). @default false */
  sessionsOnly?: boolean;
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
  /** Runs a fault of CLUSTER_FAULTS by name, as the control routes do. */
  fault(name: string, args?: FaultArgs): FaultOutcome;
  /** Stops the proxy and every node; resolves once each node's process is gone. */
  close(): Promise<void>;
}

function checkOptions(options: DevClusterOptions): void {
  if (typeof options?.redis !== 'string' || !/^rediss?:\/\//.test(options.redis)) throw typeError('startDevCluster: option "redis" must be a redis:// URL');
  const n = options.nodes;
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 16)) throw typeError('startDevCluster: option "nodes" must be a whole number from 1 to 16');
  const ttl = options.sessionTtl;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) throw typeError('startDevCluster: option "sessionTtl" must be a whole number of ms ≥ 1');
  for (const name of ['textFaults', 'sessionsOnly'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw typeError(`startDevCluster: option "${name}" must be a boolean`);
  }
}

/** Starts every member in turn; if one cannot start, stops those already running. */
async function startAll(members: Member[], setup: MemberSetup): Promise<void> {
  try {
    for (const m of members) await startMember(m, setup);
  } catch (err) {
    for (const m of members) m.child?.kill('SIGKILL');
    throw err;
  }
}

export async function startDevCluster(options: DevClusterOptions): Promise<DevCluster> {
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const log = makeLog(options.log);
  const members: Member[] = Array.from({ length: options.nodes ?? 3 }, (_, i) => ({ name: `node-${i + 1}`, port: 0, child: undefined }));
  const state = { closed: false, timers: new Set<ReturnType<typeof setTimeout>>() };
  let api: DevCluster | undefined;
  const journal = new Journal();
  const setup: MemberSetup = {
    entry: options.nodeEntry ?? path.join(__dirname, 'redis-node.js'),
    env: { REDIS_URL: options.redis, WXSM_H5_ROOT: H5_ROOT, WXSM_TEXT_FAULTS: options.textFaults ? '1' : '', WXSM_SESSIONS_ONLY: options.sessionsOnly ? '1' : '', SESSION_TTL: String(options.sessionTtl ?? 120000) },
    log,
    journal,
    closing: () => state.closed,
    faultText: (text) => runFaultText(text, CLUSTER_FAULTS, (name, args) => api?.fault(name, args)),
  };
  await startAll(members, setup);
  const target: ControlTarget = {
    status: () => ({ mode: 'cluster', faults: CLUSTER_FAULTS.map((f) => f.name), tickInterval: 0, url: api?.url, nodes: api?.nodes(), links: api ? front.proxy.links() : 0, ...(api ? front.proxy.stats : {}) }),
    fault: (name, args) => api?.fault(name, args) ?? { error: 'still starting' },
    dashboard: dashboardSource('cluster', () => Promise.all(members.map(async (m) => ({ name: m.name, alive: m.child !== undefined, metrics: await scrapeMember(m) }))), journal, devRegistry().missing),
  };
  let front: Front;
  try {
    front = await startFront({ host, port: options.port ?? 8090, controlPort: options.controlPort, upstreams: () => members.filter((m) => m.child).map((m) => m.port), log, target });
  } catch (err) {
    for (const m of members) m.child?.kill('SIGKILL');
    throw err;
  }
  const { proxy } = front;
  api = clusterApi({ members, proxy, setup, log, state }, `ws://${urlHost(host)}:${proxy.port}`, `http://${urlHost(host)}:${front.controlPort}`, async () => {
    state.closed = true;
    for (const t of state.timers) clearTimeout(t);
    // Each node stops within 2 s of SIGTERM (redis-node.ts): close() resolves once all are gone.
    const gone = members.map((m) => m.child && new Promise((resolve) => m.child!.once('exit', resolve)));
    for (const m of members) m.child?.kill('SIGTERM');
    await Promise.all([front.close(), ...gone]);
  });
  log(`listening on ${api.url} (control ${api.controlUrl}), ${members.length} nodes on ${redactUrl(options.redis)}`);
  return api;
}

interface ClusterParts {
  members: Member[];
  proxy: FaultProxy;
  setup: MemberSetup;
  log: Log;
  state: { closed: boolean; timers: Set<ReturnType<typeof setTimeout>> };
}

function clusterApi(parts: ClusterParts, url: string, controlUrl: string, close: () => Promise<void>): DevCluster {
  const { members, state } = parts;
  const api: DevCluster = {
    url,
    controlUrl,
    nodes: () => members.map((m) => ({ name: m.name, port: m.port, alive: m.child !== undefined })),
    async kill(i, downtime = 1000) {
      const m = members[i];
      if (!m?.child) return;
      announce(parts, 'kill', `SIGKILL ${m.name}, back in ${downtime} ms`, `kill ${m.name}`);
      await killMember(m);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => resolve(void state.timers.delete(t)), downtime);
        state.timers.add(t);
      });
      if (!state.closed) await startMember(m, parts.setup).catch(() => undefined);
    },
    fault: (name, args = {}) => runClusterFault(api, parts, name, args),
    close,
  };
  return api;
}

/** The log line, and the fault on the dashboard. */
function announce(parts: ClusterParts, fault: string, line: string, marker = fault): void {
  parts.log(`FAULT ${fault}: ${line}`);
  parts.setup.journal.add('fault', marker);
}

function runClusterFault(api: DevCluster, parts: ClusterParts, name: string, args: FaultArgs): FaultOutcome {
  const problem = faultProblem(name, args, CLUSTER_FAULTS);
  if (problem) return { error: problem };
  const { proxy } = parts;
  switch (name) {
    case 'kill': {
      const nodes = api.nodes();
      const i = (args.node ?? 1) - 1;
      if (!nodes[i]?.alive) return { error: `node must be 1..${nodes.length} and running` };
      void api.kill(i, args.ms ?? 1000);
      return { fault: 'kill', node: nodes[i]!.name };
    }
    case 'drop': {
      const links = proxy.drop(args.user);
      announce(parts, 'drop', `cut ${links} link(s)${args.user === undefined ? '' : ` of user ${args.user}`}`);
      return { fault: 'drop', links };
    }
    case 'blackhole': {
      const links = proxy.blackhole(args.ms ?? 10000, undefined, args.user);
      announce(parts, 'blackhole', `${links} link(s)${args.user === undefined ? '' : ` of user ${args.user}`} go silent for ${args.ms ?? 10000} ms`);
      return { fault: 'blackhole', links };
    }
    default:
      announce(parts, 'refuse', `new connections refused for ${args.ms ?? 5000} ms`);
      proxy.refuseUntil(Date.now() + (args.ms ?? 5000));
      return { fault: 'refuse' };
  }
}
