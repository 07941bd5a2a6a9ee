/**
 * What happened to the dev server, for the dashboard's markers: each fault as it is injected,
 * and in cluster mode each node that dies or comes back. Bounded: the newest MAX_EVENTS.
 */

export interface DevEvent {
  /** `Date.now()` when it happened. */
  t: number;
  kind: 'fault' | 'node';
  /** Short: it labels a marker on the charts ("kill node-2", "node-2 up"). */
  text: string;
}

const MAX_EVENTS = 500;

export class Journal {
  private readonly events: DevEvent[] = [];

  add(kind: DevEvent['kind'], text: string): void {
    this.events.push({ t: Date.now(), kind, text });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  /** The events, oldest first. */
  list(): DevEvent[] {
    return this.events.slice();
  }
}
