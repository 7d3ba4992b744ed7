/**
 * Lua run server-side so each step is atomic per rider (or per index). Numbers go back as strings:
 * Redis truncates Lua numbers to integers in replies.
 */

/**
 * KEYS: geo, seen. ARGV: rider id, lng, lat, recordedAt, clamped (1: the fix's time was clamped
 * to the server's now, and may equal the stored one: see supersedes in validate.ts).
 * 1 = applied, 0 = not newer than stored.
 */
export const APPLY_PING = `
local prev = redis.call('ZSCORE', KEYS[2], ARGV[1])
if prev then
  local p, t = tonumber(prev), tonumber(ARGV[4])
  if p > t or (p == t and ARGV[5] ~= '1') then return 0 end
end
redis.call('GEOADD', KEYS[1], ARGV[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1`;

/**
 * KEYS: geo, seen. ARGV: lng, lat, radius m, limit, cutoff (oldest recordedAt still fresh).
 * Returns flat [id, dist, lng, lat, ts, ...], nearest first, fresh riders only. Silent riders not yet
 * purged are skipped; the search widens until \`limit\` fresh ones are found or the radius is exhausted.
 */
export const NEARBY = `
local limit = tonumber(ARGV[4])
local cutoff = tonumber(ARGV[5])
local count = limit * 2
while true do
  local found = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'm',
    'ASC', 'COUNT', count, 'WITHDIST', 'WITHCOORD')
  local out = {}
  local n = 0
  if #found > 0 then
    local ids = {}
    for i, r in ipairs(found) do ids[i] = r[1] end
    local ts = redis.call('ZMSCORE', KEYS[2], unpack(ids))
    for i, r in ipairs(found) do
      if n < limit and ts[i] and tonumber(ts[i]) >= cutoff then
        table.insert(out, r[1]); table.insert(out, r[2])
        table.insert(out, r[3][1]); table.insert(out, r[3][2]); table.insert(out, ts[i])
        n = n + 1
      end
    end
  end
  if n >= limit or #found < count then return out end
  count = count * 4
end`;

/** KEYS: geo, seen. ARGV: cutoff, ids... Returns flat [ts|false, lng|false, lat|false] per id. */
export const GET_MANY = `
local cutoff = tonumber(ARGV[1])
local ids = {}
for i = 2, #ARGV do ids[i - 1] = ARGV[i] end
local ts = redis.call('ZMSCORE', KEYS[2], unpack(ids))
local pos = redis.call('GEOPOS', KEYS[1], unpack(ids))
local out = {}
for i = 1, #ids do
  if ts[i] and tonumber(ts[i]) >= cutoff and pos[i] then
    table.insert(out, ts[i]); table.insert(out, pos[i][1]); table.insert(out, pos[i][2])
  else
    table.insert(out, false); table.insert(out, false); table.insert(out, false)
  end
end
return out`;

/** KEYS: geo, seen. ARGV: cutoff, limit. Removes riders silent since before cutoff; returns how many. */
export const PURGE_SILENT = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then
  redis.call('ZREM', KEYS[2], unpack(ids))
  redis.call('ZREM', KEYS[1], unpack(ids))
end
return #ids`;
