/**
 * One round trip per Redis node per event-loop turn. Every command `redisStore` sends is queued
 * here; at the end of the turn (`setImmediate`) the batches that collected calls (redis-batch.ts)
 * add their scripts, and the whole queue leaves as one ioredis pipeline per node (one write, one
 * read), grouped on a Cluster by the node serving each command's slot. Each command still
 * answers for itself. A client without `pipeline` (a test double) gets each command on its own.
 */
import type { RedisClient } from './redis-client';
import type { Script } from './redis-scripts';
import { keySlot } from './redis-slots';

type Arg = string | number;

interface Queued {
  slot: number;
  args: [string, ...Arg[]];
  script: Script | undefined;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Something that adds its calls to the turn's round trip when the turn ends. */
export interface TurnSource {
  drain(): void;
}

/** Errors after which a Cluster command is sent again on its own (ioredis follows the redirection). */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class RedisTurn {
  private queue: Queued[] = [];
  private readonly sources = new Set<TurnSource>();
  private pendingSources: TurnSource[] = [];
  private scheduled = false;

  constructor(private readonly client: RedisClient) {}

  /** Whether the client is a Cluster: scripts may then only touch the keys of one slot. */
  get cluster(): boolean {
    return this.client.isCluster === true;
  }

  /** `command` on the node serving `key`, in this turn's round trip. */
  call(key: string, command: string, ...args: Arg[]): Promise<unknown> {
    return this.push(this.slot(key), [command, ...args], undefined);
  }

  /** Script `s` on `keys` (one slot on a Cluster), by its sha; sent again in full if Redis lost its script cache. */
  script(s: Script, keys: string[], args: Arg[]): Promise<unknown> {
    return this.push(keys.length ? this.slot(keys[0]!) : 0, ['EVALSHA', s.sha, keys.length, ...keys, ...args], s);
  }

  /** The slot of `key` on a Cluster (one Redis: every key is together, 0). */
  slot(key: string): number {
    return this.cluster ? keySlot(key) : 0;
  }

  /** `source.drain()` runs once at the end of this turn, before the round trips leave. */
  wake(source: TurnSource): void {
    if (this.sources.has(source)) return;
    this.sources.add(source);
    this.pendingSources.push(source);
    this.schedule();
  }

  private push(slot: number, args: [string, ...Arg[]], script: Script | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ slot, args, script, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const sources = this.pendingSources;
    this.pendingSources = [];
    this.sources.clear();
    for (const source of sources) source.drain();
    const queue = this.queue;
    this.queue = [];
    // Calls made while draining ride along; scheduling again for them is harmless (an empty turn).
    this.send(queue);
  };

  private send(queue: Queued[]): void {
    if (typeof this.client.pipeline !== 'function') return queue.forEach((q) => this.alone(q));
    const groups = new Map<string, Queued[]>();
    const slots = this.cluster ? this.client.slots : undefined;
    for (const q of queue) {
      // On a Cluster, one pipeline per node; a slot it does not know yet goes on its own.
      const node = slots ? slots[q.slot]?.join(';') : '';
      if (node === undefined) this.alone(q);
      else {
        const group = groups.get(node);
        if (group) group.push(q);
        else groups.set(node, [q]);
      }
    }
    for (const group of groups.values()) {
      if (group.length === 1) this.alone(group[0]!);
      else this.pipelined(group);
    }
  }

  private pipelined(group: Queued[]): void {
    const pipeline = this.client.pipeline!();
    for (const q of group) pipeline.call(...q.args);
    pipeline.exec().then(
      (replies) => group.forEach((q, i) => {
        const [err, value] = replies?.[i] ?? [new Error('no reply'), undefined];
        if (err) this.failed(q, err);
        else q.resolve(value);
      }),
      // Refused before anything was sent (the Cluster's slots moved meanwhile): each on its own.
      () => group.forEach((q) => this.alone(q)),
    );
  }

  private alone(q: Queued): void {
    this.client.call(...q.args).then(q.resolve, (err: unknown) => this.failed(q, err, true));
  }

  private failed(q: Queued, err: unknown, alone = false): void {
    const text = messageOf(err);
    if (q.script && text.startsWith('NOSCRIPT')) {
      // Redis lost its scripts (a restart): this one goes again in full, and stays known from then on.
      const [, , ...rest] = q.args;
      this.client.call('EVAL', q.script.lua, ...rest).then(q.resolve, q.reject);
    } else if (!alone && REDIRECTED.test(text)) this.alone(q);
    else q.reject(err);
  }
}
