/**
 * One write per socket per event-loop turn (src/shared/turn-cork.ts, used by the server's links
 * and the Node adapter): frames sent to one `ws` socket in one turn reach the kernel in one
 * write, in order; without it each frame is a write of its own.
 */
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'net';
import { corkForTurn, wsSocket } from '../../src/shared/turn-cork';

interface Writes { count: number }

/** A server on 127.0.0.1 whose first link sends `frames` in one turn (corked or not); the client's receipt and the socket writes. */
async function sendInOneTurn(frames: string[], cork: boolean): Promise<{ got: string[]; writes: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const writes: Writes = { count: 0 };
  wss.on('connection', (ws) => {
    const socket = wsSocket(ws) as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    for (const name of ['_write', '_writev'] as const) {
      const real = socket[name].bind(socket);
      socket[name] = (...a: unknown[]) => {
        writes.count++;
        real(...a);
      };
    }
    for (const f of frames) {
      if (cork) corkForTurn(wsSocket(ws));
      ws.send(f);
    }
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    client.on('message', (d) => got.push(String(d)) === frames.length && resolve());
    client.on('error', reject);
  });
  // Counted once every frame arrived (the close handshake writes more).
  const count = writes.count;
  client.close();
  await new Promise((r) => wss.close(r));
  return { got, writes: count };
}

describe('one write per link per turn', () => {
  const frames = ['{"t":"msg","s":1}', '{"t":"msg","s":2}', '{"t":"ack","a":7}', 'x'.repeat(2000)];

  test('frames sent to one socket in one turn leave in one write, in order', async () => {
    const { got, writes } = await sendInOneTurn(frames, true);
    expect(got).toEqual(frames);
    expect(writes).toBe(1);
  });

  test('without the turn cork, ws writes each frame on its own', async () => {
    const { got, writes } = await sendInOneTurn(frames, false);
    expect(got).toEqual(frames);
    expect(writes).toBe(frames.length);
  });

  test('a socket that is not corkable is left alone', () => {
    expect(wsSocket({})).toBeUndefined();
    expect(() => corkForTurn(undefined)).not.toThrow();
  });
});
