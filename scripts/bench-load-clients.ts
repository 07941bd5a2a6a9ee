/**
 * The clients the load generator runs: ours (`SocketSession` over `WxSocketManager` with the
 * Node adapter) and socket.io-client 4.8 (WebSocket only). Both reconnect after 100 ms, no jitter.
 */
import { WxSocketManager } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { SocketSession } from 'wx-socket-manager/session';
import { io } from 'socket.io-client';
import { until } from './bench-common';
import type { ClientConn, Connect, Kind } from './bench-peer-types';

const RECONNECT_MS = 100;

const connectOurs: Connect = async (url, hooks) => {
  const socket = new WxSocketManager({
    url,
    connectSocket: createWsConnectSocket(),
    watchNetwork: false,
    watchApp: false,
    reconnect: { interval: RECONNECT_MS, jitter: 0, maxAttempts: 1000 },
  });
  const session = new SocketSession(socket);
  session.on('message', (data) => hooks.message(data as string));
  session.on('volatile', (data) => hooks.message(data as string));
  socket.on('open', () => hooks.open());
  socket.connect();
  await until(() => session.sessionId !== null, 60000, `session on ${url}`, 5);
  return {
    id: session.sessionId!,
    send: (data) => session.send(data),
    close: () => {
      session.close();
      socket.destroy();
    },
  };
};

const connectSocketio: Connect = (url, hooks) => new Promise<ClientConn>((resolve, reject) => {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: RECONNECT_MS,
    reconnectionDelayMax: RECONNECT_MS,
    randomizationFactor: 0,
    reconnectionAttempts: 1000,
  });
  // The second argument is the ack callback of an acknowledged emit, or (recovery on) the packet's offset.
  socket.on('m', (data: string, ack?: unknown) => {
    hooks.message(data);
    if (typeof ack === 'function') (ack as () => void)();
  });
  socket.io.on('open', () => hooks.open());
  const timer = setTimeout(() => reject(new Error(`socket.io connect to ${url} timed out`)), 60000);
  socket.once('connect', () => {
    clearTimeout(timer);
    resolve({
      id: socket.id!,
      send: (data) => new Promise<void>((ok) => socket.emit('m', data, () => ok())),
      close: () => socket.close(),
    });
  });
});

export const CONNECT: Record<Kind, Connect> = { memory: connectOurs, redis: connectOurs, socketio: connectSocketio };
