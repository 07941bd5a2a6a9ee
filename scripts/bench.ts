/**
 * `npm run bench [-- --only <section>[,<section>…]] [-- --cpu-prof]`: size, overhead,
 * detection, recovery, herd, leaks, sessions, the cost of metrics, and the server beside its peer (socket.io 4.8),
 * measured side by side in one run (medians and ratios, never single absolute times). Prints
 * markdown tables and writes them to .build/bench.md. A benchmark, not a test: it exits 0 and
 * states every gap.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseArgs } from 'util';
import type { BenchIo, Row } from './bench-common';
import { detectionAndRecovery, herd, leaks, overhead } from './bench-manager';
import { fanoutBench, roomsBench } from './bench-fanout';
import { peersBench } from './bench-peers';
import { KINDS, KIND_LABEL } from './bench-peer-types';
import { PROFILE_DIR, pinningNote } from './bench-run';
import { metricsBench } from './bench-metrics';
import { benchRedis } from './bench-redis';
import { serverMemory } from './bench-server';
import { sessionBench } from './bench-session';
import { size } from './bench-size';

const root = path.resolve(__dirname, '../..');
const tty = process.stdout.isTTY === true;

/** Sections in the order a full run takes them; `--only` picks some. */
const SECTIONS: Record<string, (io: BenchIo) => Promise<void> | void> = {
  size,
  herd,
  leaks,
  detection: detectionAndRecovery,
  overhead,
  redis: benchRedis,
  session: async (io) => {
    await sessionBench(io.rows, io.progress);
    io.done('session');
  },
  metrics: async (io) => {
    await metricsBench(io);
    io.done('metrics on ÷ off');
  },
  'server-memory': async (io) => {
    await serverMemory(io.rows, io.progress);
    io.done('server memory');
  },
  server: async (io) => {
    await peersBench(io);
    io.done('server beside socket.io (throughput, memory, resume, drops)');
  },
  fanout: async (io) => {
    await fanoutBench(io);
    io.done('fan-out beside socket.io');
  },
  rooms: async (io) => {
    await roomsBench(io);
    io.done('rooms beside socket.io');
  },
};

const USAGE = `usage: npm run bench [-- --only <section>[,<section>…]] [-- --cpu-prof]
sections: ${Object.keys(SECTIONS).join(', ')}
--cpu-prof  profile the server processes of the server/fanout/rooms sections (one repetition;
            .cpuprofile files in ${path.relative(root, PROFILE_DIR)}, top functions printed)`;

/** The sections asked for (`--only a,b`, `--only a --only b`, or BENCH_ONLY=a,b); exits 2 naming an unknown one. */
function parse(): { sections: string[]; cpuProf: boolean } {
  let values: { only?: string[]; 'cpu-prof'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { only: { type: 'string', multiple: true }, 'cpu-prof': { type: 'boolean' }, help: { type: 'boolean' } } }));
  } catch (err) {
    console.error(`[wx-socket-manager] bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const asked = (values.only ?? process.env.BENCH_ONLY?.split(',') ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(s in SECTIONS));
  if (unknown.length) {
    console.error(`[wx-socket-manager] bench: unknown section ${unknown.map((s) => `"${s}"`).join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  return { sections: asked.length ? Object.keys(SECTIONS).filter((s) => asked.includes(s)) : Object.keys(SECTIONS), cpuProf: values['cpu-prof'] === true };
}

const table = (head: string[], body: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const secs = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;

async function main(): Promise<void> {
  const { sections, cpuProf } = parse();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu.trim()}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
  console.log(`wx-socket-manager bench — ${machine}\n`);
  const rows: Row[] = [];
  const peers: string[][] = [];
  const notes: string[] = [];
  const io: BenchIo = {
    rows,
    peers,
    notes,
    cpuProf,
    progress: (text) => void (tty && process.stdout.write(`\r\x1b[K  … ${text}`)),
    done: (title) => {
      if (tty) process.stdout.write('\r\x1b[K');
      console.log(`  ✔ ${title}`);
    },
  };
  const times: string[] = [];
  const t0 = Date.now();
  const load0 = os.loadavg();
  for (const name of sections) {
    const t = Date.now();
    try {
      await SECTIONS[name]!(io);
    } catch (err) {
      // One broken section must not cost the others' figures.
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      console.error(`  ✘ ${name}: ${why}`);
      rows.push([`Section "${name}"`, `not measured: it failed (${why})`, '', 'gap']);
    }
    times.push(`${name} ${secs(Date.now() - t)}`);
  }
  const out = [table(['measure', 'result', 'target', ''], rows)];
  if (peers.length) {
    out.push(`Side by side (median of ${cpuProf ? 1 : 3} runs in fresh processes, (min–max); 100-byte payloads, a window of ${100} in flight; ${pinningNote()}):`);
    out.push(table(['measure', ...KINDS.map((k) => KIND_LABEL[k])], peers));
  }
  if (cpuProf) out.push(`Numbers above were taken under --cpu-prof (not comparable). Profiles:\n${notes.filter((n) => n.includes('.cpuprofile') || n.includes('no profile')).join('\n')}`);
  const failures = notes.filter((n) => n.includes('failed'));
  if (failures.length) out.push(`Runs that failed (their figures are missing above):\n${failures.join('\n')}`);
  const load = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ');
  out.push(`Machine: ${machine}; load average (1/5/15 min) ${load(load0)} at the start, ${load(os.loadavg())} at the end (other work on the machine makes figures swing). Section times: ${times.join(', ')}; total ${secs(Date.now() - t0)}. Reproduce: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`);
  const text = out.join('\n\n');
  console.log(`\n${text}`);
  fs.mkdirSync(path.join(root, '.build'), { recursive: true });
  fs.writeFileSync(path.join(root, '.build/bench.md'), `${text}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
