/**
 * Chaos soak: seeded random faults on the real dev server (through its fault proxy) while a
 * client sends sequence-numbered messages at a steady rate. Bounded to ~30 s.
 * Reproduce a run with SOAK_SEED=<seed> npx jest test/chaos-soak.
 */
import { SocketError, WxSocketManager } from '../../src';
import type { ConnectSocketOption, SocketState, SocketTaskLike } from '../../src';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { createWsConnectSocket } from '../../src/node';
import { seededRandom } from '../../src/testing';
import { sleep, until } from '../support/real-helpers';

const CHAOS_MS = 20000;
const SEND_EVERY = 15;
const MAX_ATTEMPTS = 20;
const SLACK = 50;

const VALID: Record<SocketState, SocketState[]> = {
  idle: ['connecting', 'closed'],
  connecting: ['open', 'reconnecting', 'failed', 'closed'],
  open: ['reconnecting', 'connecting', 'failed', 'closed'],
  reconnecting: ['open', 'failed', 'closed', 'connecting'],
  failed: ['connecting', 'reconnecting', 'closed'],
  closed: ['connecting'],
};

interface TrackedTask {
  index: number;
  live: boolean;
  openedAt?: number;
  sends: Map<string, number>;
}

let server: DevServer | undefined;
afterEach(async () => server?.close());

test('random faults: nothing duplicated or reordered, losses only after the fault that killed the link, one task, limits and transitions kept', async () => {
  const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
  process.stdout.write(`chaos soak seed: ${seed} (reproduce: SOAK_SEED=${seed} npx jest test/chaos-soak)\n`);
  const random = seededRandom(seed);
  server = await startDevServer({ port: 0, tickInterval: 0, log: false });
  const srv = server;

  const tasks: TrackedTask[] = [];
  const violations: string[] = [];
  let maxLive = 0;
  const real = createWsConnectSocket({ closeTimeout: 200 });
  const connectSocket = (o: ConnectSocketOption): SocketTaskLike => {
    const task = real(o);
    const t: TrackedTask = { index: tasks.length, live: true, sends: new Map() };
    tasks.push(t);
    const live = tasks.filter((x) => x.live).length;
    maxLive = Math.max(maxLive, live);
    task.onOpen(() => (t.openedAt = Date.now()));
    task.onClose(() => (t.live = false));
    return {
      send: (opt) => {
        if (typeof opt.data === 'string') t.sends.set(opt.data, Date.now());
        task.send(opt);
      },
      close: (opt) => {
        t.live = false;
        task.close(opt);
      },
      onOpen: (fn) => task.onOpen(fn),
      onClose: (fn) => task.onClose(fn),
      onError: (fn) => task.onError(fn),
      onMessage: (fn) => task.onMessage(fn),
    };
  };

  const socket = new WxSocketManager({
    url: srv.url,
    connectSocket,
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 200, timeout: 200 },
    reconnect: { interval: 50, maxAttempts: MAX_ATTEMPTS, jitter: 0.3 },
    connectTimeout: 500,
    queue: { max: 1000 },
  });
  let attemptsSinceOpen = 0;
  socket.on('state', (e) => {
    if (!VALID[e.previous].includes(e.state)) violations.push(`invalid transition ${e.previous} → ${e.state}`);
  });
  socket.on('open', () => (attemptsSinceOpen = 0));
  socket.on('reconnecting', (e) => {
    attemptsSinceOpen++;
    if (e.attempt > MAX_ATTEMPTS || attemptsSinceOpen > MAX_ATTEMPTS) violations.push(`attempt ${e.attempt} above the limit`);
  });

  // Faults, each stamped with the time it was injected.
  const faults: Array<{ at: number; name: string }> = [];
  const inject = (): void => {
    const r = random();
    const at = Date.now();
    if (r < 0.3) {
      const down = 100 + Math.floor(random() * 700);
      faults.push({ at, name: `restart ${down}` });
      srv.restart(down);
    } else if (r < 0.5) {
      faults.push({ at, name: 'blackhole' });
      srv.blackhole(1500);
    } else if (r < 0.65) {
      const ms = 200 + Math.floor(random() * 800);
      faults.push({ at, name: `refuse ${ms} + restart` });
      srv.refuse(ms);
      srv.restart(0);
    } else if (r < 0.8) {
      faults.push({ at, name: 'nopong' });
      srv.stopPong(1000);
    } else {
      const code = [1000, 4000, 4500][Math.floor(random() * 3)]!;
      faults.push({ at, name: `close ${code}` });
      srv.closeAll(code, 'chaos');
    }
  };

  const sent: string[] = [];
  const outcome = new Map<string, 'pending' | 'resolved' | SocketError | Error>();
  socket.connect();
  await until(() => socket.state === 'open', 3000, 'first open');

  const start = Date.now();
  let nextFault = start + 500 + random() * 1000;
  let seq = 0;
  while (Date.now() - start < CHAOS_MS) {
    const text = `seq-${++seq}`;
    sent.push(text);
    outcome.set(text, 'pending');
    socket.send(text).then(
      () => outcome.set(text, 'resolved'),
      (err: Error) => outcome.set(text, err),
    );
    if (Date.now() >= nextFault) {
      inject();
      nextFault = Date.now() + 1000 + random() * 1500;
    }
    await sleep(SEND_EVERY);
  }
  // Quiet period: let the link recover and the queue drain.
  await until(() => [...outcome.values()].every((o) => o !== 'pending') && socket.state === 'open', 10000, 'drain');
  await sleep(300);

  const received = srv.received.filter((m) => m.startsWith('seq-'));
  const nums = received.map((m) => Number(m.slice(4)));
  for (let i = 1; i < nums.length; i++) {
    if (nums[i]! <= nums[i - 1]!) violations.push(`out of order or duplicated: seq-${nums[i]} after seq-${nums[i - 1]}`);
  }
  const rejected = [...outcome.entries()].filter(([, o]) => o !== 'resolved');
  for (const [m, o] of rejected) {
    if (!(o instanceof SocketError)) violations.push(`${m} ended ${String(o)} without a SocketError`);
  }
  const got = new Set(received);
  const lost = sent.filter((m) => outcome.get(m) === 'resolved' && !got.has(m));
  for (const m of lost) {
    // The last task the frame was written to, and the first fault injected while that task was live.
    const task = [...tasks].reverse().find((t) => t.sends.has(m));
    const writtenAt = task?.sends.get(m) ?? NaN;
    const killer = faults.find((f) => task?.openedAt !== undefined && f.at >= task.openedAt);
    const laterFaults = faults.filter((f) => task?.openedAt !== undefined && f.at >= task.openedAt && f.at <= writtenAt + SLACK);
    if (!killer || laterFaults.length === 0) violations.push(`${m} resolved but lost, written at ${writtenAt - start} ms on task ${task?.index} with no fault before it`);
  }
  expect(maxLive).toBeLessThanOrEqual(1);

  process.stdout.write(
    `chaos soak: ${faults.length} faults (${faults.map((f) => f.name.split(' ')[0]).join(', ')}); ${sent.length} sent, ` +
      `${received.length} received, ${lost.length} lost in dead links, ${rejected.length} rejected, ${tasks.length} tasks, max live ${maxLive}\n`,
  );
  socket.destroy();
  expect(violations).toEqual([]);
  expect(faults.length).toBeGreaterThanOrEqual(8);
  expect(received.length).toBeGreaterThan(sent.length * 0.8);
}, 60000);
