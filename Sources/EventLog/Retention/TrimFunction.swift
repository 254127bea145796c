import RedisClient

/// The Redis Function library of the trimmer: `berrys_trim`.
///
/// `FCALL berrys_trim 2 <ns>:events:{p} <ns>:trimmed:{p} <cap> <maximum entries>`
///
/// Removes the oldest entries of the stream, at most `maximum entries` of them and only ids
/// below `cap` (`XTRIM … MINID`), and records in `<ns>:trimmed:{p}` (the watermark) the id
/// every remaining entry is at or above. One atomic step, so the watermark never claims an
/// entry is still in Redis when it is not: readers compare their position with it to know
/// whether Redis alone can serve them (`EventLog.readEntries`, the tiered log). The watermark
/// only moves forward, so several trimmers may run at once.
///
/// Replies `[removed, watermark, length, first id or ""]`.
public enum TrimFunction {
    /// Bumped whenever the Lua source changes; start-up replaces an older library.
    public static let version = "1"

    /// The library, versioned, for loading on every primary.
    public static let library = RedisFunctionLibrary(name: "berrys_log", version: version, versionFunction: "berrys_log_version", source: source)

    /// The library's Lua source.
    public static let source = #"""
#!lua name=berrys_log
local VERSION = '\#(version)'

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
"""#
}
