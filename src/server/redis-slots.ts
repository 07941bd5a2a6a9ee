/**
 * Which Redis node serves a session's keys, so a fan-out sends ONE script per node: a plain
 * Redis is one node; a Cluster is split by its slot table (ioredis `Cluster#slots`), each key's
 * slot being CRC16 of its hash tag (the Redis Cluster spec). A Cluster whose table is not known
 * yet is split per slot, which is always valid.
 */

const TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC16/XMODEM of the UTF-8 bytes of `text`. */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text)) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The Cluster slot of `key` (its hash tag when it has a non-empty one), as `CLUSTER KEYSLOT` answers. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(key) & 16383;
}

/** What the grouping reads of an ioredis client: a Cluster has `nodes()` and, once ready, its slot table. */
export interface SlotSource {
  nodes?(role: 'master'): unknown[];
  slots?: unknown;
}

export const isCluster = (client: SlotSource): boolean => typeof client.nodes === 'function';

/**
 * `ids` split by the node that serves `keyOf(id)`: one group on a plain Redis; on a Cluster one
 * per master in its slot table — or, with `perSlot` (or no table yet), one per slot.
 */
export function groupByNode<T>(client: SlotSource, items: T[], keyOf: (item: T) => string, perSlot = false): T[][] {
  if (!isCluster(client)) return items.length > 0 ? [items] : [];
  const table = Array.isArray(client.slots) ? (client.slots as unknown[][]) : [];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const slot = keySlot(keyOf(item));
    const master = perSlot ? undefined : table[slot]?.[0];
    const key = typeof master === 'string' ? master : `slot ${slot}`;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** A Cluster error that says the keys of one script were not all on the node it reached (a slot moving): try again per slot. */
export const isSlotError = (err: unknown): boolean => err instanceof Error && /^(CROSSSLOT|MOVED|ASK|TRYAGAIN)\b|non local key|do not hash to the same slot/i.test(err.message);
