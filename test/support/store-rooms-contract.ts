/**
 * What every SessionStore must do for rooms and users (PROTOCOL.md "Rooms and users"), run by
 * `describeStoreContract` for each store: membership kept beside the sessions and ended with
 * them, fan-out to every member's stream under its own seq, limits, doorbells, repeats, volatile.
 */
import type { RoomLimit, SessionState, SessionStore, StoreEvent } from '../../src/server/store';
import { sleep } from './real-helpers';
import { cap, made, useStore } from './store-harness';

const TTL = 120000;
const ROOMY: RoomLimit = { rooms: 100, members: 1000 };
const unique = (name: string): string => `${name}-${Math.random().toString(36).slice(2)}`;

export function describeRoomsContract(name: string, makeStore: () => SessionStore | Promise<SessionStore>): void {
  describe(`${name} (rooms contract)`, () => {
    const { store: current, watch, until } = useStore(makeStore);
    let store: SessionStore;
    beforeEach(() => {
      store = current();
    });
    const session = (user: string, node = 'n1'): Promise<SessionState> => made(store, user, node, TTL);
    const sorted = <T>(xs: T[], key: (x: T) => string): T[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const seqs = async (id: string): Promise<string[]> => (await store.replay(id, 0, 100)).map((m) => `${m.s}:${m.d}${m.r === undefined ? '' : `@${m.r}`}`);

    test('a session joins rooms (joining twice changes nothing), lists them, is listed with its user and node, and leaves', async () => {
      const room = unique('order:42 房间 #1');
      const [a, b] = [await session('alice'), await session('bob', 'n2')];
      expect(await store.join(a.id, room, ROOMY)).toBe('ok');
      expect(await store.join(a.id, room, ROOMY)).toBe('ok');
      expect(await store.join(a.id, `${room}-other`, ROOMY)).toBe('ok');
      expect(await store.join(b.id, room, ROOMY)).toBe('ok');
      expect((await store.rooms(a.id))!.sort()).toEqual([room, `${room}-other`].sort());
      expect(sorted(await store.members({ room }), (m) => m.user)).toEqual([{ id: a.id, user: 'alice', node: 'n1' }, { id: b.id, user: 'bob', node: 'n2' }]);
      await store.leave(a.id, room);
      await store.leave(a.id, room);
      await store.leave(b.id, `${room}-never`);
      expect(await store.rooms(a.id)).toEqual([`${room}-other`]);
      expect(await store.members({ room })).toEqual([{ id: b.id, user: 'bob', node: 'n2' }]);
      expect(await store.members({ room: unique('empty') })).toEqual([]);
    });

    test('an unknown session joins nothing and has no rooms; a released one is listed without a node', async () => {
      const room = unique('r');
      expect(await store.join('AAAAAAAAAAAAAAAAAAAAAA', room, ROOMY)).toBe('unknown');
      expect(await store.rooms('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
      expect(await store.members({ room })).toEqual([]);
      const a = await session('alice');
      await store.join(a.id, room, ROOMY);
      await store.release(a.id, a.fence, TTL);
      expect(await store.members({ room })).toEqual([{ id: a.id, user: 'alice', node: null }]);
    });

    test('room limits: past `rooms` a session joins no more; past `members` a room takes no more; neither side keeps a half join', async () => {
      const room = unique('r');
      const [a, b, c] = [await session('alice'), await session('alice'), await session('alice')];
      const limit = { rooms: 2, members: 2 };
      expect([await store.join(a.id, `${room}1`, limit), await store.join(a.id, `${room}2`, limit), await store.join(a.id, `${room}3`, limit)]).toEqual(['ok', 'ok', 'rooms']);
      expect((await store.rooms(a.id))!.sort()).toEqual([`${room}1`, `${room}2`]);
      expect(await store.members({ room: `${room}3` })).toEqual([]);
      expect([await store.join(b.id, `${room}1`, limit), await store.join(c.id, `${room}1`, limit)]).toEqual(['ok', 'members']);
      expect(await store.rooms(c.id)).toEqual([]);
      expect(await store.join(a.id, `${room}1`, limit)).toBe('ok');
      await store.leave(b.id, `${room}1`);
      expect(await store.join(c.id, `${room}1`, limit)).toBe('ok');
    });

    test('a publish is appended to every member under its own next seq, after what each already had, with the room in r', async () => {
      const room = unique('lobby');
      const [a, b, c] = [await session('alice'), await session('bob'), await session('carol')];
      for (const s of [a, b]) await store.join(s.id, room, ROOMY);
      await store.append(a.id, { id: 'direct', d: 'just you' }, cap(10));
      const r = await store.publish({ room }, { id: 'p1', d: 'hello', r: room }, cap(10));
      expect(sorted(r.appended, (x) => x.id)).toEqual(sorted([{ id: a.id, s: 2 }, { id: b.id, s: 1 }], (x) => x.id));
      expect(r.overflowed).toEqual([]);
      await store.publish({ room }, { id: 'p2', d: 'AAE=', b: 1, r: room }, cap(10));
      expect(await seqs(a.id)).toEqual(['1:just you', `2:hello@${room}`, `3:AAE=@${room}`]);
      expect(await store.replay(b.id, 0, 10)).toEqual([{ s: 1, id: 'p1', d: 'hello', r: room }, { s: 2, id: 'p2', d: 'AAE=', b: 1, r: room }]);
      expect(await store.replay(c.id, 0, 10)).toEqual([]);
      expect(await store.publish({ room: unique('nobody') }, { id: 'p3', d: 'x', r: 'x' }, cap(10))).toEqual({ appended: [], overflowed: [] });
    });

    test('a member whose buffer is full is marked overflowed and skipped; the others get the message; its next claim says overflow', async () => {
      const room = unique('r');
      const [a, b] = [await session('alice'), await session('bob')];
      for (const s of [a, b]) await store.join(s.id, room, ROOMY);
      await store.append(a.id, { id: 'd1', d: 'x' }, cap(10));
      await store.append(a.id, { id: 'd2', d: 'y' }, cap(10));
      const r = await store.publish({ room }, { id: 'p1', d: 'hello', r: room }, cap(2));
      expect(r).toEqual({ appended: [{ id: b.id, s: 1 }], overflowed: [a.id] });
      expect(await store.claim(a.id, 'alice', 'n1', TTL)).toEqual({ ok: false, reason: 'overflow' });
      expect((await store.claim(b.id, 'bob', 'n1', TTL)).ok).toBe(true);
      const bytes = await store.publish({ room }, { id: 'p2', d: '中文中文', r: room }, { messages: 10, bytes: 10 });
      expect(bytes).toEqual({ appended: [], overflowed: [b.id] });
    });

    test('a user audience reaches every live session of that user and no one else', async () => {
      const alice = unique('alice');
      const [a1, a2, other] = [await session(alice), await session(alice, 'n2'), await session(unique('bob'))];
      const r = await store.publish({ user: alice }, { id: 'u1', d: 'for you', r: 'user' }, cap(10));
      expect(sorted(r.appended, (x) => x.id)).toEqual(sorted([{ id: a1.id, s: 1 }, { id: a2.id, s: 1 }], (x) => x.id));
      expect(await store.replay(a2.id, 0, 10)).toEqual([{ s: 1, id: 'u1', d: 'for you', r: 'user' }]);
      expect(await store.replay(other.id, 0, 10)).toEqual([]);
      expect(sorted(await store.members({ user: alice }), (m) => m.node!)).toEqual([{ id: a1.id, user: alice, node: 'n1' }, { id: a2.id, user: alice, node: 'n2' }]);
      expect(await store.publish({ user: unique('nobody') }, { id: 'u2', d: 'x', r: 'user' }, cap(10))).toEqual({ appended: [], overflowed: [] });
    });

    test('the nodes holding members hear the message with each one\'s seq — the publishing node does not; a publish repeated with the same id (dedupe) appends nothing and tells how many the first reached', async () => {
      const room = unique('r');
      const seen2 = await watch('n2');
      const seen1 = await watch('n1');
      const [a, b, mine] = [await session('alice', 'n1'), await session('bob', 'n1'), await session('carol', 'n2')];
      for (const s of [a, b, mine]) await store.join(s.id, room, ROOMY);
      await store.append(a.id, { id: 'd1', d: 'direct' }, cap(10));
      const once = { node: 'n2', dedupeMs: 60000 };
      await store.publish({ room }, { id: 'once', d: 'hi', r: room }, cap(10), once);
      await until(() => seen1.some((e) => e.type === 'published' && e.m.r === room), 'the doorbell of n1');
      await sleep(50);
      // One event per publish (per Redis node on a Cluster), each with the message (a shared Redis may still carry earlier tests' doorbells: this room's only).
      const heard = seen1.filter((e) => e.type === 'published' && e.m.r === room) as Array<Extract<StoreEvent, { type: 'published' }>>;
      expect(new Set(heard.map((e) => JSON.stringify(e.m)))).toEqual(new Set([JSON.stringify({ id: 'once', d: 'hi', r: room })]));
      expect(sorted(heard.flatMap((e) => e.to).filter((x) => x.id !== mine.id), (x) => x.id)).toEqual(sorted([{ id: a.id, s: 2 }, { id: b.id, s: 1 }], (x) => x.id));
      expect(seen2.filter((e) => e.type === 'published' && e.to.some((x) => x.id === mine.id))).toEqual([]);
      expect(await store.publish({ room }, { id: 'once', d: 'hi', r: room }, cap(10), once)).toEqual({ appended: [], overflowed: [], repeated: 3 });
      expect((await store.publish({ room }, { id: 'twice', d: 'hi', r: room }, cap(10), once)).appended).toHaveLength(3);
      expect(await seqs(a.id)).toEqual(['1:direct', `2:hi@${room}`, `3:hi@${room}`]);
    });

    test('membership survives a resume on another node and ends with the session: expiry, the user limit, an overflow claim, a forgetting release', async () => {
      const room = unique('r');
      const alice = unique('alice');
      const [moved, expiring, limited, overflowing, forgotten] = [await session(alice), await session(alice), await session(alice), await session(alice), await session(alice)];
      for (const s of [moved, expiring, limited, overflowing, forgotten]) await store.join(s.id, room, ROOMY);
      const c = await store.claim(moved.id, alice, 'n2', TTL);
      expect(c.ok).toBe(true);
      await store.release(expiring.id, expiring.fence, 50);
      await store.release(limited.id, limited.fence, TTL);
      await store.append(overflowing.id, { id: 'x', d: 'x' }, cap(1));
      await store.append(overflowing.id, { id: 'y', d: 'y' }, cap(1));
      await store.claim(overflowing.id, alice, 'n1', TTL);
      await store.release(forgotten.id, forgotten.fence, 0);
      await sleep(250);
      expect((await store.create(alice, 'n1', TTL, 2)).ok).toBe(true); // ends `limited`, the least recently seen without a link
      expect((await store.members({ room })).map((m) => m.id)).toEqual([moved.id]);
      for (const s of [expiring, limited, overflowing, forgotten]) expect(await store.rooms(s.id)).toBeUndefined();
      expect(await store.rooms(moved.id)).toEqual([room]);
      const r = await store.publish({ room }, { id: 'p', d: 'still here', r: room }, cap(10));
      expect(r).toEqual({ appended: [{ id: moved.id, s: 1 }], overflowed: [] });
    });

    test('volatile goes to the nodes holding members with a link and counts them; nothing is stored', async () => {
      const room = unique('live');
      const seen = await watch('n1');
      const [a, b, c] = [await session('alice', 'n1'), await session('bob', 'n1'), await session('carol', 'n1')];
      for (const s of [a, b, c]) await store.join(s.id, room, ROOMY);
      await store.release(c.id, c.fence, TTL);
      expect(await store.volatile(room, '{"t":"volatile","d":"typing"}')).toBe(2);
      await until(() => seen.some((e) => e.type === 'volatile'), 'the volatile event');
      const events = seen.filter((e) => e.type === 'volatile') as Array<{ ids: string[]; text: string }>;
      expect(events.map((e) => [e.ids.sort(), e.text])).toEqual([[[a.id, b.id].sort(), '{"t":"volatile","d":"typing"}']]);
      expect(await store.replay(a.id, 0, 10)).toEqual([]);
      expect(await store.volatile(unique('nobody'), 'x')).toBe(0);
    });
  });
}
