/**
 * Server `send()`s waiting for the client's ack, by session and server seq: resolved by a
 * cumulative ack, rejected when the session is lost or the server closes. With metrics on,
 * each one's wait from send() to its ack is observed.
 */
import { performance } from 'perf_hooks';
import { SocketError } from '../errors';
import type { ServerObserver } from './metrics/observer';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  /** `performance.now()` when sent (0 when metrics are off). */
  since: number;
}

export class PendingSends {
  private readonly bySession = new Map<string, Map<number, Waiter>>();
  /** Sends waiting, over every session. */
  size = 0;

  constructor(private readonly observer: ServerObserver) {}

  /** A promise settled when the client acknowledges server seq `s` of session `id`. */
  add(id: string, s: number): Promise<void> {
    const since = this.observer.timed ? performance.now() : 0;
    return new Promise<void>((resolve, reject) => {
      let list = this.bySession.get(id);
      if (!list) this.bySession.set(id, (list = new Map()));
      list.set(s, { resolve, reject, since });
      this.size++;
    });
  }

  /** The client acknowledged every server seq ≤ `a`. */
  acked(id: string, a: number): void {
    const list = this.bySession.get(id);
    if (!list) return;
    let now = 0;
    for (const [s, w] of list) {
      if (s > a) continue;
      list.delete(s);
      this.size--;
      if (w.since) this.observer.acked(((now ||= performance.now()) - w.since) / 1000);
      w.resolve();
    }
    if (list.size === 0) this.bySession.delete(id);
  }

  /** Every send of session `id` rejects with `err`. */
  reject(id: string, err: Error): void {
    const list = this.bySession.get(id);
    this.bySession.delete(id);
    if (!list) return;
    this.size -= list.size;
    for (const w of list.values()) w.reject(err);
  }

  has(id: string): boolean {
    return this.bySession.has(id);
  }

  /** Every send rejects `CLOSED`: the server is closing. */
  closeAll(): void {
    for (const id of [...this.bySession.keys()]) this.reject(id, new SocketError('CLOSED', 'the session server closed before the client acknowledged'));
  }
}
