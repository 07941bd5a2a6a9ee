/**
 * `createSessionServer({ metrics: registry })`: a scripted run against a real server, then the
 * registry's Prometheus text parsed back as Prometheus reads it, every series asserting exact
 * counts; labels never carry a session id or a user; bad input names the option.
 */
import { Registry } from 'prom-client';
import { SessionHub, createSessionServer, memoryStore } from '../../src/server';
import type { SessionServer } from '../../src/server';
import { SERIES } from '../../src/server/metrics/series';
import { scraped } from '../support/metrics-helpers';
import type { Scraped } from '../support/metrics-helpers';
import { until } from '../support/real-helpers';
import { byUser, raw, sessionServer, stopAll } from '../support/session-helpers';
import type { Raw } from '../support/session-helpers';

afterEach(stopAll);

type F = Record<string, unknown> | string;
const isT = (t: string) => (f: F): boolean => typeof f === 'object' && f.t === t;
const msg = (s: number, d: string): object => ({ t: 'msg', s, id: `c${s}`, d });
const ignore = (): void => undefined;

/** A server whose app echoes every message back; `sends` holds every send() it made. */
async function echoServer(registry: Registry, options: Parameters<typeof sessionServer>[0] = {}): Promise<{ server: SessionServer; sends: Array<Promise<void>> }> {
  // A store of the app's own (here the memory store behind a plain object of its methods): timed.
  const server = await sessionServer({ metrics: registry, authenticate: byUser, ackDelay: 0, store: { ...memoryStore() }, ...options });
  const sends: Array<Promise<void>> = [];
  server.on('session', (ss) => ss.on('message', (d) => {
    const sent = ss.send(d);
    sent.catch(ignore); // a test that stops before the client acknowledged
    sends.push(sent);
  }));
  return { server, sends };
}

const scrape = async (registry: Registry): Promise<Scraped> => scraped(await registry.metrics());
/** Scrapes until `ready` holds (the server may see a close a moment after the client does). */
async function scrapeWhen(registry: Registry, ready: (m: Scraped) => boolean): Promise<Scraped> {
  let m = await scrape(registry);
  for (const end = Date.now() + 3000; !ready(m) && Date.now() < end; m = await scrape(registry)) await new Promise((r) => setTimeout(r, 10));
  return m;
}
const total = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);
/** Sends client message `s` and waits for its echo (server seq `s`). */
async function exchange(c: Raw, s: number): Promise<void> {
  c.send(msg(s, `m${s}`));
  await c.next((f) => isT('msg')(f) && (f as Record<string, unknown>).s === s);
}

test('three link kills: exactly 3 resumes, 3 closes 1006, and messages in and out as sent, each resend counted once', async () => {
  const registry = new Registry();
  const { server, sends } = await echoServer(registry);
  let c = await raw(server.port);
  const sid = (await c.hello(null)).sid as string;
  for (let s = 1; s <= 3; s++) await exchange(c, s);
  c.send({ t: 'ack', a: 3 });
  await exchange(c, 4); // echoed as server seq 4, never acknowledged on this link
  let rx = 3;
  for (let kill = 1; kill <= 3; kill++) {
    c.ws.terminate();
    await until(() => server.session(sid)?.online === false, 3000, 'the server to see the link gone');
    c = await raw(server.port);
    expect(await c.hello(sid, rx)).toMatchObject({ resumed: true });
    if (kill === 1) {
      await c.next(isT('msg')); // server seq 4, written again
      c.send({ t: 'ack', a: 4 });
      c.send(msg(4, 'm4')); // the client did not see its ack: sent again, dropped as a duplicate
    }
    await exchange(c, kill + 4);
    c.send({ t: 'ack', a: kill + 4 });
    rx = kill + 4;
  }
  await Promise.all(sends);
  const m = await scrape(registry);
  expect({
    linksOpened: m.value(SERIES.linksOpened.name),
    linksOpen: m.value(SERIES.linksOpen.name),
    closes: m.values(SERIES.closes.name),
    takeovers: m.value(SERIES.takeovers.name),
    started: m.value(SERIES.sessionsStarted.name),
    resumes: m.values(SERIES.resumes.name),
    messages: m.values(SERIES.messages.name),
    resends: m.values(SERIES.resends.name),
    sessions: m.value(SERIES.sessions.name),
    users: m.value(SERIES.usersOnline.name),
    unacked: m.value(SERIES.unacked.name),
    overflows: m.value(SERIES.overflows.name),
  }).toEqual({
    linksOpened: 4,
    linksOpen: 1,
    closes: { 'code=1006': 3 },
    takeovers: 0,
    started: 1,
    resumes: { 'reason=none,resumed=true': 3, 'reason=unknown,resumed=false': 0, 'reason=expired,resumed=false': 0, 'reason=forbidden,resumed=false': 0, 'reason=overflow,resumed=false': 0 },
    messages: { 'direction=in': 7, 'direction=out': 7 },
    resends: { 'direction=in': 1, 'direction=out': 1 },
    sessions: 1,
    users: 1,
    unacked: 0,
    overflows: 0,
  });
  const ack = m.histogram(SERIES.ackLatency.name)!;
  expect({ count: ack.count, inf: ack.buckets['+Inf'] }).toEqual({ count: 7, inf: 7 });
  expect(ack.sum).toBeGreaterThan(0);
  const store = (op: string): number => m.histogram(SERIES.storeSeconds.name, { op })?.count ?? 0;
  expect({ create: store('create'), claim: store('claim'), append: store('append') }).toEqual({ create: 1, claim: 3, append: 7 });
  expect(Object.values(m.values(SERIES.storeErrors.name)).every((n) => n === 0)).toBe(true);
});

test('a takeover, resumes that fail, an overflow, a protocol error and client close codes, each counted by its label', async () => {
  const registry = new Registry();
  const { server } = await echoServer(registry, { maxBuffered: 5 });
  const c1 = await raw(server.port, { 'x-user': 'carol' });
  const sid = (await c1.hello(null)).sid as string;
  const c2 = await raw(server.port, { 'x-user': 'carol' });
  expect(await c2.hello(sid)).toMatchObject({ resumed: true });
  expect((await c1.closed).code).toBe(4409);
  const stranger = await raw(server.port, { 'x-user': 'mallory' });
  expect(await stranger.hello(sid)).toMatchObject({ resumed: false, reason: 'forbidden' });
  const lost = await raw(server.port, { 'x-user': 'dave' });
  expect(await lost.hello('AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ resumed: false, reason: 'unknown' });
  const pushes = Array.from({ length: 6 }, (_, i) => server.send(sid, `p${i}`));
  await expect(pushes[5]).rejects.toMatchObject({ code: 'OVERFLOW' });
  pushes.slice(0, 5).forEach((p) => p.catch(ignore));
  const garbage = await raw(server.port, { 'x-user': 'erin' });
  garbage.send('{"t":"nonsense"}');
  expect((await garbage.closed).code).toBe(4400);
  for (const code of [3001, 4123, 1000]) {
    const leaving = await raw(server.port, { 'x-user': 'frank' });
    await leaving.hello(null);
    leaving.ws.close(code);
    await leaving.closed;
  }
  const m = await scrapeWhen(registry, (x) => total(x.values(SERIES.closes.name)) >= 5);
  expect(m.values(SERIES.closes.name)).toEqual({ 'code=4409': 1, 'code=4400': 1, 'code=3xxx': 1, 'code=4xxx': 1, 'code=1000': 1 });
  expect(m.value(SERIES.takeovers.name)).toBe(1);
  expect(m.values(SERIES.resumes.name)).toMatchObject({ 'reason=none,resumed=true': 1, 'reason=forbidden,resumed=false': 1, 'reason=unknown,resumed=false': 1 });
  // carol's first, mallory's and dave's (given instead), and frank's three.
  expect(m.value(SERIES.sessionsStarted.name)).toBe(6);
  expect(m.value(SERIES.overflows.name)).toBe(1);
  expect(m.value(SERIES.unacked.name)).toBe(5);
  expect(m.value(SERIES.linksOpen.name)).toBe(3);
  expect({ sessions: m.value(SERIES.sessions.name), users: m.value(SERIES.usersOnline.name) }).toEqual({ sessions: 3, users: 3 });
});

test('every series is there from the start with its type and help, and no label carries a session id or a user', async () => {
  const registry = new Registry();
  const { server } = await echoServer(registry);
  const c = await raw(server.port, { 'x-user': 'user-never-in-labels' });
  const sid = (await c.hello(null)).sid as string;
  await exchange(c, 1);
  const text = await registry.metrics();
  const m = scraped(text);
  for (const s of Object.values(SERIES)) {
    expect([s.name, m.type(s.name)]).toEqual([s.name, s.type]);
    expect(m.help(s.name)).toBe(s.help);
  }
  expect(m.names.filter((n) => n.startsWith('wxsm_')).sort()).toEqual(Object.values(SERIES).map((s) => s.name).sort());
  expect(text).not.toContain(sid);
  expect(text).not.toContain('user-');
});

test('two servers on one registry add up, and a closed one keeps what it counted', async () => {
  const registry = new Registry();
  const a = await echoServer(registry);
  const b = await echoServer(registry);
  for (const s of [a.server, b.server]) await (await raw(s.port)).hello(null);
  let m = await scrape(registry);
  expect([m.value(SERIES.linksOpen.name), m.value(SERIES.linksOpened.name), m.value(SERIES.usersOnline.name)]).toEqual([2, 2, 1]);
  await b.server.close();
  m = await scrape(registry);
  expect([m.value(SERIES.linksOpen.name), m.value(SERIES.linksOpened.name), m.values(SERIES.closes.name)]).toEqual([1, 2, { 'code=1001': 1 }]);
});

test('metrics that are not a prom-client Registry are a TypeError naming the option', () => {
  const message = '[wx-socket-manager] option "metrics" must be a prom-client Registry (new Registry() or register from "prom-client")';
  for (const bad of [{}, 'registry', true, { metrics: () => '' }]) {
    expect(() => createSessionServer({ metrics: bad as never })).toThrow(new TypeError(message));
    expect(() => new SessionHub({ metrics: bad as never })).toThrow(new TypeError(message));
  }
});

test('without the prom-client package, metrics say how to install it in one line', () => {
  jest.isolateModules(() => {
    jest.doMock('prom-client', () => {
      throw Object.assign(new Error("Cannot find module 'prom-client'"), { code: 'MODULE_NOT_FOUND' });
    });
    const { SessionHub: Hub } = require('../../src/server') as typeof import('../../src/server');
    const registryShaped = { registerMetric: ignore, getSingleMetric: ignore, getMetricsAsJSON: async () => [], metrics: async () => '' };
    expect(() => new Hub({ metrics: registryShaped })).toThrow('[wx-socket-manager] option "metrics" needs the "prom-client" package: npm install prom-client');
    jest.dontMock('prom-client');
  });
});

test('the memory store is not timed (its calls take microseconds in this process); a store of your own is, op by op', async () => {
  const registry = new Registry();
  const server = await sessionServer({ metrics: registry, authenticate: byUser });
  await (await raw(server.port)).hello(null);
  const m = await scrape(registry);
  expect([m.type(SERIES.storeSeconds.name), m.values(`${SERIES.storeSeconds.name}_count`), m.values(SERIES.storeErrors.name)]).toEqual(['histogram', {}, {}]);
  expect(m.value(SERIES.sessionsStarted.name)).toBe(1);
});
