/**
 * The server process of the peer bench (pinned to core 0): one server of one kind, driven by
 * the parent over IPC. Scenarios that must run beside the server live here: windowed pushes,
 * a send schedule for fan-out and rooms, buffering for a resume, memory after GC.
 * Run as `node bench-host.js '<HostSpec JSON>'`.
 */
import { monoMs, until } from './bench-common';
import { oursHost } from './bench-host-ours';
import { socketioHost } from './bench-host-socketio';
import { ownCpu, serve } from './bench-proc';
import { stamp } from './bench-peer-types';
import type { HostServer, HostSpec } from './bench-peer-types';

/** Sends `n` messages to `id` keeping `window` unacknowledged; resolves with the seconds it took. */
async function push(server: HostServer, id: string, n: number, window: number): Promise<number> {
  const t0 = monoMs();
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < n) {
      const k = next++;
      await server.sendAcked(id, stamp(k, monoMs()));
    }
  }));
  return (monoMs() - t0) / 1000;
}

/**
 * Calls `emit(k, at)` for message k at its scheduled time `at` = start + k / rate, checking every
 * millisecond. A server that falls behind emits late and in bursts: that shows in how many
 * messages arrive within a second of `at`, and in `maxLagMs`.
 */
class Schedule {
  private readonly t0 = monoMs();
  private issued = 0;
  private maxLag = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly rate: number, private readonly emit: (k: number, at: number) => void) {
    this.timer = setInterval(() => this.tick(), 1);
  }

  private tick(): void {
    const now = monoMs();
    const due = Math.floor(((now - this.t0) * this.rate) / 1000);
    if (due > this.issued) this.maxLag = Math.max(this.maxLag, now - (this.t0 + (this.issued * 1000) / this.rate));
    for (; this.issued < due; this.issued++) this.emit(this.issued, this.t0 + (this.issued * 1000) / this.rate);
  }

  /** Stops; with `t0` the caller counts which messages were scheduled in a window. */
  stop(): { issued: number; maxLagMs: number; t0: number } {
    clearInterval(this.timer);
    return { issued: this.issued, maxLagMs: this.maxLag, t0: this.t0 };
  }
}

function usage(): { rss: number; heapUsed: number; external: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as HostSpec;
  const server = spec.kind === 'socketio' ? await socketioHost(spec) : await oursHost(spec);
  const first = (): string => {
    const id = server.ids()[0];
    if (id === undefined) throw new Error('no client connected');
    return id;
  };
  let schedule: Schedule | undefined;
  serve({
    hello: () => ({ port: server.port, pid: process.pid, rooms: server.rooms !== undefined }),
    wait: async ({ n }: { n: number }) => {
      await until(() => server.ids().length >= n, 120000, `waiting for ${n} clients`, 5);
      return server.ids().length;
    },
    cpu: () => ownCpu(),
    usage,
    received: () => server.received(),
    push: ({ n, window }: { n: number; window: number }) => push(server, first(), n, window),
    /** Once the first client is away, sends it `n` numbered messages to find when it is back. */
    buffer: async ({ n }: { n: number }) => {
      const id = first();
      await until(() => !server.online(id), 10000, 'waiting for the client to be away', 2);
      for (let k = 0; k < n; k++) server.send(id, stamp(k, monoMs()));
    },
    /** `n` numbered messages to the first client at `rate` per second (issued, not awaited). */
    paced: async ({ n, rate }: { n: number; rate: number }) => {
      const id = first();
      await new Promise<void>((resolve) => {
        const s = new Schedule(rate, (k, at) => {
          if (k < n) server.send(id, stamp(k, at, monoMs()));
          if (k === n - 1) resolve(void s.stop());
        });
      });
    },
    join: async ({ room }: { room: string }) => {
      if (!server.rooms) throw new Error('this server has no rooms');
      for (const id of server.ids()) await server.rooms.join(id, room);
      return server.ids().length;
    },
    /** Fan-out (`room` absent: message k to client k mod n) or publishing to `room`, at `rate` messages per second. */
    start: ({ rate, room, volatile }: { rate: number; room?: string; volatile?: boolean }) => {
      const ids = server.ids();
      const rooms = server.rooms;
      if (room !== undefined && !rooms) throw new Error('this server has no rooms');
      schedule = new Schedule(rate, room !== undefined ? (k, at) => rooms!.publish(room, stamp(k, at, monoMs()), volatile) : (k, at) => server.send(ids[k % ids.length]!, stamp(k, at, monoMs())));
    },
    finish: () => schedule?.stop(),
  }, () => server.close());
}

void main().catch((err: unknown) => {
  console.error('bench host failed:', err);
  process.exit(1);
});
