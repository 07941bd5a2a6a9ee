/**
 * socket.io 4.8 as a bench host: WebSocket transport only, connection state recovery on (so a
 * message sent while a client is away is replayed when it comes back). Across nodes
 * (`redisUrl` given) it uses @socket.io/redis-adapter, which has no recovery: at most once.
 */
import http from 'http';
import type { AddressInfo } from 'net';
import Redis from 'ioredis';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io';
import type { HostServer, HostSpec } from './bench-peer-types';

export async function socketioHost(spec: HostSpec): Promise<HostServer> {
  const httpServer = http.createServer();
  const clustered = spec.redisUrl !== undefined;
  const io = new Server(httpServer, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    ...(clustered ? {} : { connectionStateRecovery: { maxDisconnectionDuration: 120000, skipMiddlewares: true } }),
  });
  const redis: Redis[] = [];
  if (clustered) {
    const { createAdapter } = require('@socket.io/redis-adapter') as typeof import('@socket.io/redis-adapter');
    const pub = new Redis(spec.redisUrl!);
    const sub = pub.duplicate();
    redis.push(pub, sub);
    io.adapter(createAdapter(pub, sub));
  }
  const ids: string[] = [];
  const sockets = new Map<string, Socket>();
  let received = 0;
  io.on('connection', (socket) => {
    // A recovered socket keeps its id: the same client, counted once.
    if (!sockets.has(socket.id)) ids.push(socket.id);
    sockets.set(socket.id, socket);
    socket.on('m', (_data: string, ack?: () => void) => {
      received++;
      ack?.();
    });
    socket.on('disconnect', () => sockets.get(socket.id) === socket && sockets.delete(socket.id));
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  return {
    port: (httpServer.address() as AddressInfo).port,
    ids: () => ids,
    online: (id) => sockets.get(id)?.connected === true,
    received: () => received,
    sendAcked: (id, data) => new Promise<void>((resolve, reject) => {
      const socket = sockets.get(id);
      if (!socket) return reject(new Error(`socket ${id} is not connected`));
      socket.emit('m', data, () => resolve());
    }),
    send(id, data) {
      // With recovery on, socket.emit stores the packet for a replay; to an absent socket, its room does.
      const socket = sockets.get(id);
      if (socket) socket.emit('m', data);
      else io.to(id).emit('m', data);
    },
    rooms: {
      join: (id, room) => sockets.get(id)?.join(room),
      publish: (room, data) => io.to(room).emit('m', data),
    },
    async close() {
      await new Promise<void>((r) => io.close(() => r()));
      for (const c of redis) c.disconnect();
    },
  };
}
