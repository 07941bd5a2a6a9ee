/**
 * The Lua side of `redisStore`: every write that reads before it writes runs as one script,
 * so two nodes never interleave a read-modify-write. All keys of a session share the hash
 * tag `{sid}` (one Cluster slot); a user's index has its own tag, so no script touches both;
 * a doorbell is a PUBLISH of a short signal, never the data.
 *
 * Session keys (KEYS[1..4] in every session script):
 *   st  hash    u user, n owner node ('' when released), f fence, rx client seq taken,
 *               sq last server seq, ak server seq acked by the client, by unacked payload bytes,
 *               o '1' after overflow
 *   dn  stream  unacked server messages; entry id 0-<s>, fields i <msg id>, n <appending node>, d <data>[, b 1]
 *   tb  string  the user; outlives the session by one ttl, so an expired id answers `expired`;
 *               empty after an overflow claim dropped the session (then it answers `unknown`)
 *   ix  hash    msg id → s for unacked messages: a client library's resent append is not appended twice;
 *               past 32 unacked also "" → a long value, which keeps it out of the listpack form
 * User key (KEYS[1] of USER): zset of the user's session ids scored by when their link last came or went.
 * Doorbell messages on channel <prefix>node:<node>: `a|sid|s`, `k|sid|a`, `t|sid|fence|node`, `l|sid|reason`.
 * Fenced writes answer 1 (done), 0 (stale: a newer claim holds the session), -1 (gone: no state,
 * or one older than the claim — the store went back).
 */
import { createHash } from 'crypto';

const PRELUDE = `
-- The session's keys from KEYS[k]: st, dn, tb, ix. ms > 0 renews them, and records ms in st's
-- "lm" (unless it is there already: lm) for a Stream made later; ms <= 0 forgets them.
local function keep(k, ms, tombms, user, lm)
  if tonumber(ms) > 0 then
    redis.call('PEXPIRE', KEYS[k], ms)
    redis.call('PEXPIRE', KEYS[k + 1], ms)
    redis.call('PEXPIRE', KEYS[k + 3], ms)
    if lm ~= tostring(ms) then redis.call('HSET', KEYS[k], 'lm', ms) end
  else
    redis.call('DEL', KEYS[k], KEYS[k + 1], KEYS[k + 3])
  end
  if tonumber(tombms) > 0 then redis.call('SET', KEYS[k + 2], user, 'PX', tombms) else redis.call('DEL', KEYS[k + 2]) end
end
local function fenced(f, ours)
  if not f then return -1 end
  f, ours = tonumber(f), tonumber(ours)
  if f > ours then return 0 elseif f < ours then return -1 end
  return 1
end
-- Drops the session of KEYS[1..4], telling every node that appended to it (its senders) why; returns those nodes.
local function drop(channel, sid, reason, tomb, tombms)
  local told, list = {}, {}
  for _, e in ipairs(redis.call('XRANGE', KEYS[2], '-', '+')) do
    local n = e[2][4]
    if n ~= '' and not told[n] then
      told[n] = true
      list[#list + 1] = n
      redis.call('PUBLISH', channel .. n, 'l|' .. sid .. '|' .. reason)
    end
  end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
  redis.call('SET', KEYS[3], tomb, 'PX', tombms)
  return list
end
`;

/** ARGV: user, node, leaseMs, tombMs */
const CREATE = `
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'n', ARGV[2], 'f', 1, 'rx', 0, 'sq', 0, 'ak', 0, 'by', 0, 'lm', ARGV[3])
keep(1, ARGV[3], ARGV[4], ARGV[1], ARGV[3])
return 1
`;

/** ARGV: user, node, leaseMs, tombMs, channel prefix, sid → {1, rx, sq, ak, fence} | {0, reason} */
const CLAIM = `
local st = redis.call('HMGET', KEYS[1], 'u', 'n', 'f', 'rx', 'sq', 'ak', 'o', 'lm')
if not st[1] then
  local u = redis.call('GET', KEYS[3])
  if not u or u == '' then return {0, 'unknown'} end
  if u ~= ARGV[1] then return {0, 'forbidden'} end
  return {0, 'expired'}
end
if st[1] ~= ARGV[1] then return {0, 'forbidden'} end
if st[7] == '1' then
  -- An empty tombstone: gone by overflow (its senders were told), so not "expired" to anyone.
  drop(ARGV[5], ARGV[6], 'overflow', '', ARGV[4])
  return {0, 'overflow'}
end
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
redis.call('HSET', KEYS[1], 'n', ARGV[2])
keep(1, ARGV[3], ARGV[4], ARGV[1], st[8])
if st[2] ~= '' then redis.call('PUBLISH', ARGV[5] .. st[2], 't|' .. ARGV[6] .. '|' .. f .. '|' .. ARGV[2]) end
return {1, tonumber(st[4]), tonumber(st[5]), tonumber(st[6]), f}
`;

/**
 * Lease renewal (ARGV[4] '0': only with the current fence) or release (ARGV[4] '1': the owner
 * is gone, expiry starts; also with an older stored fence, the store having gone back; ms 0
 * forgets the session). ARGV: fence, ms, tombMs, release → the user | 0 (stale) | -1 (gone)
 */
const KEEP = `
local st = redis.call('HMGET', KEYS[1], 'f', 'u', 'lm')
local v = fenced(st[1], ARGV[1])
if v == 0 or (v == -1 and (not st[1] or ARGV[4] ~= '1')) then return v end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'n', '') end
keep(1, ARGV[2], ARGV[3], st[2], st[3])
return st[2]
`;

/** Ends a session without a link (its user is over the limit), as if it expired. ARGV: user, tombMs, channel prefix, sid → 'live' | 'gone' | {'ended', nodes told…} */
const END = `
local st = redis.call('HMGET', KEYS[1], 'u', 'n')
if not st[1] or st[1] ~= ARGV[1] then return 'gone' end
if st[2] ~= '' then return 'live' end
local told = drop(ARGV[3], ARGV[4], 'expired', ARGV[1], ARGV[2])
table.insert(told, 1, 'ended')
return told
`;

/**
 * A user's index. ARGV: mode, sid, now, keyMs[, max]. 'add' adds (or re-dates) sid and, with
 * more than max members, returns the others, least recently seen first; 'del' removes sid;
 * 'keep' only renews; every mode keeps the key alive at least keyMs.
 */
const USER = `
if ARGV[1] == 'del' then redis.call('ZREM', KEYS[1], ARGV[2]) elseif ARGV[1] == 'add' then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2]) end
local t = redis.call('PTTL', KEYS[1])
if t == -1 or t < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
if ARGV[1] ~= 'add' or not ARGV[5] or redis.call('ZCARD', KEYS[1]) <= tonumber(ARGV[5]) then return {} end
local others = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if sid ~= ARGV[2] then others[#others + 1] = sid end
end
return others
`;

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

/** A script by its text: with `flags` (Redis 7), a `#!lua` shebang naming them (none: a bare shebang); without, none. */
export function makeScript(body: string, flags?: readonly string[]): Script {
  const shebang = flags ? `#!lua${flags.length > 0 ? ` flags=${flags.join(',')}` : ''}\n` : '';
  const lua = shebang + body;
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * How a script meets Redis's `maxmemory` (Redis 7 script flags):
 * - `bounded`: it never grows memory (it updates a few fields, trims, deletes), so it runs even at
 *   OOM (`allow-oom`): a client's messages are still recorded, acks still free memory and links
 *   still resume;
 * - `whole`: at OOM Redis refuses it before it runs (a shebang without `allow-oom`): a batch of
 *   appends is all or nothing;
 * - `first-write`: its first write fails at OOM, before anything is written.
 * Refused appends and new sessions reach the app as STORE_FAILED.
 */
const OOM_FLAGS = { bounded: ['allow-oom'], whole: [], 'first-write': undefined } as const;

/** A session script (PRELUDE + `body`) meeting `maxmemory` as `oom` says. */
export function script(body: string, oom: keyof typeof OOM_FLAGS = 'first-write'): Script {
  return makeScript(PRELUDE + body, OOM_FLAGS[oom]);
}

export const SCRIPTS = {
  create: script(CREATE),
  claim: script(CLAIM, 'bounded'),
  keep: script(KEEP, 'bounded'),
  end: script(END, 'bounded'),
  user: script(USER),
};

/** The one client method the store needs for commands (ioredis `Redis` and `Cluster` have it). */
export interface RedisCaller {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}
