package redisstore

import "github.com/redis/rueidis"

// scripts holds the store's Lua scripts; see newScripts.
type scripts struct {
	create, update, advance, revoke, index, release, swap, deleteUser *rueidis.Lua
}

// newScripts prepares the scripts below.
func newScripts() scripts {
	return scripts{
		create:  rueidis.NewLuaScript(createScript),
		update:  rueidis.NewLuaScript(updateScript),
		advance: rueidis.NewLuaScript(luaLater + advanceScript),
		revoke:  rueidis.NewLuaScript(luaLater + revokeScript),
		index:   rueidis.NewLuaScript(indexScript),
		release: rueidis.NewLuaScript(releaseScript),
		swap:    rueidis.NewLuaScript(swapScript),

		deleteUser: rueidis.NewLuaScript(deleteUserScript),
	}
}

// Each script reads and writes one key, or two in one cluster slot
// (deleteUserScript), so it runs on one cluster node.
// Times are decimal Unix microseconds, which are too big for Lua's doubles,
// so the scripts compare them as strings with later.

// luaLater is later(a, b): whether the decimal integer a is greater than b,
// where "" is the zero time and earlier than everything.
const luaLater = `
local function later(a, b)
  if a == '' then return false end
  if b == '' then return true end
  local na, nb = a:sub(1, 1) == '-', b:sub(1, 1) == '-'
  if na ~= nb then return nb end
  if na then a, b = b:sub(2), a:sub(2) end
  if #a ~= #b then return #a > #b end
  return a > b
end
`

// createScript stores a new record unless its key exists.
// KEYS[1] record; ARGV[1] PEXPIREAT in ms or ""; ARGV[2..] field, value, ...
// Returns 1 if stored, 0 if the key existed.
const createScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if ARGV[1] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return 1
`

// updateScript sets fields of an existing record.
// KEYS[1] record; ARGV field, value, ... Returns 1, or 0 if absent.
const updateScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`

// advanceScript moves a time field forward, never back.
// KEYS[1] record; ARGV[1] field; ARGV[2] time. Returns 1, or 0 if absent.
const advanceScript = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if later(ARGV[2], cur) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`

// revokeScript marks a record revoked.
// KEYS[1] record; ARGV[1] owner's user id, or "" for any owner; ARGV[2] now,
// or "" to count expired records as live. Returns -1 if absent (or owned by
// someone else), 1 if it was live (not revoked and its expiry, if any, after
// now), 0 otherwise.
const revokeScript = `
local r = redis.call('HMGET', KEYS[1], 'r', 'u', 'x')
if not r[1] then return -1 end
if ARGV[1] ~= '' and r[2] ~= ARGV[1] then return -1 end
if r[1] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'r', '1')
if r[3] ~= '' and not later(r[3], ARGV[2]) then return 0 end
return 1
`

// indexScript adds a session to a user's index, drops the ones past their
// deadline and makes the index expire with its last session.
// KEYS[1] index; ARGV[1] deadline in ms, or "+inf"; ARGV[2] session id;
// ARGV[3] now in ms.
const indexScript = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] == nil then return 0 end
if top[2] == 'inf' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIREAT', KEYS[1], top[2])
end
return 1
`

// releaseScript deletes a key if it holds the given value.
// KEYS[1] key; ARGV[1] value. Returns 1 if deleted.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

// swapScript sets a key to a new value if it holds the given old one.
// KEYS[1] key; ARGV[1] old value; ARGV[2] new value. Returns 1 if set.
const swapScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
return 0
`

// deleteUserScript deletes a user's record and the index of the user's
// links together, which are in one cluster slot (keyspace.userIdentities).
// KEYS[1] record; KEYS[2] links. Returns the links, or false if there was
// no record.
const deleteUserScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local links = redis.call('ZRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
return links
`
