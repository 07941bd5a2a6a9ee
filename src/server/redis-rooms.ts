/**
 * `redisStore`'s rooms and users (PROTOCOL.md "Rooms and users"). A room is a hash of member
 * session → user under its own hash tag; a session lists its rooms in its own state hash, so
 * they end with it. Members whose session ended are dropped from a room when a publish or a
 * read finds them gone. A publish reads the members (one round trip), then runs ONE script per
 * Redis node (redis-slots.ts) that appends to every member stream there and rings each holding
 * node's doorbell once; publishes from one store are issued in the order they were called.
 */
import { createHash } from 'crypto';
import { ROOM_SCRIPTS } from './redis-room-scripts';
import type { RedisClient } from './redis-client';
import type { Doorbells } from './redis-doorbells';
import type { Script } from './redis-scripts';
import type { RedisTurn } from './redis-turn';
import { groupByNode, isCluster, isSlotError } from './redis-slots';
import { isSessionId } from './session-id';
import type { Audience, BufferLimit, Joined, Member, NewMessage, Published, PublishCall, RoomLimit } from './store';

export interface RoomKeys {
  /** A session's keys: [st, dn, …]. */
  session(id: string): string[];
  /** A user's index of sessions (a zset). */
  user(user: string): string;
}

/** Members per fan-out script: a bigger node group is split, so no one script holds Redis for long. */
const CHUNK = 2000;
/** How long a publish without an app-given id is remembered: ioredis resends a script whose answer a reconnect lost. */
const RESEND_GUARD_MS = 60000;

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

export class RedisRooms {
  /** Resolves when the previous publish has sent its scripts: the next sends after it. */
  private issued: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: RedisClient,
    /** Every command and script goes out with its turn's round trip (redis-turn.ts). */
    private readonly turn: RedisTurn,
    private readonly prefix: string,
    private readonly keys: RoomKeys,
    private readonly bells: Doorbells,
    /** Life a room key gets beyond its newest member's, in ms (members renew it every lease interval). */
    private readonly margin: number,
  ) {}

  async join(id: string, room: string, limit: RoomLimit): Promise<Joined> {
    if (!isSessionId(id)) return 'unknown';
    const r = (await this.membership(id, room, 'join', limit.rooms)) as [number, string?, number?];
    if (r[0] === 0) return 'unknown';
    if (r[0] === 3) return 'rooms';
    const keep = Math.max(Number(r[2]), 0) + this.margin;
    if ((await this.turn.script(ROOM_SCRIPTS.admit, [this.roomKey(room)], [id, r[1]!, limit.members, keep])) === 1) return 'ok';
    // The room is full: the session does not list it either (unless it already did).
    if (r[0] === 1) await this.membership(id, room, 'leave', 0);
    return 'members';
  }

  async leave(id: string, room: string): Promise<void> {
    await Promise.all([isSessionId(id) && this.membership(id, room, 'leave', 0), this.cmd('HDEL', this.roomKey(room), id)]);
  }

  async rooms(id: string): Promise<string[] | undefined> {
    if (!isSessionId(id)) return undefined;
    const [user, list] = (await this.cmd('HMGET', this.keys.session(id)[0]!, 'u', 'rm')) as Array<string | null>;
    if (user === null || user === undefined) return undefined;
    return list ? list.split('\n').filter((r) => r !== '') : [];
  }

  async members(to: Audience): Promise<Member[]> {
    const [ids, users] = 'room' in to ? await this.roomMembers(to.room) : [await this.userSessions(to.user), undefined];
    const owners = await this.owners(ids);
    const out: Member[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const node = owners.get(id)?.node;
      if (node === undefined) gone.push(id);
      else out.push({ id, user: users ? users[i]! : (to as { user: string }).user, node: node === '' ? null : node });
    });
    this.forget(to, gone);
    return out;
  }

  async publish(to: Audience, m: NewMessage, limit: BufferLimit, call: PublishCall = {}): Promise<Published> {
    const before = this.issued;
    let sent!: () => void;
    this.issued = new Promise<void>((resolve) => (sent = resolve));
    let calls: Array<Promise<Array<[string[], unknown]>>>;
    try {
      const ids = 'room' in to ? await this.cmd('HKEYS', this.roomKey(to.room)) as string[] : await this.userSessions(to.user);
      await before;
      calls = this.fanout(to, ids, m, limit, call.node ?? this.bells.self(), call.dedupeMs ?? RESEND_GUARD_MS);
    } finally {
      sent();
    }
    const out: Published = { appended: [], overflowed: [] };
    const gone: string[] = [];
    const repeats: string[] = [];
    for (const [ids, r] of (await Promise.all(calls)).flat()) {
      if (Array.isArray(r) && r[0] === 'repeat') {
        out.repeated = (out.repeated ?? 0) + Number(r[1]);
        repeats.push(...ids);
      } else (r as number[]).forEach((s, i) => (s > 0 ? out.appended.push({ id: ids[i]!, s }) : (s === 0 ? out.overflowed : gone).push(ids[i]!)));
    }
    this.forget(to, gone);
    if (repeats.length > 0) await this.ringSelf(repeats, call.node ?? this.bells.self());
    return out;
  }

  async volatile(room: string, text: string): Promise<number> {
    const ids = (await this.cmd('HKEYS', this.roomKey(room))) as string[];
    const owners = await this.owners(ids);
    const byNode = new Map<string, string[]>();
    const gone: string[] = [];
    let count = 0;
    for (const id of ids) {
      const node = owners.get(id)?.node;
      if (node === undefined) gone.push(id);
      else if (node !== '') {
        count++;
        const list = byNode.get(node);
        if (list) list.push(id);
        else byNode.set(node, [id]);
      }
    }
    this.forget({ room }, gone);
    const self = this.bells.self();
    await Promise.all([...byNode].map(([node, list]) => {
      if (node === self) return void this.bells.deliver(self, { type: 'volatile', ids: list, text });
      return this.cmd('PUBLISH', this.bells.channel + node, `v|${list.join(',')}|${text}`);
    }));
    return count;
  }

  /** The lease renewal of the sessions this node holds: their rooms live at least `ms` more. */
  async renew(held: Array<[id: string, ms: number]>): Promise<void> {
    const lists = await Promise.all(held.map(([id]) => this.cmd('HGET', this.keys.session(id)[0]!, 'rm').catch(() => null)));
    const rooms = new Map<string, number>();
    lists.forEach((list, i) => {
      for (const room of typeof list === 'string' ? list.split('\n') : []) if (room !== '') rooms.set(room, Math.max(held[i]![1], rooms.get(room) ?? 0));
    });
    await Promise.all([...rooms].map(([room, ms]) => this.cmd('PEXPIRE', this.roomKey(room), ms, 'GT').catch(() => undefined)));
  }

  // ---- inside ----

  /** `command` on `key` (and `args`), in this turn's round trip to the node serving `key`. */
  private cmd(command: string, key: string, ...args: Array<string | number>): Promise<unknown> {
    return this.turn.call(key, command, key, ...args);
  }

  private roomKey(room: string): string {
    return `${this.prefix}{r:${room}}:m`;
  }

  private membership(id: string, room: string, mode: 'join' | 'leave', max: number): Promise<unknown> {
    return this.turn.script(ROOM_SCRIPTS.membership, [this.keys.session(id)[0]!], [room, max, mode]);
  }

  private async roomMembers(room: string): Promise<[string[], string[]]> {
    const flat = (await this.cmd('HGETALL', this.roomKey(room))) as string[];
    const ids: string[] = [];
    const users: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i]!);
      users.push(flat[i + 1]!);
    }
    return [ids, users];
  }

  private async userSessions(user: string): Promise<string[]> {
    return (await this.cmd('ZRANGE', this.keys.user(user), 0, -1)) as string[];
  }

  /** Sessions found gone leave the room (or the user's index); nobody waits for it. */
  private forget(to: Audience, gone: string[]): void {
    if (gone.length === 0) return;
    const cleanup = 'room' in to ? this.cmd('HDEL', this.roomKey(to.room), ...gone) : this.cmd('ZREM', this.keys.user(to.user), ...gone);
    cleanup.catch(() => undefined);
  }

  /** Each session's node ('' without a link) and last seq; absent when it is gone. One script per Redis node. */
  private async owners(ids: string[]): Promise<Map<string, { node: string; seq: number }>> {
    const out = new Map<string, { node: string; seq: number }>();
    const groups = groupByNode(this.client, ids, (id) => this.stKey(id));
    const answers = await Promise.all(groups.map((group) => this.perNode(ROOM_SCRIPTS.owners, group, (part) => [[this.stKey(part[0]!)], [this.prefix, ...part]])));
    for (const [part, r] of answers.flat()) {
      const flat = r as Array<string | null>;
      part.forEach((id, i) => typeof flat[2 * i] === 'string' && out.set(id, { node: flat[2 * i]!, seq: Number(flat[2 * i + 1]) }));
    }
    return out;
  }

  /**
   * A repeated publish (or ioredis resending one whose answer a reconnect lost) says no seqs; the
   * first one rang every node but this one, which writes to its own links itself: ring it now.
   */
  private async ringSelf(ids: string[], self: string): Promise<void> {
    for (const [id, { node, seq }] of await this.owners(ids)) if (node === self && seq > 0) this.bells.deliver(self, { type: 'appended', id, s: seq });
  }

  /** The fan-out scripts, issued now: one per Redis node (and per CHUNK members), each answer with the ids it is for. */
  private fanout(to: Audience, ids: string[], m: NewMessage, limit: BufferLimit, node: string, guardMs: number): Array<Promise<Array<[string[], unknown]>>> {
    const audience = 'room' in to ? `r:${to.room}` : `u:${to.user}`;
    const cluster = isCluster(this.client);
    const args = [m.id, m.d, m.b ? '1' : '0', m.r ?? '', Math.min(limit.messages, Number.MAX_SAFE_INTEGER), Math.min(limit.bytes, Number.MAX_SAFE_INTEGER), this.bells.channel, node, guardMs];
    const calls: Array<Promise<Array<[string[], unknown]>>> = [];
    for (const group of groupByNode(this.client, ids, (id) => this.stKey(id))) {
      // A big group is cut the same way each time (sorted), so a repeat finds each part's mark.
      const sorted = group.length > CHUNK ? [...group].sort() : group;
      for (let c = 0; c < sorted.length; c += CHUNK) {
        // The mark sits on the node of the part's first session (any key will do on one Redis).
        const mark = (part: string[]): string => `${this.prefix}{${cluster ? part[0] : audience}}:pb:${sha1(`${audience}\n${m.id}\n${c}`)}`;
        calls.push(this.perNode(ROOM_SCRIPTS.fanout, sorted.slice(c, c + CHUNK), (part) => [[mark(part)], [...args, this.prefix, ...part]]));
      }
    }
    return calls;
  }

  /**
   * Runs `s` for the sessions `ids` of one node; when a Cluster says their keys are no longer on
   * one node (a slot moving), once per slot instead. Each answer comes with the ids it is for.
   */
  private async perNode(s: Script, ids: string[], call: (part: string[]) => [string[], Array<string | number>]): Promise<Array<[string[], unknown]>> {
    const run = async (part: string[]): Promise<[string[], unknown]> => [part, await this.turn.script(s, ...call(part))];
    try {
      return [await run(ids)];
    } catch (err) {
      if (!isSlotError(err) || ids.length < 2) throw err;
      return Promise.all(groupByNode(this.client, ids, (id) => this.stKey(id), true).map(run));
    }
  }

  private stKey(id: string): string {
    return this.keys.session(id)[0]!;
  }
}
