/**
 * The dev server's reliable sessions: the ONE file that uses `src/server`, so a change of the
 * server's inner API is adapted here only. A node keeps its sessions in a memory store (single
 * mode) or in a Redis shared with the other nodes (cluster mode).
 */
import type { WebSocket } from 'ws';
import { SessionHub } from '../server/hub';
import { bindWs } from '../server/ws';
import { memoryStore } from '../server/memory-store';
import { redisStore } from '../server/redis-store';
import type { ServerSession } from '../server/server-session';
import type { PublishOptions } from '../server/args';
import type { SessionStore } from '../server/store';
import type { MetricsRegistry } from '../server/metrics/prometheus';

export type { MetricsRegistry, PublishOptions, ServerSession };
export { SERIES } from '../server/metrics/series';

/**
 * The socket a session link runs on: a `ws` WebSocket, named by shape so the dev server's
 * published types never require the optional `ws` package.
 */
export interface LinkSocket {
  readonly readyState: number;
  on(event: string, listener: (...args: never[]) => void): unknown;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export interface SessionsOptions {
  /** A redis:// URL: sessions live there (cluster mode); else in memory. */
  redis?: string;
  /** This node's name in the store. */
  node: string;
  sessionTtl: number;
  /** Asked on every `ping`; false withholds the `pong` (the nopong fault). */
  answerPing(): boolean;
  /** Each session the first time this node serves it. */
  onSession(session: ServerSession): void;
  /** The node's prom-client Registry: the session server's series go there. */
  metrics?: MetricsRegistry;
}

export interface DevSessions {
  /** Serves a socket as a session link for `user`; `first`: its first frame, when already read (normally a `hello`). */
  attach(ws: LinkSocket, user: string, first?: string): void;
  /** The sessions this node serves now or served lately. */
  list(): ServerSession[];
  /** Publishes `data` to `room` on every node (`server.publish`): an `id` makes a repeat reach nobody twice; `volatile` reaches live links only. */
  publish(room: string, data: string, options?: PublishOptions): Promise<{ sessions: number }>;
  /** A restart with a memory store: every session is forgotten; returns how many. */
  forget(): Promise<number>;
  close(): Promise<void>;
}

interface Running {
  hub: SessionHub;
  store: SessionStore;
}

async function run(options: SessionsOptions): Promise<Running> {
  const store = options.redis ? redisStore({ client: options.redis }) : memoryStore();
  // The core's defaults and checks (SESSION_DEFAULTS), but a longer idle time for stepping through code.
  const hub = new SessionHub({
    store,
    node: options.node,
    sessionTtl: options.sessionTtl,
    idleTimeout: 60000,
    answerPing: options.answerPing,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  hub.on('session', options.onSession);
  hub.on('error', () => undefined);
  await hub.start();
  return { hub, store };
}

async function stop(running: Running): Promise<void> {
  await running.hub.close();
  await running.store.close();
}

export async function startSessions(options: SessionsOptions): Promise<DevSessions> {
  let current = await run(options);
  return {
    attach(ws, user, first) {
      const link = bindWs(current.hub, ws as WebSocket, user);
      if (first !== undefined) link.text(first);
    },
    list: () => current.hub.sessionList(),
    publish: (room, data, options) => current.hub.publish(room, data, options),
    async forget() {
      const old = current;
      current = await run(options);
      const count = old.hub.sessionList().length;
      await stop(old);
      return count;
    },
    close: () => stop(current),
  };
}
