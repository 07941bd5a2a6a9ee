/**
 * Server `send()`s waiting for the client's ack, by session and server seq: resolved by a
 * cumulative ack, rejected when the session is lost or the server closes.
 */
import { SocketError } from '../errors';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class PendingSends {
  private readonly bySession = new Map<string, Map<number, Waiter>>();

  /** A promise settled when the client acknowledges server seq `s` of session `id`. */
  add(id: string, s: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let list = this.bySession.get(id);
      if (!list) this.bySession.set(id, (list = new Map()));
      list.set(s, { resolve, reject });
    });
  }

  /** The client acknowledged every server seq ≤ `a`. */
  acked(id: string, a: number): void {
    const list = this.bySession.get(id);
    if (!list) return;
    for (const [s, w] of list) {
      if (s > a) continue;
      list.delete(s);
      w.resolve();
    }
    if (list.size === 0) this.bySession.delete(id);
  }

  /** Every send of session `id` rejects with `err`. */
  reject(id: string, err: Error): void {
    const list = this.bySession.get(id);
    this.bySession.delete(id);
    if (list) for (const w of list.values()) w.reject(err);
  }

  has(id: string): boolean {
    return this.bySession.has(id);
  }

  /** Every send rejects `CLOSED`: the server is closing. */
  closeAll(): void {
    for (const id of [...this.bySession.keys()]) this.reject(id, new SocketError('CLOSED', 'the session server closed before the client acknowledged'));
  }
}
