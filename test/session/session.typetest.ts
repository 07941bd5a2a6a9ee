/**
 * Type tests of wx-socket-manager/session: checked by `npm run typecheck`, never run.
 * Each @ts-expect-error must be an error, or tsc fails.
 */
import type { WxSocketManager } from '../../src';
import { SocketSession } from '../../src/session';
import type { SessionMessageMeta, SessionStorage, SessionVolatileMeta, SocketSessionEvents, SocketSessionStats } from '../../src/session';

declare const socket: WxSocketManager;
declare const storage: SessionStorage;

const session = new SocketSession(socket, { storage: 'wx', maxUnacked: 10, ackDelay: 20, deliveryTimeout: 5000, storageKey: 'chat' });
new SocketSession(socket, { storage });
new SocketSession(socket);
// @ts-expect-error storage is false, 'wx' or { get, set, remove }
new SocketSession(socket, { storage: 'local' });
// @ts-expect-error unknown option
new SocketSession(socket, { retries: 3 });

const off: () => void = session.on('message', (m) => {
  const data: string | ArrayBuffer = m;
  void data;
});
off();
session.on('resync', (e) => {
  const reason: string = e.reason;
  void reason;
});
session.on('ack', (e) => {
  const seq: number = e.seq;
  void seq;
});
// @ts-expect-error unknown event
session.on('open', () => undefined);
// @ts-expect-error the payload of "ack" has no reason
session.on('ack', (e) => e.reason);

const sent: Promise<void> = session.send('text');
void session.send(new ArrayBuffer(2));
// @ts-expect-error only strings and ArrayBuffers
void session.send(42);
void sent;

const id: string | null = session.sessionId;
const unacked: number = session.unacked;
// @ts-expect-error read-only getter
session.unacked = 3;
void id;
void unacked;
session.close();

const payload: SocketSessionEvents['message'] = 'x';
void payload;

// Rooms and users: the message meta, volatile messages, stats.
session.on('message', (data, { seq, id, room }) => {
  const n: number = seq;
  const i: string = id;
  const r: string | undefined = room;
  void data, n, i, r;
});
session.on('volatile', (data, meta) => {
  const d: string | ArrayBuffer = data;
  const r: string | undefined = meta.room;
  void d, r;
});
// @ts-expect-error a volatile message has no seq: it is never acknowledged or resent
session.on('volatile', (_data, meta) => meta.seq);
// @ts-expect-error room may be undefined (a message sent to this session)
session.on('message', (_data, meta) => meta.room.length);
const stats: SocketSessionStats = session.stats;
const counts: number = stats.unacked + stats.resent + stats.resyncs;
void counts;
// @ts-expect-error stats is read-only
session.stats = stats;
const roomMeta: SessionMessageMeta = { seq: 1, id: 'x', room: 'order:42' };
const volatileMeta: SessionVolatileMeta = {};
void roomMeta, volatileMeta;
