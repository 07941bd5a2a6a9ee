/**
 * The Lua side of `redisStore`'s rooms (redis-rooms.ts). Keys, beside a session's (redis-scripts.ts):
 *   room  hash  `<prefix>{r:<room>}:m`: session id → user; expires when no member renews it
 *   st    the session's hash gains `rm` ("\n"-separated rooms, with a leading and trailing "\n":
 *         room names hold no control character) and `rc` (how many) — so they end with it
 *   pb    string `<prefix>{<tag>}:pb:<hash>`: a publish already done for one node's members, with
 *         how many it reached (a repeat of its id, or ioredis resending the script after a
 *         reconnect, appends nothing twice)
 * A fan-out script reaches the sessions of one Redis node: it declares one key, which routes it
 * there, and reaches the others by name (`allow-cross-slot-keys`: on a Cluster they span slots
 * of that node; Redis refuses declared keys of several slots), so a publish is one script per node.
 */
import { makeScript } from './redis-scripts';

/** The session side of join/leave. KEYS: st. ARGV: room, max rooms, 'join' | 'leave' → {0} unknown | {1, user, pttl} joined | {2, user, pttl} already in | {3} too many rooms | {4} left. */
const MEMBERSHIP = `
local h = redis.call('HMGET', KEYS[1], 'u', 'rm', 'rc')
if not h[1] then return {0} end
local rm, rc, room = h[2] or '\\n', tonumber(h[3] or '0'), ARGV[1]
local at = string.find(rm, '\\n' .. room .. '\\n', 1, true)
if ARGV[3] == 'leave' then
  if at then
    rm = string.sub(rm, 1, at) .. string.sub(rm, at + #room + 2)
    if rc <= 1 then redis.call('HDEL', KEYS[1], 'rm', 'rc') else redis.call('HSET', KEYS[1], 'rm', rm, 'rc', rc - 1) end
  end
  return {4}
end
if at then return {2, h[1], redis.call('PTTL', KEYS[1])} end
if rc >= tonumber(ARGV[2]) then return {3} end
redis.call('HSET', KEYS[1], 'rm', rm .. room .. '\\n', 'rc', rc + 1)
return {1, h[1], redis.call('PTTL', KEYS[1])}
`;

/** The room side of join. KEYS: room. ARGV: sid, user, max members, keep ms → 1 | 0 (full). */
const ADMIT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
local t = redis.call('PTTL', KEYS[1])
if t < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
`;

/**
 * Appends one message to every member session on this node, each under its own next seq, with
 * the limits and overflow mark of APPEND, and rings each holding node's doorbell once, with the
 * message: `m` + JSON [msg id, '1' when binary, room, [sid, seq, sid, seq…], data] (the node then
 * writes it to its links without reading it back; the stream keeps it for replays).
 * KEYS: pb (tagged like the first session, so a Cluster routes the script to that node). ARGV:
 * msg id, data, '1' when binary, room (r), max messages, max bytes, channel prefix, publishing
 * node (not rung: it writes to its own links), pb ms, key prefix, then the session ids.
 * → {'repeat', n} | per session its seq, 0 (overflowed) or -1 (gone).
 * Every session is read before anything is written: a key this node does not serve (a slot
 * moving) fails the script before it changed anything, and the caller tries again per slot.
 */
const FANOUT = `
local done = redis.call('GET', KEYS[1])
if done then return {'repeat', tonumber(done)} end
local first, states = 11, {}
for k = first, #ARGV do states[k] = redis.call('HMGET', ARGV[10] .. '{' .. ARGV[k] .. '}:st', 'sq', 'ak', 'by', 'n') end
local len, maxm, maxb = #ARGV[2], tonumber(ARGV[5]), tonumber(ARGV[6])
local out, bells, count = {}, {}, 0
for k = first, #ARGV do
  local sid, h = ARGV[k], states[k]
  local st, dn = ARGV[10] .. '{' .. sid .. '}:st', ARGV[10] .. '{' .. sid .. '}:dn'
  if not h[1] then
    out[#out + 1] = -1
  else
    local sq, ak, by = tonumber(h[1]), tonumber(h[2]), tonumber(h[3] or '0')
    if sq - ak >= maxm or by + len > maxb then
      redis.call('HSET', st, 'o', '1')
      out[#out + 1] = 0
    else
      local s = sq + 1
      if ARGV[3] == '1' then
        redis.call('XADD', dn, '0-' .. s, 'i', ARGV[1], 'n', '', 'd', ARGV[2], 'b', '1', 'r', ARGV[4])
      else
        redis.call('XADD', dn, '0-' .. s, 'i', ARGV[1], 'n', '', 'd', ARGV[2], 'r', ARGV[4])
      end
      redis.call('HSET', st, 'sq', s, 'by', by + len)
      -- Caught up, the stream had been deleted (ACK does): the new one expires with the session.
      if sq == ak then
        local ms = redis.call('PTTL', st)
        if ms > 0 then redis.call('PEXPIRE', dn, ms) end
      end
      out[#out + 1] = s
      count = count + 1
      local owner = h[4]
      if owner and owner ~= '' and owner ~= ARGV[8] then
        local list = bells[owner]
        if not list then list = {}; bells[owner] = list end
        list[#list + 1] = sid
        list[#list + 1] = s
      end
    end
  end
end
for node, list in pairs(bells) do redis.call('PUBLISH', ARGV[7] .. node, 'm' .. cjson.encode({ARGV[1], ARGV[3], ARGV[4], list, ARGV[2]})) end
redis.call('SET', KEYS[1], count, 'PX', ARGV[9])
return out
`;

/**
 * Who holds each session's link, and its last seq. KEYS: the first session's st (it routes the
 * script). ARGV: key prefix, then the session ids → per session its node ('' when none) and
 * seq, or false, false when it is gone.
 */
const OWNERS = `
local out = {}
for k = 2, #ARGV do
  local h = redis.call('HMGET', ARGV[1] .. '{' .. ARGV[k] .. '}:st', 'n', 'sq')
  out[2 * k - 3], out[2 * k - 2] = h[1], h[2]
end
return out
`;

export const ROOM_SCRIPTS = {
  membership: makeScript(MEMBERSHIP),
  admit: makeScript(ADMIT),
  fanout: makeScript(FANOUT, ['allow-cross-slot-keys']),
  owners: makeScript(OWNERS, ['no-writes', 'allow-cross-slot-keys']),
};
