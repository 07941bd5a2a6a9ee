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
 *   ix  hash    msg id → s for unacked messages: a client library's resent append is not appended twice
 * User key (KEYS[1] of USER): zset of the user's session ids scored by when their link last came or went.
 * Doorbell messages on channel <prefix>node:<node>: `a|sid|s`, `k|sid|a`, `t|sid|fence|node`, `l|sid|reason`.
 * Fenced writes answer 1 (done), 0 (stale: a newer claim holds the session), -1 (gone: no state,
 * or one older than the claim — the store went back).
 */
import { createHash } from 'crypto';

const PRELUDE = `
local function keep(ms, tombms, user)
  if tonumber(ms) > 0 then
    redis.call('PEXPIRE', KEYS[1], ms)
    redis.call('PEXPIRE', KEYS[2], ms)
    redis.call('PEXPIRE', KEYS[4], ms)
  else
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
  end
  if tonumber(tombms) > 0 then redis.call('SET', KEYS[3], user, 'PX', tombms) else redis.call('DEL', KEYS[3]) end
end
local function fenced(f, ours)
  if not f then return -1 end
  f, ours = tonumber(f), tonumber(ours)
  if f > ours then return 0 elseif f < ours then return -1 end
  return 1
end
-- Drops the session, telling every node that appended to it (its senders) why; returns those nodes.
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
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'n', ARGV[2], 'f', 1, 'rx', 0, 'sq', 0, 'ak', 0, 'by', 0)
keep(ARGV[3], ARGV[4], ARGV[1])
return 1
`;

/** ARGV: user, node, leaseMs, tombMs, channel prefix, sid → {1, rx, sq, ak, fence} | {0, reason} */
const CLAIM = `
local st = redis.call('HMGET', KEYS[1], 'u', 'n', 'f', 'rx', 'sq', 'ak', 'o')
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
keep(ARGV[3], ARGV[4], ARGV[1])
if st[2] ~= '' then redis.call('PUBLISH', ARGV[5] .. st[2], 't|' .. ARGV[6] .. '|' .. f .. '|' .. ARGV[2]) end
return {1, tonumber(st[4]), tonumber(st[5]), tonumber(st[6]), f}
`;

/** ARGV: msg id, data, '1' when binary, max messages, max bytes, appending node, channel prefix, sid → {1, s} | {0, reason} */
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'unknown'} end
local dup = redis.call('HGET', KEYS[4], ARGV[1])
if dup then return {1, tonumber(dup)} end
local by = tonumber(redis.call('HGET', KEYS[1], 'by') or '0')
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[4]) or by + #ARGV[2] > tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'o', '1')
  return {0, 'overflow'}
end
local s = redis.call('HINCRBY', KEYS[1], 'sq', 1)
redis.call('HINCRBY', KEYS[1], 'by', #ARGV[2])
if ARGV[3] == '1' then
  redis.call('XADD', KEYS[2], '0-' .. s, 'i', ARGV[1], 'n', ARGV[6], 'd', ARGV[2], 'b', '1')
else
  redis.call('XADD', KEYS[2], '0-' .. s, 'i', ARGV[1], 'n', ARGV[6], 'd', ARGV[2])
end
redis.call('HSET', KEYS[4], ARGV[1], s)
local ms = redis.call('PTTL', KEYS[1])
if ms > 0 then
  redis.call('PEXPIRE', KEYS[2], ms)
  redis.call('PEXPIRE', KEYS[4], ms)
end
local owner = redis.call('HGET', KEYS[1], 'n')
if owner and owner ~= '' then redis.call('PUBLISH', ARGV[7] .. owner, 'a|' .. ARGV[8] .. '|' .. s) end
return {1, s}
`;

/** ARGV: fence, a, channel prefix, sid → 1 | 0 | -1 (also when a is above the last seq: the store went back) */
const ACK = `
local st = redis.call('HMGET', KEYS[1], 'f', 'sq', 'ak', 'by')
local v = fenced(st[1], ARGV[1])
if v ~= 1 then return v end
local sq, ak, by = tonumber(st[2]), tonumber(st[3]), tonumber(st[4] or '0')
local a = tonumber(ARGV[2])
if a > sq then return -1 end
if a <= ak then return 1 end
local told = {}
for _, e in ipairs(redis.call('XRANGE', KEYS[2], '0-' .. (ak + 1), '0-' .. a)) do
  redis.call('HDEL', KEYS[4], e[2][2])
  by = by - #e[2][6]
  told[e[2][4]] = true
end
if a == sq then
  redis.call('DEL', KEYS[2], KEYS[4])
  by = 0
else
  redis.call('XTRIM', KEYS[2], 'MINID', '0-' .. (a + 1))
end
redis.call('HSET', KEYS[1], 'ak', a, 'by', math.max(by, 0))
for n in pairs(told) do
  if n ~= '' then redis.call('PUBLISH', ARGV[3] .. n, 'k|' .. ARGV[4] .. '|' .. a) end
end
return 1
`;

/** ARGV: fence, s → 1 | 0 | -1 */
const RECEIVED = `
local st = redis.call('HMGET', KEYS[1], 'f', 'rx')
local v = fenced(st[1], ARGV[1])
if v ~= 1 then return v end
if tonumber(ARGV[2]) > tonumber(st[2]) then redis.call('HSET', KEYS[1], 'rx', ARGV[2]) end
return 1
`;

/**
 * Lease renewal (ARGV[4] '0': only with the current fence) or release (ARGV[4] '1': the owner
 * is gone, expiry starts; also with an older stored fence, the store having gone back; ms 0
 * forgets the session). ARGV: fence, ms, tombMs, release → the user | 0 (stale) | -1 (gone)
 */
const KEEP = `
local st = redis.call('HMGET', KEYS[1], 'f', 'u')
local v = fenced(st[1], ARGV[1])
if v == 0 or (v == -1 and (not st[1] or ARGV[4] ~= '1')) then return v end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'n', '') end
keep(ARGV[2], ARGV[3], st[2])
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

/**
 * `bounded`: the script never grows memory (it updates a few fields, trims, deletes), so it runs
 * even when Redis is at `maxmemory` (Redis 7's `allow-oom` flag): at OOM a client's messages are
 * still recorded, acks still free memory and links still resume; only appends and new sessions
 * are refused (the script's first write fails), which the app sees as STORE_FAILED.
 */
/** A script with Redis 7 shebang `flags` (none: no shebang), addressed by its SHA1. */
export function makeScript(body: string, flags: string[] = []): Script {
  const lua = (flags.length > 0 ? `#!lua flags=${flags.join(',')}\n` : '') + body;
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const script = (body: string, bounded = false): Script => makeScript(PRELUDE + body, bounded ? ['allow-oom'] : []);

export const SCRIPTS = {
  create: script(CREATE),
  claim: script(CLAIM, true),
  append: script(APPEND),
  ack: script(ACK, true),
  received: script(RECEIVED, true),
  keep: script(KEEP, true),
  end: script(END, true),
  user: script(USER),
};

/** The one client method the store needs for commands (ioredis `Redis` and `Cluster` have it). */
export interface RedisCaller {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}

/** EVALSHA, falling back to EVAL once after a restart emptied the script cache. */
export async function runScript(client: RedisCaller, s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
  try {
    return await client.call('EVALSHA', s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return client.call('EVAL', s.lua, keys.length, ...keys, ...args);
  }
}
