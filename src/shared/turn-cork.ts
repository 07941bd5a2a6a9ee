/**
 * One write per socket per event-loop turn. `ws` writes every frame on its own (a cork/uncork
 * pair per `send`, so one `writev` syscall per frame); the first frame a turn writes to a socket
 * corks it here, and one `process.nextTick` uncorks every socket corked in the turn, so all the
 * frames of a replay page, a batch of pushes or an ack go out in one `writev`.
 *
 * Bytes written while corked are counted in the socket's `writableLength` at once (and so in
 * ws's `bufferedAmount`): backpressure decisions see them exactly as before. A turn that queues
 * FLUSH_AT bytes or more writes them then: one write request is counted whole until the kernel
 * took its last byte, so requests stay small enough for that count to follow the peer's reading.
 */

/** What is corked: a `net.Socket` (ws keeps it as `_socket`). */
export interface Corkable {
  cork(): void;
  uncork(): void;
  readonly writableCorked?: number;
  readonly writableLength?: number;
}

const FLUSH_AT = 64 * 1024;

const corked: Corkable[] = [];

function uncorkAll(): void {
  // Uncorking writes, and a write may cork another socket: take the list first.
  const sockets = corked.splice(0);
  for (const socket of sockets) socket.uncork();
}

/** Corks `socket` until the end of this turn (call it before each write of the turn). */
export function corkForTurn(socket: Corkable | null | undefined): void {
  if (!socket) return;
  if (socket.writableCorked === 0) {
    socket.cork();
    if (corked.push(socket) === 1) process.nextTick(uncorkAll);
  } else if ((socket.writableLength ?? 0) >= FLUSH_AT) {
    // Corked by this turn (ws uncorks its own at once): write what is queued, and go on corked.
    socket.uncork();
    socket.cork();
  }
}

/** The socket under a `ws` WebSocket (its private `_socket`), if it has one that corks. */
export function wsSocket(ws: object): Corkable | undefined {
  const socket = (ws as { _socket?: Corkable | null })._socket;
  return socket && typeof socket.cork === 'function' ? socket : undefined;
}
