/**
 * Security: attacks on `createSessionServer` (memoryStore) while an honest two-way client runs.
 * The server runs in a child process, so an abort is seen, not suffered. Each attack asserts: the
 * process stays up, its RSS stays under 400 MB, the honest client loses and duplicates nothing,
 * and the attacker's link gets the documented close code. Limits are the defaults except
 * helloTimeout (2 s) and idleTimeout (4 s), shortened so the suite runs in minutes.
 */
import { once } from 'events';
import WebSocket from 'ws';
import { sleep, until } from '../support/real-helpers';
import { HELLO, MB, attackServer, clientFrame, expectUnharmed, helloed, honestClient, rawSocket, twoWay, upgradeRequest, useAttackServers } from '../support/attack';
import type { AttackServer, Honest, RawSocket, Report } from '../support/attack';
import net from 'net';

useAttackServers();

const LIMITS = { helloTimeout: 2000, idleTimeout: 4000 };
const N = 200;
const figures: string[] = [];
afterAll(() => process.stdout.write(`security (memoryStore):\n${figures.join('\n')}\n`));

/** The shared assertions (expectUnharmed), and the figures for the report. */
async function unharmed(server: AttackServer, honest: Honest, attack: string): Promise<Report> {
  const report = await expectUnharmed(server, honest, N);
  figures.push(`  ${attack}: max RSS ${(report.maxRss / MB).toFixed(0)} MB, longest event-loop stall ${report.maxLagMs} ms`);
  return report;
}


test('a link that pings and never reads: nothing is queued to it beyond maxLinkBuffer, pong included, and it is closed 1013', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const attacker = await helloed(server.port, 'mallory');
  attacker.stopReading();
  // 1 MB of ping frames, written 30 times: 3 million pings whose pongs would be queued without the bound.
  const pings = Buffer.concat(Array.from({ length: 100000 }, () => clientFrame('ping')));
  await twoWay(server, honest, N, 25, async () => {
    for (let i = 0; i < 30; i++) if (!attacker.write(pings)) await once(attacker.socket, 'drain');
    const keepPinging = setInterval(() => attacker.text('ping'), 500);
    await until(() => server.offline.includes('mallory'), 20000, 'the attacker closed').finally(() => clearInterval(keepPinging));
  });
  attacker.startReading();
  expect(await attacker.closed).toBe(1013);
  const pongs = attacker.texts.filter((t) => t === 'pong').length;
  figures.push(`  pong flood: 3 000 000 pings, ${pongs} pongs written (${((pongs * 6) / MB).toFixed(1)} MB incl. what the kernel buffered)`);
  expect(pongs).toBeLessThan(3000000);
  await unharmed(server, honest, 'pong flood');
}, 90000);

test('1 MB echoes never acknowledged, on more sessions than one user may hold: each keeps at most maxBufferedBytes, the 21st live one is refused 4429', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const payload = 'x'.repeat(1000000);
  const attackers: RawSocket[] = [];
  const refused: number[] = [];
  await twoWay(server, honest, N, 25, async () => {
    for (let i = 0; i < 20; i++) {
      const a = await helloed(server.port, 'mallory');
      attackers.push(a);
      for (let s = 1; s <= 9; s++) a.text(JSON.stringify({ t: 'msg', s, id: `m${s}`, d: payload }));
    }
    for (let i = 0; i < 5; i++) {
      const extra = await rawSocket(server.port, 'mallory');
      extra.text(HELLO);
      refused.push(await extra.closed);
    }
    await until(() => attackers.every((a) => a.texts.some((t) => t.includes('"ack","a":9'))), 30000, 'every attacker message taken');
  });
  const report = await unharmed(server, honest, '1 MB echoes, 25 sessions');
  expect(refused).toEqual([4429, 4429, 4429, 4429, 4429]);
  // Each session took 8 echoes (8 000 000 B ≤ 8 MiB); its 9th overflowed.
  expect(report.echoFailures).toEqual({ OVERFLOW: 20 });
}, 90000);

test('2 000 links that ping but never say hello are each closed 4400 after helloTimeout', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const links: RawSocket[] = [];
  await twoWay(server, honest, N, 25, async () => {
    for (let i = 0; i < 2000; i += 100) links.push(...(await Promise.all(Array.from({ length: 100 }, () => rawSocket(server.port, 'mallory')))));
    const ping = setInterval(() => links.forEach((l) => l.text('ping')), 500);
    const codes = await Promise.all(links.map((l) => l.closed)).finally(() => clearInterval(ping));
    expect(new Set(codes)).toEqual(new Set([4400]));
  });
  expect(links.every((l) => l.texts.includes('pong') && l.texts.some((t) => t.includes('no hello within 2000 ms')))).toBe(true);
  await unharmed(server, honest, '2 000 no-hello links');
}, 90000);

test('slowloris: upgrade requests and hellos dribbled a byte at a time are cut after helloTimeout (408, then 4400)', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const dribble = (socket: net.Socket, bytes: Buffer, every: number): NodeJS.Timeout => {
    let at = 0;
    const timer = setInterval(() => (at < bytes.length && !socket.destroyed ? socket.write(bytes.subarray(at, ++at)) : clearInterval(timer)), every);
    return timer;
  };
  const answers: string[] = [];
  const codes: number[] = [];
  await twoWay(server, honest, N, 25, async () => {
    const http = await Promise.all(Array.from({ length: 300 }, () => new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        answers.push(answer.split('\r\n')[0] ?? '');
        resolve();
      });
      socket.on('connect', () => dribble(socket, upgradeRequest(server.port, 'mallory'), 300));
    })));
    const hellos = await Promise.all(Array.from({ length: 300 }, async () => {
      const s = await rawSocket(server.port, 'mallory');
      dribble(s.socket, clientFrame(HELLO), 300);
      return s.closed;
    }));
    codes.push(...hellos);
    void http;
  });
  expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 408 Request Timeout']));
  expect(new Set(codes)).toEqual(new Set([4400]));
  await unharmed(server, honest, 'slowloris');
}, 90000);

test('5 000 connect/hello/disconnect, half guessing session ids: every one gets a new session (new or unknown), and state stays bounded', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const reasons = new Map<string, number>();
  const before = (await server.report()).heapAfterGc;
  await twoWay(server, honest, N, 50, async () => {
    let next = 0;
    // Ten at a time: fewer than maxSessionsPerUser live at once, so every one gets a session.
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < 5000) {
        const i = next++;
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, { headers: { 'x-user': 'churner' }, perMessageDeflate: false });
        const welcome = await new Promise<{ reason: string }>((resolve, reject) => {
          ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, sid: i % 2 ? `guess${i}aaaaaaaaaaaaaaa` : null, rx: 0 })));
          ws.on('message', (d) => resolve(JSON.parse(d.toString()) as { reason: string }));
          ws.on('error', reject);
        });
        reasons.set(welcome.reason, (reasons.get(welcome.reason) ?? 0) + 1);
        ws.terminate();
      }
    }));
  }, 120000);
  expect(Object.fromEntries(reasons)).toEqual({ new: 2500, unknown: 2500 });
  const report = await unharmed(server, honest, '5 000 churn');
  // The user keeps at most 20 sessions; the 4 980 ended ones leave only a tombstone (answering "expired") for sessionTtl.
  const grown = report.heapAfterGc - before;
  figures.push(`  5 000 churn: heap after GC grew ${(grown / MB).toFixed(1)} MB (${Math.round(grown / 5000)} B per session made)`);
  expect(grown).toBeLessThan(10 * MB);
}, 150000);

test('a takeover race: 200 links resume one session at once; exactly one keeps it and every other gets 4409', async () => {
  const server = await attackServer(LIMITS);
  const honest = await honestClient(server.port);
  const owner = await helloed(server.port, 'racer');
  const sid = (JSON.parse(owner.texts.find((t) => t.includes('"welcome"'))!) as { sid: string }).sid;
  const racers: RawSocket[] = [];
  let open: RawSocket[] = [];
  await twoWay(server, honest, N, 25, async () => {
    racers.push(...(await Promise.all(Array.from({ length: 200 }, () => rawSocket(server.port, 'racer')))));
    for (const r of racers) r.text(JSON.stringify({ t: 'hello', v: 1, sid, rx: 0 }));
    await until(() => [owner, ...racers].filter((r) => r.closeCode === undefined).length <= 1, 20000, 'all but one closed');
    await sleep(300);
    open = racers.filter((r) => r.closeCode === undefined);
    open[0]?.text(JSON.stringify({ t: 'msg', s: 1, id: 'x', d: 'still works' }));
    await until(() => open[0]?.texts.includes('{"t":"ack","a":1}') === true, 5000, 'ack on the winner');
  });
  const closedCodes = await Promise.all([owner, ...racers].filter((r) => !open.includes(r)).map((r) => r.closed));
  expect(open).toHaveLength(1);
  expect(open[0]!.texts.filter((t) => t.includes('"welcome"'))).toHaveLength(1);
  expect(new Set(closedCodes)).toEqual(new Set([4409]));
  await unharmed(server, honest, 'takeover race');
}, 90000);
