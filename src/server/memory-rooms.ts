/**
 * `memoryStore`'s rooms: each room's members and each session's rooms, kept together so a
 * session that ends leaves every room at once; and the publish ids remembered for dedupe.
 */
import type { Audience, RoomLimit } from './store';

export class Memberships {
  private readonly byRoom = new Map<string, Set<string>>();
  private readonly bySession = new Map<string, Set<string>>();

  join(id: string, room: string, limit: RoomLimit): 'ok' | 'rooms' | 'members' {
    const mine = this.bySession.get(id);
    if (mine?.has(room)) return 'ok';
    if ((mine?.size ?? 0) >= limit.rooms) return 'rooms';
    const members = this.byRoom.get(room);
    if ((members?.size ?? 0) >= limit.members) return 'members';
    (mine ?? this.put(this.bySession, id)).add(room);
    (members ?? this.put(this.byRoom, room)).add(id);
    return 'ok';
  }

  leave(id: string, room: string): void {
    this.drop(this.bySession, id, room);
    this.drop(this.byRoom, room, id);
  }

  rooms(id: string): string[] {
    return [...(this.bySession.get(id) ?? [])];
  }

  /** The room's member ids (live ones and, until the store notices, expired ones). */
  members(room: string): ReadonlySet<string> | undefined {
    return this.byRoom.get(room);
  }

  /** The session ended: it leaves every room. */
  end(id: string): void {
    const mine = this.bySession.get(id);
    if (!mine) return;
    this.bySession.delete(id);
    for (const room of mine) this.drop(this.byRoom, room, id);
  }

  clear(): void {
    this.byRoom.clear();
    this.bySession.clear();
  }

  private put(map: Map<string, Set<string>>, key: string): Set<string> {
    const set = new Set<string>();
    map.set(key, set);
    return set;
  }

  private drop(map: Map<string, Set<string>>, key: string, value: string): void {
    const set = map.get(key);
    if (set?.delete(value) && set.size === 0) map.delete(key);
  }
}

/** The key a publish id is remembered under: its audience and the id (room names hold no control characters). */
export const dedupeKey = (to: Audience, id: string): string => ('room' in to ? `r\n${to.room}` : `u\n${to.user}`) + `\n${id}`;

/** Publish ids remembered for a while, each with how many sessions its publish reached. */
export class Repeats {
  private readonly seen = new Map<string, { count: number; until: number }>();

  get(key: string, now: number): number | undefined {
    const r = this.seen.get(key);
    return r && r.until > now ? r.count : undefined;
  }

  remember(key: string, count: number, until: number): void {
    this.seen.set(key, { count, until });
  }

  sweep(now: number): void {
    for (const [key, r] of this.seen) if (r.until <= now) this.seen.delete(key);
  }

  clear(): void {
    this.seen.clear();
  }
}
