/**
 * Bench sections "fanout" and "rooms": a server sending on a schedule to many clients. Latency
 * runs from the server's send call to the client's receipt; "on schedule" counts messages that
 * arrived within a second of their scheduled time (a server that falls behind shows there).
 * - fanout: 1 000 clients × 20 msg/s, one message per client each time (ours: server.send;
 *   socket.io: socket.emit, stored for recovery);
 * - rooms: `publish(room)` to a 10 000-member room on one node (reliable, and volatile) and to a 1 000-member room on
 *   3 nodes sharing a Redis (socket.io: io.to(room).emit, at most once; across nodes with
 *   @socket.io/redis-adapter). A kind runs here once its host offers `rooms` (bench-host-ours.ts).
 */
import type { BenchIo, Row } from './bench-common';
import { median, ratioRow, sig3, spread } from './bench-common';
import type { Kind } from './bench-peer-types';
import { connectClients, emptyResults, pairedRatio, peerRow, reps } from './bench-peers';
import type { Rec, Results } from './bench-peers';
import { marks, withRun } from './bench-run';
import type { Run } from './bench-run';
import { sleep } from './wait';

export const SCHEDULE = { warmMs: 2000, measureMs: 8000, onTimeMs: 1000 };

/**
 * Starts host 0's schedule (`room` absent: fan-out), measures a window after a warm-up, and
 * returns per-second figures; `members` deliveries per scheduled message.
 */
export async function scheduled(run: Run, rate: number, members: number, room?: string, volatile?: boolean): Promise<Rec> {
  await run.hosts[0]!.call('start', { rate, room, volatile });
  await sleep(SCHEDULE.warmMs);
  await run.load.call('reset');
  const m0 = await marks(run);
  await sleep(SCHEDULE.measureMs);
  const m1 = await marks(run);
  const { maxLagMs, t0, issued } = await run.hosts[0]!.call<{ maxLagMs: number; t0: number; issued: number }>('finish');
  // Message k was scheduled at t0 + k / rate: those in [from, to), each to `members` clients.
  const k = (t: number): number => Math.max(0, Math.min(issued, Math.ceil(((t - t0) * rate) / 1000)));
  const expected = (k(m1.t) - k(m0.t)) * members;
  const w = await run.load.call<{ received: number; onTime: number; p50: number; p99: number }>('window', { from: m0.t, to: m1.t, onTimeMs: SCHEDULE.onTimeMs, expected }, 180000);
  const seconds = (m1.t - m0.t) / 1000;
  return {
    delivered: w.onTime / seconds,
    onTime: (w.onTime / expected) * 100,
    eventually: (w.received / expected) * 100,
    p50: w.p50,
    p99: w.p99,
    cpuPct: ((m1.cpu - m0.cpu) / seconds) * 100,
    redisPct: ((m1.redisCpu - m0.redisCpu) / seconds) * 100,
    perCore: w.received / (m1.cpu - m0.cpu),
    cmds: (m1.commands - m0.commands) / w.received,
    maxLagMs,
  };
}

const FANOUT = { clients: 1000, perClient: 20 };
const fanoutRate = FANOUT.clients * FANOUT.perClient;

async function fanout(run: Run): Promise<Rec> {
  await connectClients(run, FANOUT.clients);
  return scheduled(run, fanoutRate, 1);
}

const ms = (x: number): string => (x < 10 ? x.toFixed(2) : sig3(x));
const pct = (x: number): string => `${x.toFixed(x >= 99.95 ? 0 : 1)} %`;

export async function fanoutBench(io: BenchIo): Promise<void> {
  const r: Results = emptyResults();
  const kinds: Kind[] = ['memory', 'redis', 'socketio'];
  for (let rep = 0; rep < reps(io); rep++) {
    for (const kind of kinds) {
      io.progress(`fanout: ${kind}, repetition ${rep + 1}/${reps(io)}`);
      r[kind].push((await withRun(io, { kind, label: 'fanout' }, fanout)) ?? {});
    }
  }
  const title = `fan-out ${FANOUT.clients} clients × ${FANOUT.perClient}/s`;
  io.peers?.push(
    peerRow(`${title}: delivered on schedule (≤ ${SCHEDULE.onTimeMs / 1000} s late) of ${sig3(fanoutRate)}/s`, r, (x) => x.delivered!),
    peerRow('  the same, share of scheduled', r, (x) => x.onTime!, pct),
    peerRow('  delivered at all (after the schedule ended)', r, (x) => x.eventually!, pct),
    peerRow('  server CPU %', r, (x) => x.cpuPct!, pct),
    ['  Redis CPU %', '', spread(r.redis.map((x) => x.redisPct!), pct), ''],
    peerRow('  latency, send → received p50, ms', r, (x) => x.p50!, ms),
    peerRow('  latency, send → received p99, ms', r, (x) => x.p99!, ms),
    peerRow('  server behind its schedule at most, ms', r, (x) => x.maxLagMs!, ms),
    ['  Redis commands per message', '', spread(r.redis.map((x) => x.cmds!)), ''],
  );
  io.rows.push(ratioRow('F1. Fan-out server CPU, ours (memory) ÷ socket.io', pairedRatio(r.memory, r.socketio, (x) => x.cpuPct!), '≤', 1.0, `${spread(r.memory.map((x) => x.cpuPct!), pct)} vs ${spread(r.socketio.map((x) => x.cpuPct!), pct)}; Redis store: ${spread(r.redis.map((x) => x.cpuPct!), pct)} + Redis ${spread(r.redis.map((x) => x.redisPct!), pct)}`));
  const onTime = r.redis.map((x) => x.onTime!).filter(Number.isFinite);
  const detail = `${spread(onTime, pct)} of ${sig3(fanoutRate)}/s scheduled (${spread(r.redis.map((x) => x.delivered!))}/s on schedule; p99 send → received ${spread(r.redis.map((x) => x.p99!), ms)} ms)`;
  io.rows.push([`F2. Redis fan-out delivered within ${SCHEDULE.onTimeMs} ms of schedule`, onTime.length ? detail : 'not measured', '≥ 98 %', onTime.length && median(onTime) >= 98 ? 'met' : 'gap']);
  io.rows.push(ratioRow('F3. Fan-out p99, ours (memory) ÷ socket.io', pairedRatio(r.memory, r.socketio, (x) => x.p99!), '≤', 2, `${spread(r.memory.map((x) => x.p99!), ms)} ms vs ${spread(r.socketio.map((x) => x.p99!), ms)} ms`));
}

interface RoomCase {
  id: string;
  title: string;
  members: number;
  nodes: number;
  /** Publishes per second. */
  rate: number;
  /** Which of ours runs it (the socket.io peer always does). */
  ours: Kind;
  /** Ours publishes `{ volatile: true }`: no append, no buffer, no ack. */
  volatile?: boolean;
}
const ROOM_CASES: RoomCase[] = [
  { id: 'room-10k', title: '10 000-member room, one node', members: 10000, nodes: 1, rate: 2, ours: 'memory' },
  { id: 'room-3n', title: '1 000-member room on 3 nodes (one Redis)', members: 1000, nodes: 3, rate: 20, ours: 'redis' },
  { id: 'room-10k-volatile', title: '10 000-member room, one node, ours volatile', members: 10000, nodes: 1, rate: 2, ours: 'memory', volatile: true },
];

/** A room run; `{ noRooms: 1 }` when the kind's server has no rooms (yet). */
async function room(run: Run, c: RoomCase): Promise<Rec> {
  if (!run.rooms) return { noRooms: 1 };
  await connectClients(run, c.members);
  await Promise.all(run.hosts.map((h) => h.call('join', { room: 'bench' })));
  return scheduled(run, c.rate, c.members, 'bench', c.volatile);
}

export async function roomsBench(io: BenchIo): Promise<void> {
  for (const c of ROOM_CASES) {
    const r: Results = emptyResults();
    let noRooms = false;
    for (let rep = 0; rep < reps(io); rep++) {
      for (const kind of [c.ours, 'socketio'] as Kind[]) {
        if (kind !== 'socketio' && noRooms) continue;
        io.progress(`rooms: ${c.id}, ${kind}, repetition ${rep + 1}/${reps(io)}`);
        const got = (await withRun(io, { kind, label: c.id, hosts: c.nodes }, (run) => room(run, c))) ?? {};
        if (got.noRooms) noRooms = true;
        else r[kind].push(got);
      }
    }
    io.peers?.push(
      peerRow(`${c.title}, ${c.rate} publishes/s: deliveries/s per server core`, r, (x) => x.perCore!),
      peerRow('  delivered within 1 s of schedule', r, (x) => x.onTime!, pct),
      peerRow('  delivered at all (after the schedule ended)', r, (x) => x.eventually!, pct),
      peerRow('  publish → delivered p50, ms', r, (x) => x.p50!, ms),
      peerRow('  publish → delivered p99, ms', r, (x) => x.p99!, ms),
      ...(c.nodes > 1 ? [peerRow('  Redis commands per delivery', r, (x) => x.cmds!), peerRow('  Redis CPU %', r, (x) => x.redisPct!, pct)] : []),
    );
    io.rows.push(roomRow(c, r, noRooms));
  }
}

/** The issue-17 goals: ≥ 100 000 deliveries/s per core on one node; p99 ≤ 250 ms and ≤ 3 Redis commands per delivery on 3 nodes. */
function roomRow(c: RoomCase, r: Results, noRooms: boolean): Row {
  const title = `${c.volatile ? 'F5' : 'F4'}. Rooms, ${c.title}`;
  const target = c.volatile ? 'none: what reliable fan-out costs, beside F4' : c.nodes > 1 ? 'p99 ≤ 250 ms; ≤ 3 Redis commands per delivery' : '≥ 100 000 deliveries/s per server core';
  const peer = `socket.io (io.to(room).emit${c.nodes > 1 ? ', redis-adapter' : ''}): ${spread(r.socketio.map((x) => x.perCore!))} deliveries/s per core, p99 ${spread(r.socketio.map((x) => x.p99!), ms)} ms`;
  if (noRooms) return [title, `ours not measured: the session server has no rooms yet (issue 17; then set \`rooms\` in scripts/bench-host-ours.ts). ${peer}`, target, 'gap: not measured'];
  const ours = r[c.ours];
  const perCore = ours.map((x) => x.perCore!);
  const p99 = ours.map((x) => x.p99!);
  const cmds = ours.map((x) => x.cmds!);
  const ratio = pairedRatio(ours, r.socketio, (x) => x.perCore!);
  const result = `ours ${spread(perCore)} deliveries/s per core (${ratio.toFixed(2)}× socket.io), p99 ${spread(p99, ms)} ms${c.nodes > 1 ? `, ${spread(cmds)} Redis commands per delivery` : ''}; ${peer}`;
  const met = c.nodes > 1 ? Math.max(...p99) <= 250 && Math.max(...cmds) <= 3 : Math.min(...perCore) >= 100000;
  if (c.volatile) return [title, result, target, 'measured'];
  return [title, result, target, ours.length && met ? 'met' : 'gap'];
}
