/**
 * What every SessionStore must do, as one reusable suite:
 *   describeStoreContract('memoryStore', () => memoryStore())
 * `makeStore` is called once per test; the suite closes what it made.
 */
import type { SessionStore, StoreEvent } from '../../src/server/store';
import { describeRoomsContract } from './store-rooms-contract';
import { sleep } from './real-helpers';
import { cap, made, useStore } from './store-harness';

const TTL = 120000;

export { cap, made };
const msg = (n: number): { id: string; d: string } => ({ id: `m${n}`, d: `data ${n}` });
/** A user no earlier test touched (a shared store, such as one Redis, keeps every test's sessions). */
const uniqueUser = (): string => `alice-${Math.random().toString(36).slice(2)}`;

export function describeStoreContract(name: string, makeStore: () => SessionStore | Promise<SessionStore>): void {
  describeRoomsContract(name, makeStore);
  describe(`${name} (store contract)`, () => {
    const { store: current, watch, until } = useStore(makeStore);
    let store: SessionStore;
    beforeEach(() => {
      store = current();
    });

    test('a new session has a fresh 128-bit base64url id, its user, its owner and nothing buffered', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      const b = await made(store, 'alice', 'n1', TTL);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(b.id).not.toBe(a.id);
      expect({ ...a, id: '' }).toEqual({ id: '', user: 'alice', rx: 0, seq: 0, acked: 0, fence: a.fence, node: 'n1' });
      expect(await store.replay(a.id, 0, 10)).toEqual([]);
    });

    test('claiming resumes the same state, bumps the fence and moves the owner', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      await store.received(a.id, a.fence, 3);
      const c = await store.claim(a.id, 'alice', 'n2', TTL);
      expect(c).toEqual({ ok: true, session: { id: a.id, user: 'alice', rx: 3, seq: 1, acked: 0, fence: c.ok ? c.session.fence : 0, node: 'n2' } });
      expect(c.ok && c.session.fence > a.fence).toBe(true);
    });

    test('claiming another user\'s session is forbidden and changes nothing; an unknown id is unknown', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      expect(await store.claim(a.id, 'mallory', 'n2', TTL)).toEqual({ ok: false, reason: 'forbidden' });
      expect(await store.received(a.id, a.fence, 1)).toBe('ok');
      expect(await store.claim('AAAAAAAAAAAAAAAAAAAAAA', 'alice', 'n1', TTL)).toEqual({ ok: false, reason: 'unknown' });
    });

    test('writes with a stale fence are refused after a takeover', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      const c = await store.claim(a.id, 'alice', 'n2', TTL);
      if (!c.ok) throw new Error('claim failed');
      expect(await store.received(a.id, a.fence, 5)).toBe('stale');
      expect(await store.ack(a.id, a.fence, 1)).toBe('stale');
      await store.release(a.id, a.fence, 1);
      await sleep(30);
      expect(await store.received(a.id, c.session.fence, 2)).toBe('ok');
      expect(await store.ack(a.id, c.session.fence, 1)).toBe('ok');
      const again = await store.claim(a.id, 'alice', 'n1', TTL);
      expect(again.ok && again.session).toMatchObject({ rx: 2, seq: 1, acked: 1 });
    });

    test('concurrent appends get distinct gapless seqs, replayed in order and in pages', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(a.id, msg(i + 1), cap(100))));
      const seqs = results.map((r) => (r.ok ? r.s : -1)).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const page1 = await store.replay(a.id, 0, 20);
      const page2 = await store.replay(a.id, 20, 20);
      const page3 = await store.replay(a.id, 40, 20);
      expect([page1.length, page2.length, page3.length]).toEqual([20, 20, 10]);
      expect([...page1, ...page2, ...page3].map((m) => m.s)).toEqual(seqs);
      const bySeq = new Map(results.map((r, i) => [r.ok ? r.s : -1, `m${i + 1}`]));
      expect(page1.every((m) => m.id === bySeq.get(m.s) && m.d === `data ${m.id.slice(1)}`)).toBe(true);
    });

    test('binary payloads keep their flag; text ones have none', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, { id: 'x', d: 'AAE=', b: 1 }, cap(10));
      await store.append(a.id, { id: 'y', d: 'plain' }, cap(10));
      expect(await store.replay(a.id, 0, 10)).toEqual([{ s: 1, id: 'x', d: 'AAE=', b: 1 }, { s: 2, id: 'y', d: 'plain' }]);
    });

    test('acks are cumulative and trim what the client has', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      for (let i = 1; i <= 5; i++) await store.append(a.id, msg(i), cap(10));
      expect(await store.ack(a.id, a.fence, 3)).toBe('ok');
      expect((await store.replay(a.id, 3, 10)).map((m) => m.s)).toEqual([4, 5]);
      expect(await store.ack(a.id, a.fence, 2)).toBe('ok');
      expect((await store.replay(a.id, 3, 10)).map((m) => m.s)).toEqual([4, 5]);
      expect(await store.ack(a.id, a.fence, 5)).toBe('ok');
      expect(await store.replay(a.id, 0, 10)).toEqual([]);
      const c = await store.claim(a.id, 'alice', 'n1', TTL);
      expect(c.ok && c.session).toMatchObject({ seq: 5, acked: 5 });
    });

    test('received only raises rx', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.received(a.id, a.fence, 4);
      await store.received(a.id, a.fence, 2);
      const c = await store.claim(a.id, 'alice', 'n1', TTL);
      expect(c.ok && c.session.rx).toBe(4);
    });

    test('more than maxBuffered unacked messages: refused, never dropped, and the next claim says overflow', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      const seen = await watch('n1');
      for (let i = 1; i <= 3; i++) expect(await store.append(a.id, msg(i), cap(3))).toEqual({ ok: true, s: i });
      expect(await store.append(a.id, msg(4), cap(3))).toEqual({ ok: false, reason: 'overflow' });
      expect((await store.replay(a.id, 0, 10)).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
      // Space freed by an ack is usable, but the mark stays.
      await store.ack(a.id, a.fence, 1);
      expect(await store.append(a.id, msg(5), cap(3))).toEqual({ ok: true, s: 4 });
      expect(await store.claim(a.id, 'alice', 'n2', TTL)).toEqual({ ok: false, reason: 'overflow' });
      await until(() => seen.some((e) => e.type === 'lost'), 'lost event');
      expect(seen.filter((e) => e.type === 'lost')).toEqual([{ type: 'lost', id: a.id, reason: 'overflow' }]);
      expect(await store.claim(a.id, 'alice', 'n2', TTL)).toEqual({ ok: false, reason: 'unknown' });
    });

    test('appending to an unknown session is refused', async () => {
      expect(await store.append('AAAAAAAAAAAAAAAAAAAAAA', msg(1), cap(10))).toEqual({ ok: false, reason: 'unknown' });
    });

    test('a released session resumes within ttl, answers expired after it, then unknown after another ttl', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      await store.release(a.id, a.fence, 300);
      await sleep(100);
      const c = await store.claim(a.id, 'alice', 'n2', 300);
      if (!c.ok) throw new Error(`claim failed: ${c.reason}`);
      expect((await store.replay(a.id, 0, 10)).map((m) => m.s)).toEqual([1]);
      await store.release(a.id, c.session.fence, 150);
      await sleep(250);
      expect(await store.claim(a.id, 'alice', 'n2', 150)).toEqual({ ok: false, reason: 'expired' });
      expect(await store.replay(a.id, 0, 10)).toEqual([]);
      expect(await store.append(a.id, msg(2), cap(10))).toEqual({ ok: false, reason: 'unknown' });
      await sleep(200);
      expect(await store.claim(a.id, 'alice', 'n2', 150)).toEqual({ ok: false, reason: 'unknown' });
    });

    test('a session with a live owner does not expire', async () => {
      const a = await made(store, 'alice', 'n1', 100);
      await sleep(250);
      expect((await store.claim(a.id, 'alice', 'n1', 100)).ok).toBe(true);
    });

    test('a stale release does not release the new owner\'s session', async () => {
      const a = await made(store, 'alice', 'n1', 100);
      const c = await store.claim(a.id, 'alice', 'n2', 100);
      await store.release(a.id, a.fence, 100);
      await sleep(250);
      expect(c.ok && (await store.received(a.id, c.session.fence, 1))).toBe('ok');
    });

    test('events: the doorbell rings for the owner, the previous owner hears of a takeover, acks are announced', async () => {
      const seen1 = await watch('n1');
      const seen2 = await watch('n2');
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      await until(() => seen1.some((e) => e.type === 'appended'), 'appended');
      const c = await store.claim(a.id, 'alice', 'n2', TTL);
      if (!c.ok) throw new Error('claim failed');
      await until(() => seen1.some((e) => e.type === 'taken'), 'taken');
      await store.append(a.id, msg(2), cap(10));
      await until(() => seen2.some((e) => e.type === 'appended' && e.s === 2), 'appended on n2');
      await store.ack(a.id, c.session.fence, 2);
      await until(() => seen2.some((e) => e.type === 'acked'), 'acked');
      expect(seen1.filter((e) => e.type !== 'acked' && !(e.type === 'appended' && e.s === 2))).toEqual([
        { type: 'appended', id: a.id, s: 1 },
        { type: 'taken', id: a.id, fence: c.session.fence, node: 'n2' },
      ]);
      expect(seen2.filter((e) => e.type !== 'acked' && e.type !== 'taken' && !(e.type === 'appended' && e.s === 1))).toEqual([{ type: 'appended', id: a.id, s: 2 }]);
      expect(seen2.filter((e) => e.type === 'acked')).toEqual([{ type: 'acked', id: a.id, a: 2 }]);
    });

    test('a user at maxSessions loses their least recently seen session without a link: it answers expired, its senders hear lost', async () => {
      const alice = uniqueUser();
      const seen = await watch('n1');
      const [a, b, c] = [await made(store, alice, 'n1', TTL), await made(store, alice, 'n1', TTL), await made(store, alice, 'n1', TTL)];
      await store.append(a.id, msg(1), cap(10));
      await store.release(a.id, a.fence, TTL);
      await sleep(5);
      await store.release(b.id, b.fence, TTL);
      expect((await store.create(`bob-${alice}`, 'n1', TTL, 3)).ok).toBe(true);
      const d = await store.create(alice, 'n1', TTL, 3);
      expect(d.ok).toBe(true);
      expect(await store.claim(a.id, alice, 'n2', TTL)).toEqual({ ok: false, reason: 'expired' });
      await until(() => seen.some((e) => e.type === 'lost'), 'lost event');
      expect(seen.filter((e) => e.type === 'lost')).toEqual([{ type: 'lost', id: a.id, reason: 'expired' }]);
      expect(await store.append(a.id, msg(2), cap(10))).toEqual({ ok: false, reason: 'unknown' });
      expect((await store.claim(b.id, alice, 'n2', TTL)).ok).toBe(true);
      expect(await store.received(c.id, c.fence, 1)).toBe('ok');
    });

    test('a user whose sessions all have a link gets no new one past maxSessions (limit); nothing is created or ended', async () => {
      const alice = uniqueUser();
      const a = await made(store, alice, 'n1', TTL);
      const b = await made(store, alice, 'n1', TTL);
      expect(await store.create(alice, 'n1', TTL, 2)).toEqual({ ok: false, reason: 'limit' });
      expect(await store.create(alice, 'n1', TTL, 2)).toEqual({ ok: false, reason: 'limit' });
      expect([await store.received(a.id, a.fence, 1), await store.received(b.id, b.fence, 1)]).toEqual(['ok', 'ok']);
      await store.release(b.id, b.fence, TTL);
      expect((await store.create(alice, 'n1', TTL, 2)).ok).toBe(true);
      expect(await store.claim(b.id, alice, 'n1', TTL)).toEqual({ ok: false, reason: 'expired' });
    });

    test('the byte limit: an append that would hold more than limit.bytes unacknowledged is refused and marks the session; acks free bytes', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      const limit = { messages: 100, bytes: 10 };
      expect(await store.append(a.id, { id: 'x', d: '1234' }, limit)).toEqual({ ok: true, s: 1 });
      expect(await store.append(a.id, { id: 'y', d: '中文' }, limit)).toEqual({ ok: true, s: 2 });
      expect(await store.append(a.id, { id: 'z', d: '1' }, limit)).toEqual({ ok: false, reason: 'overflow' });
      expect(await store.ack(a.id, a.fence, 1)).toBe('ok');
      expect(await store.append(a.id, { id: 'w', d: '1234' }, limit)).toEqual({ ok: true, s: 3 });
      expect((await store.replay(a.id, 1, 10)).map((m) => m.d)).toEqual(['中文', '1234']);
      expect(await store.claim(a.id, 'alice', 'n1', TTL)).toEqual({ ok: false, reason: 'overflow' });
    });

    test('fenced writes tell a takeover (stale) from a session the store no longer holds (gone)', async () => {
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      expect(await store.ack(a.id, a.fence, 2)).toBe('gone');
      const c = await store.claim(a.id, 'alice', 'n2', TTL);
      if (!c.ok) throw new Error('claim failed');
      expect([await store.received(a.id, a.fence, 1), await store.ack(a.id, a.fence, 1)]).toEqual(['stale', 'stale']);
      await store.release(a.id, c.session.fence, 0);
      expect([await store.received(a.id, c.session.fence, 1), await store.ack(a.id, c.session.fence, 1)]).toEqual(['gone', 'gone']);
      expect(await store.claim(a.id, 'alice', 'n2', TTL)).toEqual({ ok: false, reason: 'unknown' });
    });

    test('an unsubscribed listener hears nothing more', async () => {
      const seen: StoreEvent[] = [];
      const stop = await store.subscribe('n1', (e) => seen.push(e));
      await stop();
      const a = await made(store, 'alice', 'n1', TTL);
      await store.append(a.id, msg(1), cap(10));
      await sleep(50);
      expect(seen).toEqual([]);
    });
  });
}
