/**
 * The `ws` glue: one `ws` socket → one link of a `SessionHub`. `createSessionServer` uses it
 * for the upgrades it accepts; a server that accepts its own sockets (the dev server) calls
 * `bindWs` itself.
 */
import type { WebSocket } from 'ws';
import type { SessionHub } from './hub';
import type { LinkInput } from './link';
import type { Transport } from './outbox';

/** How long a closing link may wait for its peer's closing handshake before it is cut. */
const CLOSE_GRACE = 2000;

/** The Transport over one `ws` socket (a class, not closures: thousands of idle links each hold one). */
class WsTransport implements Transport {
  constructor(private readonly ws: WebSocket) {}
  send(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }
  buffered(): number {
    return this.ws.bufferedAmount;
  }
  close(code: number, reason: string): void {
    const ws = this.ws;
    ws.close(code, reason);
    // A dead peer never answers the closing handshake; what is queued to it (≤ maxLinkBuffer) is dropped then.
    setTimeout(() => ws.terminate(), CLOSE_GRACE).unref();
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
}

function ignore(): void {}

/** Wires one `ws` socket to a new link of `hub` for `user`; returns the link (feed it a frame already read with `link.text`). */
export function bindWs(hub: SessionHub, socket: WebSocket, user: string): LinkInput {
  const link = hub.attach(new WsTransport(socket), user);
  socket.on('message', (data, isBinary) => (isBinary ? link.binary() : link.text(data.toString())));
  socket.on('close', (code) => link.closed(code));
  socket.on('error', ignore);
  return link;
}
