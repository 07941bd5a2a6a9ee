/**
 * The load generator of the peer bench (pinned to core 1): many clients of one kind, every
 * received message timed against the time it was scheduled (the payload carries it), and the
 * first client's message numbers kept for loss/duplicate/order checks. Driven over IPC.
 */
import { monoMs, percentileOfSorted, until } from './bench-common';
import { CONNECT } from './bench-load-clients';
import { serve } from './bench-proc';
import { startProxy } from './bench-proxy';
import type { Proxy } from './bench-proxy';
import { stamp, unstamp } from './bench-peer-types';
import type { ClientConn, Kind } from './bench-peer-types';

const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
};

/** Every message received: when it was scheduled, sent and received. */
class Arrivals {
  at = new Float64Array(1 << 16);
  sent = new Float64Array(1 << 16);
  got = new Float64Array(1 << 16);
  length = 0;
  add(at: number, sent: number, got: number): void {
    if (this.length === this.at.length) [this.at, this.sent, this.got] = [grow(this.at), grow(this.sent), grow(this.got)];
    this.at[this.length] = at;
    this.sent[this.length] = sent;
    this.got[this.length++] = got;
  }
  /** Messages scheduled in [from, to): how many arrived, how many within `onTimeMs` of schedule, latency p50/p99 from their send. */
  window(from: number, to: number, onTimeMs: number): { received: number; onTime: number; p50: number; p99: number } {
    const lat: number[] = [];
    let onTime = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.at[i]! < from || this.at[i]! >= to) continue;
      lat.push(this.got[i]! - this.sent[i]!);
      if (this.got[i]! - this.at[i]! <= onTimeMs) onTime++;
    }
    const sorted = Float64Array.from(lat).sort();
    return { received: lat.length, onTime, p50: percentileOfSorted(sorted, 0.5), p99: percentileOfSorted(sorted, 0.99) };
  }
}

const conns: ClientConn[] = [];
const proxies = new Map<number, Proxy>();
let arrivals = new Arrivals();
/** The first client: message numbers in arrival order, when its link last opened, when its last message came. */
const first = { seq: [] as number[], openedAt: 0, lastAt: 0 };

async function connect({ kind, ports, n, proxy = false, batch = 200 }: { kind: Kind; ports: number[]; n: number; proxy?: boolean; batch?: number }): Promise<number> {
  const port = async (p: number): Promise<number> => {
    if (!proxy) return p;
    if (!proxies.has(p)) proxies.set(p, await startProxy(p));
    return proxies.get(p)!.port;
  };
  for (let i = 0; i < n; i += batch) {
    const made = await Promise.all(Array.from({ length: Math.min(batch, n - i) }, async (_, j) => {
      const index = conns.length + j;
      const url = `${kind === 'socketio' ? 'http' : 'ws'}://127.0.0.1:${await port(ports[(i + j) % ports.length]!)}`;
      return CONNECT[kind](url, {
        message(data) {
          const now = monoMs();
          const m = unstamp(data);
          arrivals.add(m.at, m.sent, now);
          if (index === 0) {
            first.seq.push(m.n);
            first.lastAt = now;
          }
        },
        open: () => index === 0 && (first.openedAt = monoMs()),
      });
    }));
    conns.push(...made);
  }
  return conns.length;
}

/** Client→server from the first client: `n` acknowledged sends, `window` in flight; seconds taken. */
async function clientToServer({ n, window }: { n: number; window: number }): Promise<number> {
  const c = conns[0]!;
  const t0 = monoMs();
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < n) await c.send(stamp(next++, monoMs()));
  }));
  return (monoMs() - t0) / 1000;
}

/** Lets held links through and times the first client from its new link's open to its `n`th message. */
async function resume({ n }: { n: number }): Promise<number> {
  first.seq = [];
  first.openedAt = 0;
  for (const p of proxies.values()) p.release();
  await until(() => first.seq.length >= n, 30000, `resume: ${first.seq.length}/${n} buffered messages arrived`, 1);
  return first.lastAt - first.openedAt;
}

/** Lost, duplicated and out-of-order among messages 0…n−1 the first client received (waits until all came or 3 s of quiet). */
async function sequence({ n }: { n: number }): Promise<{ received: number; lost: number; dup: number; outOfOrder: number }> {
  let last = first.seq.length;
  let quietSince = monoMs();
  await until(() => {
    if (first.seq.length !== last) [last, quietSince] = [first.seq.length, monoMs()];
    return new Set(first.seq).size >= n || monoMs() - quietSince > 3000;
  }, 60000, 'sequence', 10);
  const seen = new Set<number>();
  let dup = 0;
  let outOfOrder = 0;
  let max = -1;
  for (const s of first.seq) {
    if (seen.has(s)) dup++;
    else if (s < max) outOfOrder++;
    seen.add(s);
    max = Math.max(max, s);
  }
  return { received: first.seq.length, lost: n - seen.size, dup, outOfOrder };
}

const QUIET_MS = 10000;
/** Resolves once `expected` messages scheduled in [from, to) arrived, or none arrived for QUIET_MS (at most 120 s). */
async function settle(from: number, to: number, expected: number): Promise<void> {
  let seen = 0;
  let inWindow = 0;
  let since = monoMs();
  await until(() => {
    if (arrivals.length !== seen) since = monoMs();
    for (; seen < arrivals.length; seen++) if (arrivals.at[seen]! >= from && arrivals.at[seen]! < to) inWindow++;
    return inWindow >= expected || monoMs() - since >= QUIET_MS;
  }, 120000, 'waiting for arrivals', 50).catch(() => undefined);
}

serve({
  connect,
  c2s: clientToServer,
  reset: () => {
    arrivals = new Arrivals();
    first.seq = [];
  },
  /** After the schedule ended, once the messages scheduled in [from, to) are in (or stopped coming): what arrived of them. */
  window: async ({ from, to, onTimeMs, expected }: { from: number; to: number; onTimeMs: number; expected: number }) => {
    await settle(from, to, expected);
    return arrivals.window(from, to, onTimeMs);
  },
  count: () => arrivals.length,
  hold: () => proxies.forEach((p) => p.hold()),
  drop: () => proxies.forEach((p) => p.drop()),
  resume,
  sequence,
}, async () => {
  for (const c of conns) c.close();
  await Promise.all([...proxies.values()].map((p) => p.close()));
});
