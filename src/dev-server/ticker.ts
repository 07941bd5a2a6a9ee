/**
 * The dev server's ticks: every `interval` ms one `{"type":"tick","n":N,"time":…}` to every
 * plain link and, as a session message, to every session. N counts the server's ticks, so a
 * session sees n, n+1, n+2, … with no gap, also across its offline time (a resync shows as one
 * announced jump), and a plain client sees what it missed as a gap.
 */
import type { WebSocket } from 'ws';
import { sendPlain } from './link-mode';
import type { ServerSession } from './sessions';

export interface TickTargets {
  plain(): WebSocket[];
  sessions(): ServerSession[];
}

/** Starts ticking (nothing when `interval` is 0); returns the stop. */
export function startTicker(interval: number, targets: TickTargets): () => void {
  if (interval <= 0) return () => undefined;
  let n = 0;
  const timer = setInterval(() => {
    const tick = JSON.stringify({ type: 'tick', n: ++n, time: new Date().toISOString() });
    for (const ws of targets.plain()) sendPlain(ws, tick);
    for (const session of targets.sessions()) session.send(tick).catch(() => undefined);
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
