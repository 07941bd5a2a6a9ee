/**
 * The batched writes of `redisStore` (redis-batch.ts runs them): appends, acks, receipts and
 * lease renewals of many sessions in one script. Keys and fields as redis-scripts.ts describes.
 * ARGV: what the script reads once, then for each session its id, its number of calls n, and
 * n calls of fixed width. The reply lists one result per call, sessions in order; appends and
 * acks also list what this node must hear itself (its doorbells are not published: see `ring`).
 */
import type { Arg, BatchSpec, Batched } from './redis-batch';
import type { NewMessage } from './store';
import { script } from './redis-scripts';

/**
 * `bells[n]`: the doorbell records for node n, published once per node per script, one record a
 * line; records for this node itself go to `mine` (the store rings them without Redis).
 */
const RING = `
local function ring(bells, mine, self, n, record)
  if not n or n == '' then return end
  if n == self then mine[#mine + 1] = record
  else
    local list = bells[n]
    if not list then list = {}; bells[n] = list end
    list[#list + 1] = record
  end
end
local function publish(channel, bells)
  for n, list in pairs(bells) do redis.call('PUBLISH', channel .. n, table.concat(list, '\\n')) end
end
local function hdel(key, fields)
  for i = 1, #fields, 1000 do redis.call('HDEL', key, unpack(fields, i, math.min(i + 999, #fields))) end
end
`;

/**
 * ARGV: node, channel prefix, P, P payloads; per session: sid, n, max messages, max bytes,
 * n × (msg id, payload index: negative when binary). KEYS per session: st, dn, ix.
 * → {per message: s | 0 (overflow) | -1 (unknown session), doorbells for this node}
 */
const APPEND = `
local BIG, WIDE = 32, string.rep('-', 80)
local node, channel = ARGV[1], ARGV[2]
local a, k = 4 + tonumber(ARGV[3]), 1
local out, mine, bells = {}, {}, {}
while a <= #ARGV do
  local sid, n, maxm, maxb, c = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), a + 4
  local st, dn, ix = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  a, k = c + 2 * n, k + 3
  local h = redis.call('HMGET', st, 'sq', 'ak', 'by', 'n', 'lm')
  if not h[1] then
    for i = 1, n do out[#out + 1] = -1 end
  else
    local sq, ak, by = tonumber(h[1]), tonumber(h[2]), tonumber(h[3] or '0')
    local was, seen, fresh, over = sq, {}, {}, false
    -- The ids already here: a call sent again after a lost reply keeps its seq.
    if sq > ak then
      local ids = {}
      for i = 0, n - 1 do ids[i + 1] = ARGV[c + 2 * i] end
      local got = redis.call('HMGET', ix, unpack(ids))
      for i = 1, n do if got[i] then seen[ids[i]] = tonumber(got[i]) end end
    end
    for i = 0, n - 1 do
      local id, ref = ARGV[c + 2 * i], tonumber(ARGV[c + 2 * i + 1])
      local d = ARGV[3 + math.abs(ref)]
      if seen[id] then out[#out + 1] = seen[id]
      elseif sq - ak >= maxm or by + #d > maxb then
        over = true
        out[#out + 1] = 0
      else
        sq, by = sq + 1, by + #d
        if ref < 0 then redis.call('XADD', dn, '0-' .. sq, 'i', id, 'n', node, 'd', d, 'b', '1')
        else redis.call('XADD', dn, '0-' .. sq, 'i', id, 'n', node, 'd', d) end
        seen[id] = sq
        fresh[#fresh + 1] = id
        fresh[#fresh + 1] = sq
        out[#out + 1] = sq
      end
    end
    if over then redis.call('HSET', st, 'sq', sq, 'by', by, 'o', '1')
    elseif sq > was then redis.call('HSET', st, 'sq', sq, 'by', by) end
    if sq > was then
      -- Past BIG unacked, ix leaves Redis's compact listpack form (a field "" with a value longer
      -- than hash-max-listpack-value): in a listpack every lookup and write scans all the fields.
      if sq - ak > BIG then
        fresh[#fresh + 1] = ''
        fresh[#fresh + 1] = WIDE
      end
      redis.call('HSET', ix, unpack(fresh))
      -- A new Stream: it lives as long as the session (lm: the ttl last given to st, at least what st has left).
      if was == ak then
        local ms = h[5] or redis.call('PTTL', st)
        if tonumber(ms) > 0 then
          redis.call('PEXPIRE', dn, ms)
          redis.call('PEXPIRE', ix, ms)
        end
      end
      ring(bells, mine, node, h[4], 'a|' .. sid .. '|' .. sq)
    end
  end
end
publish(channel, bells)
return {out, mine}
`;

/**
 * ARGV: node, channel prefix; per session: sid, n, n × (fence, a). KEYS per session: st, dn, ix.
 * → {per ack: 1 | 0 (stale) | -1 (gone, also a above the last seq), doorbells for this node}
 */
const ACK = `
local function ack(st, dn, ix, fence, a, sid, node, mine, bells)
  local h = redis.call('HMGET', st, 'f', 'sq', 'ak', 'by')
  local v = fenced(h[1], fence)
  if v ~= 1 then return v end
  local sq, ak, by = tonumber(h[2]), tonumber(h[3]), tonumber(h[4] or '0')
  if a > sq then return -1 end
  if a <= ak then return 1 end
  local told, ids = {}, {}
  for _, e in ipairs(redis.call('XRANGE', dn, '0-' .. (ak + 1), '0-' .. a)) do
    ids[#ids + 1] = e[2][2]
    by = by - #e[2][6]
    told[e[2][4]] = true
  end
  if a == sq then
    redis.call('DEL', dn, ix)
    by = 0
  else
    hdel(ix, ids)
    redis.call('XTRIM', dn, 'MINID', '0-' .. (a + 1))
  end
  redis.call('HSET', st, 'ak', a, 'by', math.max(by, 0))
  for n in pairs(told) do ring(bells, mine, node, n, 'k|' .. sid .. '|' .. a) end
  return 1
end
local node, channel = ARGV[1], ARGV[2]
local a, k = 3, 1
local out, mine, bells = {}, {}, {}
while a <= #ARGV do
  local sid, n = ARGV[a], tonumber(ARGV[a + 1])
  local st, dn, ix = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  a, k = a + 2, k + 3
  for i = 1, n do
    out[#out + 1] = ack(st, dn, ix, ARGV[a], tonumber(ARGV[a + 1]), sid, node, mine, bells)
    a = a + 2
  end
end
publish(channel, bells)
return {out, mine}
`;

/** ARGV per session: sid, n, n × (fence, s). KEYS per session: st. → {per call: 1 | 0 | -1} */
const RECEIVED = `
local a, k, out = 1, 1, {}
while a <= #ARGV do
  local n, st = tonumber(ARGV[a + 1]), KEYS[k]
  a, k = a + 2, k + 1
  for i = 1, n do
    local h = redis.call('HMGET', st, 'f', 'rx')
    local v = fenced(h[1], ARGV[a])
    if v == 1 and tonumber(ARGV[a + 1]) > tonumber(h[2]) then redis.call('HSET', st, 'rx', ARGV[a + 1]) end
    out[#out + 1] = v
    a = a + 2
  end
end
return {out}
`;

/**
 * Lease renewal of sessions this node holds (only with their current fence).
 * ARGV per session: sid, n, n × (fence, ms, tombMs). KEYS per session: st, dn, tb, ix.
 * → {per call: 1 | 0 (stale) | -1 (gone)}
 */
const RENEW = `
local a, k, out = 1, 1, {}
while a <= #ARGV do
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  for i = 1, n do
    local h = redis.call('HMGET', KEYS[k], 'f', 'u', 'lm')
    local v = fenced(h[1], ARGV[a])
    if v == 1 then keep(k, ARGV[a + 1], ARGV[a + 2], h[2], h[3]) end
    out[#out + 1] = v
    a = a + 3
  end
  k = k + 4
end
return {out}
`;

export const BATCH_SCRIPTS = {
  append: script(RING + APPEND, 'whole'),
  ack: script(RING + ACK, 'bounded'),
  received: script(RECEIVED, 'bounded'),
  renew: script(RENEW, 'bounded'),
};

/** What `ring` collected for this node: 'a|sid|s' / 'k|sid|a' records. */
export type Doorbell = { kind: string; id: string; n: number };

type Reply = [number[], string[]?];

/** The results and this node's doorbells of a batch reply. */
function reply(r: unknown): { out: number[]; mine: Doorbell[] } {
  const [out, mine = []] = r as Reply;
  return {
    out,
    mine: mine.map((text) => {
      const [kind = '', id = '', n = ''] = text.split('|');
      return { kind, id, n: Number(n) };
    }),
  };
}

export interface AppendCall {
  m: NewMessage;
  messages: number;
  bytes: number;
}

/** Keys of one session: st, dn, tb, ix (redis-scripts.ts). */
type KeysOf = (id: string) => string[];

/** Appends; a payload sent to many sessions in one turn (a room publish) travels once. */
export function appendSpec(keys: KeysOf, self: () => string, channel: string, heard: (bells: Doorbell[]) => void): BatchSpec<AppendCall, number> {
  return {
    script: BATCH_SCRIPTS.append,
    keys: (id) => {
      const [st, dn, , ix] = keys(id);
      return [st!, dn!, ix!];
    },
    args(sessions: ReadonlyArray<Batched<AppendCall>>): Arg[] {
      const payloads: string[] = [];
      const calls: Arg[] = [];
      for (const s of sessions) {
        // One group's calls share their limits (`together`).
        calls.push(s.id, s.calls.length, s.calls[0]!.messages, s.calls[0]!.bytes);
        for (const { m } of s.calls) {
          // A payload repeated in a row (a publish to many members) travels once.
          if (payloads[payloads.length - 1] !== m.d) payloads.push(m.d);
          calls.push(m.id, m.b ? -payloads.length : payloads.length);
        }
      }
      return [self(), channel, payloads.length, ...payloads, ...calls];
    },
    results(r: unknown): number[] {
      const { out, mine } = reply(r);
      if (mine.length) heard(mine);
      return out;
    },
    bytes: (c) => c.m.d.length,
    together: (a, b) => a.messages === b.messages && a.bytes === b.bytes,
  };
}

export interface AckCall {
  fence: number;
  a: number;
}

export function ackSpec(keys: KeysOf, self: () => string, channel: string, heard: (bells: Doorbell[]) => void): BatchSpec<AckCall, number> {
  return {
    script: BATCH_SCRIPTS.ack,
    keys: (id) => {
      const [st, dn, , ix] = keys(id);
      return [st!, dn!, ix!];
    },
    args: (sessions) => [self(), channel, ...sessions.flatMap((s) => [s.id, s.calls.length, ...s.calls.flatMap((c) => [c.fence, c.a])])],
    results(r: unknown): number[] {
      const { out, mine } = reply(r);
      if (mine.length) heard(mine);
      return out;
    },
  };
}

export interface ReceivedCall {
  fence: number;
  s: number;
}

export function receivedSpec(keys: KeysOf): BatchSpec<ReceivedCall, number> {
  return {
    script: BATCH_SCRIPTS.received,
    keys: (id) => [keys(id)[0]!],
    args: (sessions) => sessions.flatMap((s) => [s.id, s.calls.length, ...s.calls.flatMap((c) => [c.fence, c.s])]),
    results: (r) => reply(r).out,
  };
}

export interface RenewCall {
  fence: number;
  ms: number;
  tombMs: number;
}

export function renewSpec(keys: KeysOf): BatchSpec<RenewCall, number> {
  return {
    script: BATCH_SCRIPTS.renew,
    keys,
    args: (sessions) => sessions.flatMap((s) => [s.id, s.calls.length, ...s.calls.flatMap((c) => [c.fence, c.ms, c.tombMs])]),
    results: (r) => reply(r).out,
  };
}
