/**
 * `startDevServer()`: single mode. One dev node in this process (plain echo, reliable sessions
 * in a memory store, the H5 page), the fault proxy clients connect through, the control
 * routes (on the proxy's port and on a control port), ticks, and the faults.
 */
import type { ControlTarget } from './control';
import { devServerConfig } from './config';
import type { MetricJson } from './dashboard-data';
import { dashboardSource, devRegistry } from './dev-metrics';
import type { DevServerConfig } from './config';
import type { FaultProxy } from './fault-proxy';
import { runFaultText, SINGLE_FAULTS } from './faults';
import { startFront } from './front';
import type { Front } from './front';
import { Journal } from './journal';
import { urlHost } from './listen';
import { makeLog } from './log';
import type { Log } from './log';
import { startDevNode } from './node';
import type { DevNode } from './node';
import { serveSession } from './session-mode';
import { startSessions } from './sessions';
import type { DevSessions } from './sessions';
import { createPongSwitch, singleFaults } from './single-faults';
import type { PongSwitch, SingleFaults } from './single-faults';
import { startTicker } from './ticker';
import type { DevServer, DevServerOptions } from './types';

const MAX_RECEIVED = 100000;
const MAX_CLOSES = 10000;

/** Appends, keeping at most `max` of the newest (trimmed in batches: the array stays the same object). */
function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max * 1.1) list.splice(0, list.length - max);
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const config = devServerConfig(options);
  const log = makeLog(options.log);
  const received: string[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const pong = createPongSwitch();
  const record = (text: string): void => pushBounded(received, text, MAX_RECEIVED);
  const journal = new Journal();
  const { registry, missing } = devRegistry();
  let faults: SingleFaults | undefined;
  const textFault = config.textFaults ? (text: string): string => runFaultText(text, SINGLE_FAULTS, (name, args) => faults?.run(name, args)) : undefined;
  const sessions = await startSessions({
    node: 'dev',
    sessionTtl: config.sessionTtl,
    answerPing: pong.answer,
    metrics: registry,
    onSession(session) {
      // Never a session id, not even part of one: it is what a client resumes with.
      log(`session ${session.resumed ? 'resumed' : 'new'} (${sessions.list().length} held)`);
      serveSession(session, { textFault, record, publish: sessions.publish });
    },
  });
  const node = await startDevNode({ log, sessionsOnly: config.sessionsOnly, sessions: () => sessions, answerPing: pong.answer, textFault, record, onClientClose: (code, reason) => pushBounded(closes, { code, reason }, MAX_CLOSES) });
  let api: DevServer | undefined;
  const target: ControlTarget = {
    status: () => ({ mode: 'single', faults: SINGLE_FAULTS.map((f) => f.name), tickInterval: config.tickInterval, ...(api ? statusOf(api) : {}) }),
    fault: (name, args) => faults?.run(name, args) ?? { error: 'still starting' },
    dashboard: dashboardSource('single', async () => [{ name: 'dev', alive: true, metrics: (await registry?.getMetricsAsJSON()) as MetricJson[] | undefined }], journal, missing),
  };
  let front: Front;
  try {
    front = await startFront({ host: config.host, port: config.port, controlPort: config.controlPort, upstreams: () => [node.port], log, target });
  } catch (err) {
    // A port in use: what did start stops, so nothing is left listening.
    await Promise.all([node.close(), sessions.close()]);
    throw err;
  }
  const { proxy } = front;
  faults = singleFaults({ proxy, node, sessions: () => sessions, pong, log, journal, restartDowntime: config.restartDowntime });
  const stopTicks = startTicker(config.tickInterval, { plain: () => node.plainLinks(), sessions: () => sessions.list() });
  api = devServerApi({ config, proxy, node, sessions, pong, faults, received, closes }, `http://${urlHost(config.host)}:${front.controlPort}`, async () => {
    stopTicks();
    await sessions.close();
    await Promise.all([front.close(), node.close()]);
  });
  log(`listening on ${api.url} (control ${api.controlUrl})`);
  return api;
}

function statusOf(api: DevServer): Record<string, unknown> {
  return { url: api.url, connections: api.connections(), sessions: api.sessions().length, ...api.stats, received: api.received.length };
}

interface Parts {
  config: DevServerConfig;
  proxy: FaultProxy;
  node: DevNode;
  sessions: DevSessions;
  pong: PongSwitch;
  faults: SingleFaults;
  received: string[];
  closes: Array<{ code: number; reason: string }>;
}

function devServerApi(parts: Parts, controlUrl: string, close: () => Promise<void>): DevServer {
  const { proxy, pong, faults } = parts;
  return {
    url: `ws://${urlHost(parts.config.host)}:${proxy.port}`,
    controlUrl,
    port: proxy.port,
    received: parts.received,
    closes: parts.closes,
    stats: {
      get accepted() { return proxy.stats.accepted; },
      get refused() { return proxy.stats.refused; },
      get pings() { return pong.pings; },
      get pongsWithheld() { return pong.pongsWithheld; },
    },
    connections: () => parts.node.connections(),
    sessions: () => parts.sessions.list(),
    restart: (downtime, user) => faults.restart(downtime, user),
    crash: (downtime) => faults.crash(downtime),
    blackhole: (ms, user) => faults.blackhole(ms, user),
    refuse: (ms) => faults.refuse(ms),
    stopPong: (ms) => faults.stopPong(ms),
    closeAll: (code, reason) => faults.closeAll(code, reason),
    fault(name, args = {}) {
      const outcome = faults.run(name, args);
      return 'error' in outcome ? outcome.error : outcome.fault;
    },
    close,
  };
}
