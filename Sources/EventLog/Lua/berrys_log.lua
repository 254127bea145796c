#!lua name=berrys_log
-- The Lua of a Redis Functions library; what each function does, its keys and replies: Sources/EventLog/Retention/TrimFunction.swift.
-- Its version is a digest of this text (RedisFunctionLibrary), so any change here loads anew at start.
local VERSION = '__VERSION__'

-- Stream ids as two numbers: milliseconds stay below 2^53, so doubles hold them exactly.
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end

local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local function successor(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return ms .. '-' .. string.format('%d', tonumber(seq) + 1)
end

local function trim(keys, args)
  local stream, mark = keys[1], keys[2]
  local cap, limit = args[1], tonumber(args[2])
  if not parse(cap) or not limit then return redis.error_reply('BERRYS_INVALID berrys_trim takes a stream id and a count') end
  local watermark = redis.call('GET', mark) or '0-0'
  local removed = 0
  if limit > 0 and cap ~= '0-0' then
    local below = redis.call('XRANGE', stream, '-', '(' .. cap, 'COUNT', limit)
    if #below > 0 then
      local minid = successor(below[#below][1])
      removed = redis.call('XTRIM', stream, 'MINID', minid)
      if less(watermark, minid) then
        watermark = minid
        redis.call('SET', mark, watermark)
      end
    end
  end
  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  return {removed, watermark, redis.call('XLEN', stream), first[1] and first[1][1] or ''}
end

redis.register_function('berrys_trim', trim)
redis.register_function{function_name = 'berrys_log_version', callback = function() return VERSION end, flags = {'no-writes'}}
