/**
 * The command line of `wx-socket-dev-server` (`npm run dev-server -- …`), parsed strictly: an
 * unknown flag, a missing or bad value, a flag given twice or one that does not fit the mode
 * is an error (the CLI exits 2 with the usage). Pure.
 */
import type { DevClusterOptions } from './cluster';
import type { DevServerOptions } from './types';

export interface FlagSpec {
  name: string;
  /** The value's placeholder; none: a switch. */
  value?: 'N' | 'MS' | 'ADDR' | 'URL';
  /** Where it applies: single mode, cluster mode (--redis), or both. */
  mode: 'single' | 'cluster' | 'both';
  what: string;
  default?: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'port', value: 'N', mode: 'both', what: 'port clients connect to (through the fault proxy); it also serves the H5 page and the control routes; 0 picks a free one', default: '8090' },
  { name: 'host', value: 'ADDR', mode: 'both', what: 'address the ports listen on; anything but loopback lets others use the server (it has no authentication)', default: '127.0.0.1' },
  { name: 'control-port', value: 'N', mode: 'both', what: 'a port answering only the control routes (they also answer on --port)', default: 'port + 1' },
  { name: 'tick', value: 'MS', mode: 'single', what: 'ms between ticks sent to every client (to sessions as numbered messages); 0: no ticks', default: '3000' },
  { name: 'restart-downtime', value: 'MS', mode: 'single', what: 'how long the restart and crash faults refuse connections', default: '1000' },
  { name: 'session-ttl', value: 'MS', mode: 'both', what: 'how long a session without a link is kept', default: '120000' },
  { name: 'text-faults', mode: 'both', what: 'also obey the text "fault:<name> [args]" sent over a socket (the mini-program demo needs it); off, such text is echoed like any other' },
  { name: 'sessions-only', mode: 'both', what: 'serve reliable sessions only, as a production session server does: no plain echo or ticks; a link that says no hello within 10 s is closed 4400 (so wx-socket-conformance judges that too)' },
  { name: 'redis', value: 'URL', mode: 'cluster', what: 'cluster mode: --nodes dev nodes, each a child process, sharing this Redis (7 or newer)' },
  { name: 'nodes', value: 'N', mode: 'cluster', what: 'how many nodes in cluster mode (1-16)', default: '3' },
  { name: 'help', mode: 'both', what: 'print this help (every flag and fault) and exit' },
];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'single'; options: DevServerOptions }
  | { kind: 'cluster'; options: DevClusterOptions };

const RANGES: Record<string, [number, number]> = {
  port: [0, 65535],
  'control-port': [0, 65535],
  tick: [0, 3600000],
  'restart-downtime': [0, 3600000],
  'session-ttl': [1, 86400000],
  nodes: [1, 16],
};

/** `--name value` and `--name=value` → the flags given, or what is wrong. */
export function readFlags(argv: readonly string[]): Map<string, string> | { error: string } {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) return { error: arg.startsWith('-') ? `unknown flag "${arg}"` : `unexpected argument "${arg}"` };
    const name = m[1] as string;
    const spec = FLAGS.find((f) => f.name === name);
    if (!spec) return { error: `unknown flag "--${name}"` };
    if (given.has(name)) return { error: `--${name} is given twice` };
    if (!spec.value) {
      if (m[2] !== undefined) return { error: `--${name} takes no value` };
      given.set(name, '');
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith('--'))) return { error: `--${name} needs a value (${spec.value})` };
    given.set(name, value);
  }
  return given;
}

/** The checked value of a flag, or what is wrong with it. */
function flagValue(name: string, raw: string): number | string | { error: string } {
  const range = RANGES[name];
  if (range) {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(n) && n >= range[0] && n <= range[1] ? n : { error: `--${name} must be a whole number from ${range[0]} to ${range[1]}, got "${raw}"` };
  }
  if (name === 'redis') return /^rediss?:\/\/\S+$/.test(raw) ? raw : { error: '--redis must be a redis:// or rediss:// URL' };
  if (name === 'host') return raw ? raw : { error: '--host needs an address' };
  return raw;
}

export function parseCli(argv: readonly string[]): CliCommand {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const given = readFlags(argv);
  if ('error' in given) return { kind: 'error', message: given.error as string };
  const mode = given.has('redis') ? 'cluster' : 'single';
  const values: Record<string, number | string | boolean> = {};
  for (const [name, raw] of given) {
    const spec = FLAGS.find((f) => f.name === name) as FlagSpec;
    if (spec.mode !== 'both' && spec.mode !== mode) {
      return { kind: 'error', message: mode === 'cluster' ? `--${name} is for single mode (not with --redis)` : `--${name} needs --redis (cluster mode)` };
    }
    const value = spec.value ? flagValue(name, raw) : true;
    if (typeof value === 'object') return { kind: 'error', message: value.error };
    values[name] = value;
  }
  const common = { port: values.port as number | undefined, host: values.host as string | undefined, controlPort: values['control-port'] as number | undefined, sessionTtl: values['session-ttl'] as number | undefined, textFaults: values['text-faults'] === true, sessionsOnly: values['sessions-only'] === true };
  if (mode === 'cluster') return { kind: 'cluster', options: { ...common, redis: values.redis as string, nodes: values.nodes as number | undefined } };
  return { kind: 'single', options: { ...common, tickInterval: values.tick as number | undefined, restartDowntime: values['restart-downtime'] as number | undefined } };
}
