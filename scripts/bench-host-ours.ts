/** Ours as a bench host: `createSessionServer` with the memory store or `redisStore`. */
import { createSessionServer, memoryStore, redisStore } from 'wx-socket-manager/server';
import type { SessionServerOptions } from 'wx-socket-manager/server';
import { Registry } from 'prom-client';
import type { HostServer, HostSpec } from './bench-peer-types';

/** Server-option variants a row can compare (`HostSpec.variant`): name → extra options. */
export const VARIANTS: Record<string, () => Partial<SessionServerOptions>> = {
  plain: () => ({}),
  // Row S2: metrics on ÷ off, in the same host processes as the other rows.
  metrics: () => ({ metrics: new Registry() }),
};

export async function oursHost(spec: HostSpec): Promise<HostServer> {
  const variant = VARIANTS[spec.variant ?? 'plain'];
  if (!variant) throw new Error(`no server variant "${spec.variant}" (known: ${Object.keys(VARIANTS).join(', ')})`);
  const store = spec.kind === 'redis' ? redisStore({ client: spec.redisUrl! }) : memoryStore();
  // Every bench client is the one user "anonymous": no per-user session limit here.
  const server = createSessionServer({ port: 0, store, node: spec.node, idleTimeout: 600000, maxSessionsPerUser: 1_000_000, ...variant() });
  await server.ready;
  const ids: string[] = [];
  let received = 0;
  let failed = 0;
  server.on('session', (s) => {
    ids.push(s.id);
    s.on('message', () => void received++);
  });
  const noteFailure = (): void => void failed++;
  return {
    port: server.port,
    ids: () => ids,
    online: (id) => server.session(id)?.online === true,
    received: () => received,
    sendAcked: (id, data) => server.send(id, data),
    send: (id, data) => void server.send(id, data).catch(noteFailure),
    rooms: {
      join: (id, room) => server.join(id, room),
      publish: (room, data, volatile) => void server.publish(room, data, volatile ? { volatile: true } : undefined).catch(noteFailure),
    },
    async close() {
      if (failed > 0) console.error(`  (${spec.kind}: ${failed} sends rejected)`);
      await server.close();
      await store.close();
    },
  };
}
