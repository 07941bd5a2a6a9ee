/**
 * Rooms and users: bad input (a TypeError naming the argument or option, nothing sent or
 * stored), the limits that bound what an app or an attacker can grow, and an honest member that
 * loses nothing meanwhile. Real session servers on 127.0.0.1, raw `ws` clients.
 */
import { createSessionServer } from '../../src/server';
import type { SessionServer } from '../../src/server';
import { sleep, until } from '../support/real-helpers';
import { byUser, raw, sessionServer, stopAll } from '../support/session-helpers';
import type { Raw } from '../support/session-helpers';

afterEach(stopAll);

/** A raw client that says hello and acknowledges what it gets, as a SocketSession would. */
async function acking(port: number, user: string): Promise<{ c: Raw; sid: string }> {
  const c = await raw(port, { 'x-user': user });
  const sid = (await c.hello(null)).sid as string;
  c.ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as { t: string; s: number };
    if (f.t === 'msg') c.send({ t: 'ack', a: f.s });
  });
  return { c, sid };
}

const bad = (method: string, what: string): RegExp => new RegExp(`^\\[wx-socket-manager\\] ${method}\\(\\): (argument|option) "${what}" `);

describe('bad input to the rooms API', () => {
  let s: SessionServer;
  let sid: string;
  let member: Raw;
  beforeEach(async () => {
    s = await sessionServer({ authenticate: byUser });
    ({ c: member, sid } = await acking(s.port, 'alice'));
    await s.join(sid, 'lobby');
  });

  test('room names: empty, over 200 characters, not a string, control characters, lone surrogates and the reserved "user" are TypeErrors naming "room"', async () => {
    const rooms: unknown[] = ['', 'x'.repeat(201), 42, null, undefined, ['lobby'], 'a\nb', 'nul\u0000', '\u001b[31mred', 'del\u007f', 'c1\u0085', 'half\ud800', 'user'];
    for (const room of rooms) {
      await expect(s.join(sid, room as string)).rejects.toThrow(bad('join', 'room'));
      await expect(s.leave(sid, room as string)).rejects.toThrow(bad('leave', 'room'));
      await expect(s.publish(room as string, 'x')).rejects.toThrow(bad('publish', 'room'));
      await expect(s.members(room as string)).rejects.toThrow(bad('members', 'room'));
    }
    await expect(s.join(sid, 'user')).rejects.toThrow('cannot be "user": messages sent with sendToUser carry that name');
    for (const room of ['x'.repeat(200), '😀'.repeat(200), '直播 #7', 'order:42/a b']) await s.join(sid, room);
    expect((await s.rooms(sid)).length).toBe(5);
  });

  test('session ids, users, data and options are checked by name; TypeErrors, never a send', async () => {
    for (const id of ['', 42, null, undefined, {}]) {
      await expect(s.join(id as string, 'lobby')).rejects.toThrow(bad('join', 'sessionId'));
      await expect(s.rooms(id as string)).rejects.toThrow(bad('rooms', 'sessionId'));
    }
    for (const user of ['', 7, null]) {
      await expect(s.sendToUser(user as string, 'x')).rejects.toThrow(bad('sendToUser', 'user'));
      await expect(s.online(user as string)).rejects.toThrow(bad('online', 'user'));
    }
    for (const data of [42, null, undefined, { d: 'x' }, ['x']]) {
      await expect(s.publish('lobby', data as unknown as string)).rejects.toThrow(bad('publish', 'data'));
      await expect(s.sendToUser('alice', data as unknown as string)).rejects.toThrow(bad('sendToUser', 'data'));
    }
    const options: Array<[unknown, string]> = [[null, 'options'], ['fast', 'options'], [{ volatile: 'yes' }, 'volatile'], [{ loud: true }, 'loud'], [{ id: '' }, 'id'], [{ id: 'x'.repeat(201) }, 'id'], [{ id: 7 }, 'id'], [{ volatile: true, id: 'x' }, 'id']];
    for (const [o, name] of options) await expect(s.publish('lobby', 'x', o as object)).rejects.toThrow(bad('publish', name));
    await expect(s.sendToUser('alice', 'x', { volatile: true } as object)).rejects.toThrow(bad('sendToUser', 'volatile'));
    // Nothing of it reached the member; the next good publish does, as s 1.
    expect(await s.publish('lobby', 'good')).toEqual({ sessions: 1 });
    await until(() => member.msgs().length === 1, 3000, 'the good one');
    expect(member.msgs()).toEqual(['1:good']);
  });

  test('after close() every method rejects CLOSED', async () => {
    await s.close();
    await expect(s.publish('lobby', 'x')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.sendToUser('alice', 'x')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.join(sid, 'lobby')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.members('lobby')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('room limits', () => {
  test('maxRoomsPerSession and maxMembersPerRoom must be whole numbers > 0', () => {
    for (const [name, value] of [['maxRoomsPerSession', 0], ['maxRoomsPerSession', 2.5], ['maxMembersPerRoom', -1], ['maxMembersPerRoom', '100']] as const) {
      expect(() => createSessionServer({ [name]: value })).toThrow(`option "${name}" must be a whole number > 0`);
    }
  });

  test('past maxRoomsPerSession a join rejects LIMIT and the session is not in that room', async () => {
    const s = await sessionServer({ authenticate: byUser, maxRoomsPerSession: 2 });
    const { sid } = await acking(s.port, 'alice');
    await s.join(sid, 'a');
    await s.join(sid, 'b');
    await s.join(sid, 'a');
    await expect(s.join(sid, 'c')).rejects.toMatchObject({ code: 'LIMIT', message: expect.stringContaining('maxRoomsPerSession') });
    expect((await s.rooms(sid)).sort()).toEqual(['a', 'b']);
    expect(await s.publish('c', 'x')).toEqual({ sessions: 0 });
    await s.leave(sid, 'a');
    await s.join(sid, 'c');
  });

  test('an app that puts every new session in its lobby: an attacker opening sessions fills it to maxMembersPerRoom and no further, the honest member loses nothing', async () => {
    const s = await sessionServer({ authenticate: byUser, maxMembersPerRoom: 5 });
    const refused: string[] = [];
    s.on('session', (ss) => void ss.join('lobby').catch((e: { code: string }) => void refused.push(e.code)));
    const honest = await acking(s.port, 'honest');
    for (let i = 0; i < 200 && (await s.members('lobby')).length === 0; i++) await sleep(10);
    for (let i = 0; i < 10; i++) await acking(s.port, `attacker-${i}`);
    await until(() => refused.length === 6, 3000, 'six refusals');
    expect(refused).toEqual(Array(6).fill('LIMIT'));
    expect((await s.members('lobby')).map((m) => m.user).filter((u) => u === 'honest')).toEqual(['honest']);
    for (let i = 1; i <= 20; i++) expect(await s.publish('lobby', `m${i}`)).toEqual({ sessions: 5 });
    await until(() => honest.c.msgs().length === 20, 3000, 'twenty');
    expect(honest.c.msgs()).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}:m${i + 1}`));
  });
});
