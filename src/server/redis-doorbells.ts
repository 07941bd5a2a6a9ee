/**
 * `redisStore`'s events: one PUBLISH channel per node (`<prefix>node:<node>`) carries short
 * signals — appended, acked, taken, lost — to the node that needs them, and data in two cases: a
 * publish's message (so the node writes it to its members' links without reading it back; the
 * streams keep it) and volatile frames (never stored); all on one subscriber
 * connection. Doorbells published while it was away are gone: on every reconnect the store is
 * told, so it can ring them again from the state it holds.
 */
import type { StoreEvent } from './store';
import type { RedisClient, RedisSubscriber } from './redis-client';

type Listener = (e: StoreEvent) => void;

export class Doorbells {
  private sub: RedisSubscriber | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly client: RedisClient,
    /** `<prefix>node:` */
    readonly channel: string,
    /** Sees every event first (the store keeps its books with it). */
    private readonly observe: (e: StoreEvent) => void,
    /** The subscriber is back after a disconnect. */
    private readonly reconnected: () => void,
  ) {}

  /** The node name appended messages carry, so acks find their way back here: the first subscribed node. */
  self(): string {
    return this.listeners.keys().next().value ?? '';
  }

  /** Delivers `e` to `node`'s listeners; acks, losses and errors to every node this store serves (sends made through it settle whichever name heard them). */
  deliver(node: string | undefined, e: StoreEvent): void {
    this.observe(e);
    const everyone = node === undefined || e.type === 'acked' || e.type === 'lost' || e.type === 'error';
    const targets = everyone ? [...this.listeners.values()] : [this.listeners.get(node) ?? new Set<Listener>()];
    for (const set of targets) for (const fn of [...set]) fn(e);
  }

  async subscribe(node: string, listener: Listener): Promise<() => Promise<void>> {
    const sub = this.sub ?? this.connect();
    let set = this.listeners.get(node);
    if (!set) {
      set = new Set();
      this.listeners.set(node, set);
      await sub.subscribe(this.channel + node);
    }
    set.add(listener);
    return () => this.unsubscribe(node, listener);
  }

  /** After a reconnect: listen again on every node's channel. */
  async resubscribe(): Promise<void> {
    if (this.sub && this.listeners.size > 0) await this.sub.subscribe(...[...this.listeners.keys()].map((n) => this.channel + n));
  }

  close(): void {
    this.listeners.clear();
    this.sub?.disconnect();
    this.sub = undefined;
  }

  private connect(): RedisSubscriber {
    const s = this.client.duplicate();
    this.sub = s;
    let ready = false;
    s.on('message', (ch, text) => this.onMessage(ch, text));
    s.on('error', () => undefined);
    s.on('ready', () => {
      if (ready) this.reconnected();
      ready = true;
    });
    return s;
  }

  private async unsubscribe(node: string, listener: Listener): Promise<void> {
    const current = this.listeners.get(node);
    if (!current?.delete(listener) || current.size > 0) return;
    this.listeners.delete(node);
    if (!this.sub) return;
    if (this.listeners.size > 0) return void (await this.sub.unsubscribe(this.channel + node));
    // Nobody listens any more (the server closed): no connection is left open.
    this.sub.disconnect();
    this.sub = undefined;
  }

  /** A publish's appends on `node`, with the message: m[<msg id>, <'1' when binary>, <room>, [<sid>, <s>, …], <data>] (redis-room-scripts.ts). */
  private published(node: string, text: string): void {
    let id: string, b: string, r: string, list: Array<string | number>, d: string;
    try {
      [id, b, r, list, d] = JSON.parse(text.slice(1)) as [string, string, string, Array<string | number>, string];
    } catch {
      return;
    }
    const to: Array<{ id: string; s: number }> = [];
    for (let i = 0; i + 1 < list.length; i += 2) to.push({ id: String(list[i]), s: Number(list[i + 1]) });
    this.deliver(node, { type: 'published', m: b === '1' ? { id, d, b: 1, r } : { id, d, r }, to });
  }

  private onMessage(ch: string, text: string): void {
    if (!ch.startsWith(this.channel)) return;
    const node = ch.slice(this.channel.length);
    if (text.startsWith('v|')) {
      // A volatile frame (its text may hold "|"): v|<sid>,<sid>…|<frame>
      const end = text.indexOf('|', 2);
      if (end > 2) this.deliver(node, { type: 'volatile', ids: text.slice(2, end).split(','), text: text.slice(end + 1) });
      return;
    }
    if (text.startsWith('m[')) return this.published(node, text);
    const [kind, id = '', x = '', ...rest] = text.split('|');
    const n = Number(x);
    if (kind === 'a') this.deliver(node, { type: 'appended', id, s: n });
    else if (kind === 'k') this.deliver(node, { type: 'acked', id, a: n });
    else if (kind === 't') this.deliver(node, { type: 'taken', id, fence: n, node: rest.join('|') });
    else if (kind === 'l' && (x === 'overflow' || x === 'expired')) this.deliver(node, { type: 'lost', id, reason: x });
  }
}
