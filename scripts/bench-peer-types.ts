/**
 * The peer comparison's vocabulary: which servers run, what a server and a client must offer
 * the harness, and the 100-byte payload every message carries (its number, when it was
 * scheduled and when it was sent, on the monotonic clock both processes share).
 */

/** `memory`/`redis`: ours (createSessionServer + SocketSession over the Node adapter); `socketio`: socket.io 4.8, connection state recovery on. */
export type Kind = 'memory' | 'redis' | 'socketio';
export const KINDS: Kind[] = ['memory', 'redis', 'socketio'];
export const KIND_LABEL: Record<Kind, string> = { memory: 'ours, memory', redis: 'ours, Redis', socketio: 'socket.io' };

/** How a host process is started: its kind, the Redis it shares (redis; socketio across nodes), its node name. */
export interface HostSpec {
  kind: Kind;
  redisUrl?: string;
  node?: string;
  /** A server-option variant (e.g. metrics on), by name; see VARIANTS in bench-host.ts. */
  variant?: string;
}

/** A server under test, as the host process drives it. */
export interface HostServer {
  readonly port: number;
  /** Client ids (session ids, socket ids) this server has seen, in arrival order. */
  ids(): string[];
  /** Whether the client `id` has a live link on this server. */
  online(id: string): boolean;
  /** Messages the app received from clients (client→server). */
  received(): number;
  /** Sends one message to `id`; resolves when the client acknowledged it. */
  sendAcked(id: string, data: string): Promise<void>;
  /** Sends one message to `id` without waiting for its acknowledgement (reliable where the server is). */
  send(id: string, data: string): void;
  /** Room fan-out, where the server has it (the room rows run only for kinds that do). */
  rooms?: RoomServer;
  close(): Promise<void>;
}

/** What the room rows need from a server: membership of a connected client, and publishing to a room. */
export interface RoomServer {
  join(id: string, room: string): Promise<void> | void;
  /** `volatile`: to the links up now, never buffered (ours: `{ volatile: true }`; socket.io's emit is at most once anyway). */
  publish(room: string, data: string, volatile?: boolean): unknown;
}

/** One client link as the load generator drives it. */
export interface ClientConn {
  /** The id the server knows it by. */
  readonly id: string;
  /** Client→server, resolves on the server's acknowledgement. */
  send(data: string): Promise<void>;
  close(): void;
}
export interface ClientHooks {
  message(data: string): void;
  /** Each new link (first and after reconnects) is open. */
  open(): void;
}
export type Connect = (url: string, hooks: ClientHooks) => Promise<ClientConn>;

export const PAYLOAD_BYTES = 100;
const PAD = '.'.repeat(PAYLOAD_BYTES);

/** A 100-byte payload carrying message number `n`, its scheduled time `at` and the time it was sent (monotonic ms). */
export function stamp(n: number, at: number, sent = at): string {
  const head = `${n}|${at.toFixed(3)}|${sent.toFixed(3)}|`;
  return head + PAD.slice(head.length);
}

/** What `stamp` put in `data`. */
export function unstamp(data: string): { n: number; at: number; sent: number } {
  const [n, at, sent] = data.split('|', 3);
  return { n: Number(n), at: Number(at), sent: Number(sent) };
}
