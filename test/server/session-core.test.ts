/**
 * The transport-agnostic core (`SessionHub`) on a fake transport, fake timers: what is written
 * to a link whose peer does not read, and when links that misbehave are closed.
 */
import { SessionHub, memoryStore } from '../../src/server';
import type { HubOptions, LinkInput, ServerSession, SessionStore, Transport } from '../../src/server';

/** A transport that records frames and closes, with as many bytes "queued" as the test says. */
class FakeTransport implements Transport {
  readonly frames: string[] = [];
  closes: Array<[number, string]> = [];
  queued = 0;
  paused = false;
  send(text: string): void {
    this.frames.push(text);
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
  buffered(): number {
    return this.queued;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** The frames parsed, pings' pongs as the string. */
  parsed(): Array<Record<string, unknown> | string> {
    return this.frames.map((f) => (f.startsWith('{') ? (JSON.parse(f) as Record<string, unknown>) : f));
  }
}

const HELLO = JSON.stringify({ t: 'hello', v: 1, sid: null, rx: 0 });
const hubs: SessionHub[] = [];
let store: SessionStore;

beforeEach(() => {
  jest.useFakeTimers({ now: 0 });
  store = memoryStore();
});
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  await store.close();
  jest.useRealTimers();
});

async function hub(options: HubOptions = {}): Promise<{ hub: SessionHub; sessions: ServerSession[] }> {
  const h = new SessionHub({ store, node: 'n1', ...options });
  hubs.push(h);
  await h.start();
  const sessions: ServerSession[] = [];
  h.on('session', (ss) => void sessions.push(ss));
  return { hub: h, sessions };
}

/** Lets the store's promises and events run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

async function linked(h: SessionHub, user = 'alice'): Promise<{ t: FakeTransport; link: LinkInput }> {
  const t = new FakeTransport();
  const link = h.attach(t, user);
  link.text(HELLO);
  await flush();
  return { t, link };
}

describe('the session core on a fake transport', () => {
  test('nothing is written while more than maxLinkBuffer bytes are queued, pong included; writing resumes in order once the peer reads', async () => {
    const { hub: h, sessions } = await hub({ maxLinkBuffer: 1000 });
    const { t, link } = await linked(h);
    expect(t.parsed()).toEqual([expect.objectContaining({ t: 'welcome', reason: 'new' })]);
    void sessions[0]!.send('one').catch(() => undefined);
    await flush();
    t.queued = 1001;
    void sessions[0]!.send('two').catch(() => undefined);
    void sessions[0]!.send('three').catch(() => undefined);
    link.text('ping');
    await flush();
    expect(t.parsed().slice(1)).toEqual([{ t: 'msg', s: 1, id: expect.any(String), d: 'one' }]);
    // Exactly at the limit counts as reading again.
    t.queued = 1000;
    jest.advanceTimersByTime(100);
    await flush();
    link.text('ping');
    expect(t.parsed().slice(2)).toEqual([{ t: 'msg', s: 2, id: expect.any(String), d: 'two' }, { t: 'msg', s: 3, id: expect.any(String), d: 'three' }, 'pong']);
    expect(t.closes).toEqual([]);
  });

  test('a link stuck above maxLinkBuffer for idleTimeout is closed 1013 even while it pings; the session keeps its messages for the next link', async () => {
    const { hub: h, sessions } = await hub({ maxLinkBuffer: 1000, idleTimeout: 3000 });
    const { t, link } = await linked(h);
    const sid = (t.parsed()[0] as { sid: string }).sid;
    t.queued = 5000;
    for (const d of ['a', 'b']) void sessions[0]!.send(d).catch(() => undefined);
    for (let ms = 0; ms < 2900; ms += 100) {
      link.text('ping');
      jest.advanceTimersByTime(100);
      await flush();
    }
    expect(t.closes).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(t.closes).toEqual([[1013, 'not reading']]);
    expect(t.frames).toHaveLength(1);
    link.closed();
    const next = new FakeTransport();
    h.attach(next, 'alice').text(JSON.stringify({ t: 'hello', v: 1, sid, rx: 0 }));
    await flush();
    expect(next.parsed()).toEqual([
      { t: 'welcome', v: 1, sid, resumed: true, rx: 0, ttl: 120000 },
      { t: 'msg', s: 1, id: expect.any(String), d: 'a' },
      { t: 'msg', s: 2, id: expect.any(String), d: 'b' },
    ]);
  });

  test('a link that says no hello within helloTimeout is closed 4400; its pings are answered meanwhile but do not count', async () => {
    const { hub: h } = await hub({ helloTimeout: 2000 });
    const t = new FakeTransport();
    const link = h.attach(t, 'alice');
    for (let ms = 0; ms < 1900; ms += 100) {
      link.text('ping');
      jest.advanceTimersByTime(100);
    }
    expect(t.closes).toEqual([]);
    expect(t.frames.every((f) => f === 'pong')).toBe(true);
    jest.advanceTimersByTime(700);
    expect(t.closes).toEqual([[4400, 'protocol error']]);
    expect(t.parsed().pop()).toEqual({ t: 'error', code: 4400, message: 'no hello within 2000 ms' });
  });

  test('a link that said hello in time is not closed by helloTimeout', async () => {
    const { hub: h } = await hub({ helloTimeout: 2000, idleTimeout: 60000 });
    const { t } = await linked(h);
    jest.advanceTimersByTime(5000);
    expect(t.closes).toEqual([]);
  });

  test('a flood of msgs while the app is slow pauses reading once maxLinkBuffer bytes wait, not only after 1000 frames', async () => {
    const { hub: h, sessions } = await hub({ maxLinkBuffer: 10000 });
    const { t, link } = await linked(h);
    let release: () => void = () => undefined;
    sessions[0]!.on('message', () => new Promise<void>((r) => (release = r)));
    const big = 'x'.repeat(3000);
    for (let s = 1; s <= 4; s++) link.text(JSON.stringify({ t: 'msg', s, id: `m${s}`, d: big }));
    expect(t.paused).toBe(false);
    link.text(JSON.stringify({ t: 'msg', s: 5, id: 'm5', d: big }));
    expect(t.paused).toBe(true);
    // Reading resumes once less than half of it waits.
    const waiting: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      release();
      await flush();
      waiting.push(t.paused);
    }
    expect(waiting).toEqual([true, true, true, false]);
  });

  test('the core owns its defaults and checks: a bad limit is a TypeError naming it, an unknown option too', () => {
    expect(() => new SessionHub({ helloTimeout: 0 })).toThrow('[wx-socket-manager] option "helloTimeout" must be a number > 0');
    expect(() => new SessionHub({ maxLinkBuffer: 1.5 })).toThrow('[wx-socket-manager] option "maxLinkBuffer" must be a whole number > 0');
    expect(() => new SessionHub({ maxBufferedBytes: -1 })).toThrow('option "maxBufferedBytes" must be a whole number > 0');
    expect(() => new SessionHub({ maxSessionsPerUser: 0 })).toThrow('option "maxSessionsPerUser" must be a whole number > 0');
    expect(() => new SessionHub({ handoverTimeout: NaN })).toThrow('option "handoverTimeout" must be a number > 0');
    expect(() => new SessionHub({ node: 'a|b' })).toThrow('option "node" must be a non-empty string without "|"');
    expect(() => new SessionHub({ store: {} as SessionStore })).toThrow('option "store" must be a SessionStore');
    expect(() => new SessionHub({ helloTimout: 5 } as HubOptions)).toThrow(TypeError);
    expect(() => new SessionHub({ helloTimout: 5 } as HubOptions)).toThrow('option "helloTimout" is unknown');
  });

  test('its limits default to SESSION_DEFAULTS', () => {
    const h = new SessionHub();
    hubs.push(h);
    expect(h.limits).toEqual({
      sessionTtl: 120000, maxBuffered: 1000, maxBufferedBytes: 8388608, maxSessionsPerUser: 20, idleTimeout: 30000,
      helloTimeout: 10000, handoverTimeout: 30000, maxLinkBuffer: 1048576, maxRoomsPerSession: 100, maxMembersPerRoom: 100000, ackDelay: 50,
    });
  });
});
