/** A typed emitter. Listener arrays are replaced on change, so emit needs no copy. */
import { PREFIX } from './errors';

type AnyListener = (payload: never) => void;

export class Emitter<Events extends object> {
  private _listeners: { [K in keyof Events]?: Array<(payload: Events[K]) => void> } = {};

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    this._listeners[event] = (this._listeners[event] || []).concat(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
    const list = this._listeners[event];
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) this._listeners[event] = list.slice(0, i).concat(list.slice(i + 1));
  }

  /** Calls each listener; one that throws is reported and never stops the next. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this._listeners[event];
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (payload: Events[K]) => void)(payload);
      } catch (err) {
        console.error(`${PREFIX} a "${String(event)}" listener threw:`, err);
      }
    }
  }

  count(): number {
    let n = 0;
    for (const key of Object.keys(this._listeners)) n += (this._listeners[key as keyof Events] as AnyListener[]).length;
    return n;
  }

  clear(): void {
    this._listeners = {};
  }
}
