/**
 * Reading the head of an HTTP/1.x request off a raw socket, so the fault proxy can tell a
 * WebSocket upgrade (a link, which faults act on) from a plain request (the H5 page, a control
 * route), which faults never touch.
 */
import type net from 'net';

export interface RequestHead {
  method: string;
  url: string;
  host?: string;
  origin?: string;
  /** `Upgrade: websocket`. */
  upgrade: boolean;
}

/** Bytes a request head may take, and how long it may take to arrive. */
export const HEAD_LIMIT = 16 * 1024;
export const HEAD_TIMEOUT = 10000;

/** Parses a request head (the text before the blank line); undefined when it is not HTTP/1.x. */
export function parseHead(text: string): RequestHead | undefined {
  const lines = text.split('\r\n');
  const first = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!first) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    method: first[1] as string,
    url: first[2] as string,
    host: headers.get('host'),
    origin: headers.get('origin'),
    upgrade: (headers.get('upgrade') ?? '').toLowerCase() === 'websocket',
  };
}

/** Whether `bytes` can still be the start of an HTTP/1.x request line (a method in capitals, then a space). */
const mayBeHttp = (bytes: Buffer): boolean => /^[A-Z]{1,16}( |$)/.test(bytes.subarray(0, 17).toString('latin1'));

/**
 * Collects what `socket` sends until the end of the request head, then calls `done` with every
 * byte read so far (to forward) and the parsed head (undefined: not HTTP). Bytes that cannot
 * start an HTTP request (a TLS ClientHello: wss:// through the proxy) are handed on at once, as
 * their sender waits for an answer before sending more. A socket that sends more than
 * HEAD_LIMIT bytes or takes longer than HEAD_TIMEOUT without finishing a head is destroyed.
 */
export function readHead(socket: net.Socket, done: (bytes: Buffer, head: RequestHead | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => socket.destroy(), HEAD_TIMEOUT);
  timer.unref();
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    const bytes = Buffer.concat(chunks);
    if (!mayBeHttp(bytes)) {
      stop();
      return done(bytes, undefined);
    }
    const end = bytes.indexOf('\r\n\r\n');
    if (end < 0 && size < HEAD_LIMIT) return;
    stop();
    if (end < 0) return void socket.destroy();
    done(bytes, parseHead(bytes.subarray(0, end).toString('latin1')));
  };
  const stop = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', stop);
  };
  socket.on('data', onData);
  socket.on('close', stop);
}

/** A request target as a URL (path and query), or undefined when it cannot be one. */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
