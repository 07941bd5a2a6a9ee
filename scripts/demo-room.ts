/**
 * The demo's room act: three sessions chat in the dev cluster's lobby (3 nodes on a
 * redis-server this script starts, AOF on) while a node is SIGKILLed mid-conversation. Each
 * member says a numbered line every 60 ms; each counts, per speaker, what it received, lost and
 * got twice, and whether each speaker's lines came in order.
 */
import { WxSocketManager } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { startDevCluster } from 'wx-socket-manager/dev-server';
import { SocketSession } from 'wx-socket-manager/session';
import { startRedis } from './redis-server';
import { sleep, until } from './wait';

const USERS = ['alice', 'bob', 'carol'];
const LINES = 30;
const EVERY = 60;
const KILL_AT = 10;

interface Member {
  user: string;
  socket: WxSocketManager;
  session: SocketSession;
  /** Per speaker, the numbers of its lines as they arrived. */
  heard: Record<string, number[]>;
}

function member(url: string, user: string): Member {
  const socket = new WxSocketManager({
    url: `${url}/?user=${user}`,
    connectSocket: createWsConnectSocket({ closeTimeout: 300 }),
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 500, timeout: 500 },
    reconnect: { interval: 200, maxAttempts: 100 },
  });
  const session = new SocketSession(socket);
  const m: Member = { user, socket, session, heard: Object.fromEntries(USERS.map((u) => [u, []])) };
  session.on('message', (data, meta) => {
    if (meta.room !== 'lobby' || typeof data !== 'string') return;
    const line = JSON.parse(data) as { from: string; say: string };
    m.heard[line.from]?.push(Number(line.say.split('#')[1]));
  });
  socket.connect();
  return m;
}

/** What one member got of one speaker's 1..LINES. */
function tally(got: number[]): { received: number; lost: number; duplicated: number; inOrder: boolean } {
  const seen = new Set(got);
  let lost = 0;
  for (let k = 1; k <= LINES; k++) if (!seen.has(k)) lost++;
  return { received: got.length, lost, duplicated: got.length - seen.size, inOrder: got.every((k, i) => i === 0 || k > got[i - 1]!) };
}

/** Plays the room act; prints one row per member; true when nobody lost or doubled a line. */
export async function roomOutage(say: (line: string) => void): Promise<boolean> {
  const redis = await startRedis({ aof: true });
  const cluster = await startDevCluster({ redis: redis.url, nodes: 3, port: 0, log: false });
  const members = USERS.map((u) => member(cluster.url, u));
  try {
    if (!(await until(() => members.every((m) => m.session.sessionId !== null), 10000, 20))) {
      say('  the members did not connect');
      return false;
    }
    await sleep(300); // every session is in the lobby
    const sends: Array<Promise<void>> = [];
    for (let k = 1; k <= LINES; k++) {
      if (k === KILL_AT) {
        say(`  line ${k}: SIGKILL node 1 (it comes back after 1 s); its members reconnect to the other nodes`);
        void cluster.kill(0, 1000);
      }
      for (const m of members) sends.push(m.session.send(JSON.stringify({ room: 'lobby', say: `${m.user}#${k}` })).catch(() => undefined));
      await sleep(EVERY);
    }
    await Promise.all(sends);
    const all = LINES * USERS.length;
    await until(() => members.every((m) => Object.values(m.heard).reduce((n, got) => n + got.length, 0) >= all), 15000, 20);
    await sleep(300);
    let ok = true;
    say(`  ${'member'.padEnd(8)} ${`received (of ${all})`.padEnd(18)} ${'lost'.padEnd(6)} ${'duplicated'.padEnd(11)} each speaker in order`);
    for (const m of members) {
      const t = USERS.map((u) => tally(m.heard[u]!));
      const sum = (f: (x: (typeof t)[number]) => number): number => t.reduce((n, x) => n + f(x), 0);
      const inOrder = t.every((x) => x.inOrder);
      ok &&= sum((x) => x.lost) === 0 && sum((x) => x.duplicated) === 0 && inOrder;
      say(`  ${m.user.padEnd(8)} ${String(sum((x) => x.received)).padEnd(18)} ${String(sum((x) => x.lost)).padEnd(6)} ${String(sum((x) => x.duplicated)).padEnd(11)} ${inOrder ? 'yes' : 'NO'}`);
    }
    return ok;
  } finally {
    for (const m of members) m.socket.destroy();
    await cluster.close();
    await redis.stop();
  }
}
