/**
 * `server.send` resolves on the client's ack once the store has heard of it: the room those
 * messages held in the session's buffer is free by then, so a full buffer's worth sent the moment
 * they resolve never overflows (an overflow marks the session: its next resume would lose it).
 * On both stores, with the client's acks in two frames (the second reaching the server while the
 * store still answers the first).
 */
import { SocketError } from '../../src';
import { memoryStore, redisStore } from '../../src/server';
import type { SessionStore } from '../../src/server';
import { useRedis } from '../support/redis-helpers';
import { until } from '../support/real-helpers';
import { byUser, raw, sessionServer, stopAll } from '../support/session-helpers';

const redis = useRedis();
const stores: SessionStore[] = [];
afterEach(async () => {
  await stopAll();
  for (const s of stores.splice(0)) await s.close();
});

const MAX = 50;
const code = (e: unknown): string => (e instanceof SocketError ? e.code : String(e));

describe.each([
  ['memoryStore', (): SessionStore => memoryStore()],
  ['redisStore', (): SessionStore => redisStore({ client: redis.server().url })],
])('%s', (_name, makeStore) => {
  test(`${MAX} sends acked in two frames resolve, and ${MAX} more sent at that moment are all recorded (no OVERFLOW), round after round`, async () => {
    const store = makeStore();
    stores.push(store);
    const server = await sessionServer({ authenticate: byUser, maxBuffered: MAX, store });
    const c = await raw(server.port);
    const sid = (await c.hello(null)).sid as string;
    const outcomes: string[] = [];
    let round = server.send(sid, 'x').then(() => [] as string[]);
    await until(() => c.msgs().length === 1, 3000, 'the first message');
    c.send({ t: 'ack', a: 1 });
    await round;
    let seq = 1;
    for (let r = 0; r < 5; r++) {
      const sends = Array.from({ length: MAX }, (_, i) => server.send(sid, `r${r}-${i}`).then(() => 'ok', code));
      round = Promise.all(sends);
      await until(() => c.msgs().length === seq + MAX, 3000, `round ${r}`);
      c.send({ t: 'ack', a: seq + MAX / 2 });
      c.send({ t: 'ack', a: seq + MAX });
      seq += MAX;
      outcomes.push(...(await round));
    }
    expect(outcomes).toEqual(Array.from({ length: 5 * MAX }, () => 'ok'));
    expect(c.msgs()).toHaveLength(1 + 5 * MAX);
  });
});
