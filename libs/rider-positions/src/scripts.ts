import { EARTH_RADIUS_M } from '@mealpeak/core';

/**
 * Lua run server-side so each step is atomic per rider (or per index). Numbers go back as strings:
 * Redis truncates Lua numbers to integers in replies.
 */

/**
 * KEYS: geo, seen, suspects. ARGV: rider id, lng, lat, recordedAt, clamped (1: the fix's time was
 * clamped to the server's now, and may equal the stored one: see supersedes in validate.ts), check
 * (off|flag|enforce), max speed m/s, slack m, confirm fixes, confirm span ms.
 * 0 = not newer than stored, 1 = applied, 2 = applied though a jump (flag), 3 = applied, a jump
 * confirmed by agreeing fixes, 4 = a jump, not applied (enforce).
 *
 * The plausibility part is domain/plausibility.ts (judgeFix, land) in Lua, run here so judging a
 * ping costs no extra round trip: the previous fix is read where it lives. Suspects (the run of
 * refused fixes, enforce only) are "lng lat recordedAt since count" per rider.
 */
export const APPLY_PING = `
local id, t = ARGV[1], tonumber(ARGV[4])
local prev = redis.call('ZSCORE', KEYS[2], id)
local reply = 1
if prev then
  local p = tonumber(prev)
  if p > t or (p == t and ARGV[5] ~= '1') then return 0 end
end
if prev and ARGV[6] ~= 'off' then
  local p = tonumber(prev)
  local pos = redis.call('GEOPOS', KEYS[1], id)[1]
  if pos then
    local lng, lat = tonumber(ARGV[2]), tonumber(ARGV[3])
    local speed, slack = tonumber(ARGV[7]), tonumber(ARGV[8])
    local rad = math.pi / 180
    -- greatCircleMetres of libs/core, same sphere.
    local function reachable(flng, flat, ft)
      local h = math.sin((lat - flat) * rad / 2) ^ 2
        + math.cos(flat * rad) * math.cos(lat * rad) * math.sin((lng - flng) * rad / 2) ^ 2
      local d = 2 * ${EARTH_RADIUS_M} * math.asin(math.min(1, math.sqrt(h)))
      return d <= slack + speed * math.max(0, t - ft) / 1000
    end
    if not reachable(tonumber(pos[1]), tonumber(pos[2]), p) then
      if ARGV[6] == 'flag' then
        reply = 2
      else
        local since, count = ARGV[4], 1
        local s = redis.call('HGET', KEYS[3], id)
        if s then
          local slng, slat, st, ssince, scount = string.match(s, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
          if tonumber(st) <= t and reachable(tonumber(slng), tonumber(slat), tonumber(st)) then
            since, count = ssince, tonumber(scount) + 1
          end
        end
        if count >= tonumber(ARGV[9]) and t - tonumber(since) >= tonumber(ARGV[10]) then
          reply = 3
        else
          redis.call('HSET', KEYS[3], id, ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. since .. ' ' .. count)
          return 4
        end
      end
    end
  end
end
redis.call('GEOADD', KEYS[1], ARGV[2], ARGV[3], id)
redis.call('ZADD', KEYS[2], ARGV[4], id)
if ARGV[6] == 'enforce' then redis.call('HDEL', KEYS[3], id) end
return reply`;

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

/**
 * KEYS: geo, seen, suspects. ARGV: cutoff, limit. Removes riders silent since before cutoff;
 * returns how many.
 */
export const PURGE_SILENT = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then
  redis.call('ZREM', KEYS[2], unpack(ids))
  redis.call('ZREM', KEYS[1], unpack(ids))
  redis.call('HDEL', KEYS[3], unpack(ids))
end
return #ids`;
