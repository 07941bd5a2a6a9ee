/**
 * The per-turn batcher of `redisStore`: calls on sessions made within one event-loop turn run as
 * one Lua script per slot group — on one Redis, every session of the turn in one script; on a
 * Cluster, one script per slot (a script may only touch one slot), the scripts of one node in
 * one pipeline (redis-turn.ts). Each call still gets its own result, in call order per session.
 *
 * A `BatchSpec` says how: which keys of a session the script reads, the ARGV for a group of
 * sessions, and how to read the reply. The store runs its appends, acks, receipts and lease
 * renewals through one `SessionBatch` each; a room publish adds its per-member appends to the
 * store's append batch (`RedisStore.appendAll`), so one publish is one script per slot group.
 */
import type { Script } from './redis-scripts';
import type { RedisTurn, TurnSource } from './redis-turn';

export type Arg = string | number;

/** Calls on one session in one script call, in call order (consecutive ones the spec lets share a group). */
export interface Batched<T> {
  id: string;
  calls: T[];
}

export interface BatchSpec<T, R> {
  readonly script: Script;
  /** The keys of one session, in the order the script reads them. */
  keys(id: string): string[];
  /** ARGV for one script call over `sessions`. */
  args(sessions: ReadonlyArray<Batched<T>>): Arg[];
  /** The script's reply → one result per call, sessions in order, each session's calls in order. */
  results(reply: unknown, sessions: ReadonlyArray<Batched<T>>): R[];
  /** Bytes a call adds to Redis (an append's payload): a script adds at most MAX_BYTES, or one call. */
  bytes?(item: T): number;
  /** Whether call `b`, right after `a` on the same session, may join its group (appends: the same limits); else a new group starts. */
  together?(a: T, b: T): boolean;
}

interface Pending<T, R> {
  id: string;
  item: T;
  resolve(r: R): void;
  reject(err: unknown): void;
}

/** At most this many calls in one script: Redis runs nothing else meanwhile. */
const MAX_CALLS = 500;
/**
 * At most this many payload bytes (or one call) in one script. Redis checks `maxmemory` when a
 * script starts, so this bounds how far one script can go past it: about one message, as when
 * every append was a script of its own.
 */
const MAX_BYTES = 64 * 1024;

export class SessionBatch<T, R> implements TurnSource {
  private calls: Array<Pending<T, R>> = [];
  /**
   * Sessions with a script out: their next calls wait for its answer, so a session's calls run in
   * call order whatever happens on the way (a reconnect that resends, a script sent again in full).
   */
  private readonly busy = new Set<string>();

  constructor(private readonly turn: RedisTurn, private readonly spec: BatchSpec<T, R>) {}

  /** `item` for session `id`, run with every other call of this turn. */
  add(id: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.calls.push({ id, item, resolve, reject });
      this.turn.wake(this);
    });
  }

  /** End of the turn: the calls grouped by slot (all in one group on one Redis), then by session. */
  drain(): void {
    const calls = this.calls;
    this.calls = [];
    const groups = new Map<number, Map<string, Array<Pending<T, R>>>>();
    for (const c of calls) {
      if (this.busy.has(c.id)) {
        this.calls.push(c);
        continue;
      }
      const slot = this.turn.cluster ? this.turn.slot(this.spec.keys(c.id)[0]!) : 0;
      let sessions = groups.get(slot);
      if (!sessions) groups.set(slot, (sessions = new Map()));
      const mine = sessions.get(c.id);
      if (mine) mine.push(c);
      else sessions.set(c.id, [c]);
    }
    for (const sessions of groups.values()) this.chunks(sessions);
  }

  /**
   * Script calls for one slot group: at most MAX_CALLS calls and MAX_BYTES bytes (or one call)
   * each, a session in one of them; what does not fit of a session waits for the next round.
   */
  private chunks(sessions: Map<string, Array<Pending<T, R>>>): void {
    const { bytes, together } = this.spec;
    let chunk: Array<Batched<Pending<T, R>>> = [];
    let [count, size] = [0, 0];
    const full = (b: number): boolean => count > 0 && (count >= MAX_CALLS || size + b > MAX_BYTES);
    for (const [id, pending] of sessions) {
      if (full(bytes ? bytes(pending[0]!.item) : 0)) {
        this.run(chunk);
        [chunk, count, size] = [[], 0, 0];
      }
      let group: Batched<Pending<T, R>> | undefined;
      let cut = false;
      for (const c of pending) {
        const b = bytes ? bytes(c.item) : 0;
        if ((cut ||= group !== undefined && full(b))) {
          this.calls.push(c);
          continue;
        }
        if (!group || (together && !together(group.calls[group.calls.length - 1]!.item, c.item))) chunk.push((group = { id, calls: [] }));
        group.calls.push(c);
        count++;
        size += b;
      }
    }
    if (count > 0) this.run(chunk);
  }

  private run(chunk: Array<Batched<Pending<T, R>>>): void {
    const sessions = chunk.map((s) => ({ id: s.id, calls: s.calls.map((c) => c.item) }));
    const keys = sessions.flatMap((s) => this.spec.keys(s.id));
    for (const s of chunk) this.busy.add(s.id);
    const done = (): void => {
      for (const s of chunk) this.busy.delete(s.id);
      if (this.calls.length) this.turn.wake(this);
    };
    const settle = (reply: unknown): void => {
      const results = this.spec.results(reply, sessions);
      let i = 0;
      for (const s of chunk) for (const c of s.calls) c.resolve(results[i++]!);
    };
    const fail = (err: unknown): void => {
      for (const s of chunk) for (const c of s.calls) c.reject(err);
    };
    this.turn.script(this.spec.script, keys, this.spec.args(sessions)).then((reply) => {
      done();
      try {
        settle(reply);
      } catch (err) {
        fail(err);
      }
    }, (err: unknown) => {
      done();
      fail(err);
    });
  }
}
