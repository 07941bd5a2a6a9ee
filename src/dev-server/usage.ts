/** What the CLI prints: the usage, the full help (every flag and fault) and a banner true to the flags given. Pure. */
import { FLAGS } from './cli-args';
import type { FlagSpec } from './cli-args';
import { CLUSTER_FAULTS, SINGLE_FAULTS } from './faults';
import type { FaultSpec } from './faults';
import { isLoopbackHost } from './guard';

export const USAGE = [
  'usage: wx-socket-dev-server [--port 8090] [--host 127.0.0.1] [--control-port N] [--tick 3000] [--restart-downtime 1000] [--session-ttl 120000] [--text-faults] [--sessions-only]',
  '       wx-socket-dev-server --redis redis://127.0.0.1:6379 [--nodes 3] [--port 8090] [--host 127.0.0.1] [--control-port N] [--session-ttl 120000] [--text-faults] [--sessions-only]',
  '       wx-socket-dev-server --help',
].join('\n');

const flagLine = (f: FlagSpec): string => {
  const left = `  --${f.name}${f.value ? ` ${f.value}` : ''}`;
  const where = f.mode === 'both' ? '' : ` [${f.mode} mode]`;
  return `${left.padEnd(26)}${f.what}${f.default ? ` (default ${f.default})` : ''}${where}`;
};

const faultLine = (f: FaultSpec): string => `  ${`${f.name}${f.args.map((a) => ` [${a}]`).join('')}`.padEnd(26)}${f.what}`;

export function helpText(): string {
  return [
    'wx-socket-dev-server: a local WebSocket server that injects the faults a phone meets, for trying',
    'wx-socket-manager. "ping" → "pong", every other frame echoed; a client whose first frame is a session',
    '"hello" gets a reliable session instead (PROTOCOL.md; each dev client is the user named by ?user=, default "dev").',
    'It has no authentication: keep it on 127.0.0.1 and never expose it to a network or the internet.',
    '',
    USAGE,
    '',
    'Flags:',
    ...FLAGS.map(flagLine),
    '',
    'Control routes (POST only, addressed to 127.0.0.1/localhost/[::1], same origin or no Origin):',
    '  POST /status               what the server holds, as JSON',
    '  POST /fault/<name>?ms=&code=&reason=&node=   run a fault, e.g. curl -X POST "http://127.0.0.1:8091/fault/blackhole?ms=10000"',
    'With --text-faults the text "fault:<name> [args]" sent over a socket runs it too (e.g. "fault:close 4001 bye"), answered "fault-ok:<name>".',
    '',
    'Read routes (GET only, addressed to 127.0.0.1/localhost/[::1], same origin or no Origin; on both ports):',
    '  GET /metrics               the session server\'s wxsm_ series of every node, Prometheus text, labelled node="…" (needs prom-client)',
    '  GET /dashboard             live charts: links, sessions, messages/s each way, ack latency p50/p99, resumes, closes by code, faults marked',
    '',
    'Faults (single mode):',
    ...SINGLE_FAULTS.map(faultLine),
    '',
    'Faults (cluster mode, --redis):',
    ...CLUSTER_FAULTS.map(faultLine),
  ].join('\n');
}

const routeList = (faults: readonly FaultSpec[]): string => faults.map((f) => f.name).join('|');

/** The lines printed once single mode listens. */
/** What the WebSocket port serves when --sessions-only is on. */
const SESSIONS_ONLY = 'reliable sessions only (--sessions-only): "ping" → "pong", no hello within 10 s → 4400';

export function singleBanner(s: { url: string; controlUrl: string }, o: { tickInterval: number; textFaults: boolean; host: string; sessionsOnly?: boolean }): string[] {
  const ticks = o.tickInterval > 0 ? `a tick every ${o.tickInterval} ms` : 'no ticks (--tick 0)';
  return [
    `WebSocket:  ${s.url}   ${o.sessionsOnly ? SESSIONS_ONLY : `"ping" → "pong", text and binary echoed, ${ticks}`}`,
    `Sessions:   a client whose first frame is a session hello gets a reliable session (echo${o.tickInterval > 0 ? ' + numbered ticks' : ''}); its user is ?user= (default dev)`,
    `H5 demo:    ${s.url.replace(/^ws:/, 'http:')}/   (open it in a browser: plain or session mode, fault buttons)`,
    dashboardLine(s.url),
    ...controlLines(s.controlUrl, SINGLE_FAULTS, o),
  ];
}

/** The lines printed once cluster mode listens. */
export function clusterBanner(c: { url: string; controlUrl: string; nodes(): unknown[] }, o: { textFaults: boolean; host: string; sessionsOnly?: boolean }): string[] {
  const serves = o.sessionsOnly ? SESSIONS_ONLY : '"ping" → "pong", plain echo, reliable sessions (no ticks in cluster mode)';
  return [
    `WebSocket:  ${c.url}   ${c.nodes().length} nodes on one Redis, round robin: ${serves}`,
    `H5 demo:    ${c.url.replace(/^ws:/, 'http:')}/   (open it in a browser: plain or session mode, kill a node)`,
    dashboardLine(c.url),
    ...controlLines(c.controlUrl, CLUSTER_FAULTS, o),
  ];
}

function dashboardLine(url: string): string {
  const base = url.replace(/^ws:/, 'http:');
  return `Dashboard:  ${base}/dashboard   live charts with every fault marked; Prometheus text at ${base}/metrics (GET, from this machine)`;
}

function controlLines(controlUrl: string, faults: readonly FaultSpec[], o: { textFaults: boolean; host: string }): string[] {
  const lines = [
    `Control:    curl -X POST ${controlUrl}/status   (POST only, from this machine)`,
    `Faults:     curl -X POST "${controlUrl}/fault/<${routeList(faults)}>?ms=…"   (--help says what each does)`,
    o.textFaults
      ? `Text:       "fault:<name> [args]" sent over a socket runs that fault (--text-faults is on)`
      : 'Text:       "fault:…" texts are echoed like any other data (start with --text-faults to obey them)',
  ];
  if (o.host !== '::1' && !isLoopbackHost(o.host)) lines.push(`WARNING:    listening on ${o.host}: anyone who can reach it can use this unauthenticated server (the control routes still answer only requests addressed to 127.0.0.1)`);
  return lines;
}
