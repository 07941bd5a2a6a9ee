/**
 * The one typed emitter of the package (the manager, the session, the server). Listener
 * arrays are replaced on change, so emit needs no copy; a listener that throws is reported
 * and never stops the next.
 */
import { PREFIX, typeError } from './errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (payload: any, meta: any) => void;

export class Emitter<Events extends object> {
  private _listeners: { [K in keyof Events]?: AnyListener[] } = {};
  private readonly _known: string[] | undefined;

  /** With `known`, `on()` refuses any other event name with a TypeError listing them. */
  constructor(known?: Array<keyof Events & string>) {
    this._known = known;
  }

  /**
   * Adds a listener; returns its unsubscribe. `meta` is what an event hands besides its
   * payload (a session message's `{ seq, id, room }`).
   * @throws TypeError for an event `known` does not list, or a listener that is not a function.
   */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K], meta: never) => void): () => void {
    const known = this._known;
    const call = `on("${event as string}", listener): `;
    if (known && known.indexOf(event as string) < 0) throw typeError(`${call}unknown event "${event as string}" (known: ${known.join(', ')})`);
    if (typeof listener !== 'function') throw typeError(`${call}needs a listener function`);
    this._listeners[event] = (this._listeners[event] || []).concat(listener as AnyListener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (payload: Events[K], meta: never) => void): void {
    const list = this._listeners[event];
    if (!list) return;
    const i = list.indexOf(listener as AnyListener);
    if (i >= 0) this._listeners[event] = list.slice(0, i).concat(list.slice(i + 1));
  }

  /** Calls each listener with `payload` (and `meta`, when the event has one). */
  emit<K extends keyof Events>(event: K, payload: Events[K], meta?: unknown): void {
    const list = this._listeners[event];
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as AnyListener)(payload, meta);
      } catch (err) {
        console.error(`${PREFIX} a "${event as string}" listener threw:`, err);
      }
    }
  }

  /** Listeners registered, over every event (leak checks). */
  count(): number {
    let n = 0;
    for (const key of Object.keys(this._listeners)) n += (this._listeners[key as keyof Events] as AnyListener[]).length;
    return n;
  }

  clear(): void {
    this._listeners = {};
  }
}
