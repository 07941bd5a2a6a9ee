/**
 * `wx-socket-manager/dev-server`: a local WebSocket server that injects the faults a phone
 * actually meets (docs/dev-server.md). Clients connect through a TCP proxy (fault-proxy.ts),
 * so a "blackhole" is a real half-open link (bytes stop, nothing closes), not a simulated one.
 *
 * Single mode (`startDevServer`): "ping" → "pong", other frames echoed, ticks, the H5 page; a
 * client whose first frame is a session `hello` gets a reliable session (memory store).
 * Cluster mode (`startDevCluster`): the same, on session nodes sharing a Redis.
 */
export { startDevServer } from './single';
export type { DevServer, DevServerOptions } from './types';
export { startDevCluster } from './cluster';
export type { DevCluster, DevClusterOptions } from './cluster';
export type { FaultArgs } from './faults';
