/// The Redis Function library behind every append: `berrys_append`.
///
/// `FCALL berrys_append 1 <ns>:events:{<p>} <expected> <field> <value> [<field> <value> …]`
///
/// In one atomic step it checks the envelope fields, checks that the partition is the one
/// the partition key hashes to, de-duplicates by `id`, enforces the expected sequence,
/// assigns `sequence` and XADDs. It returns `[stream id, sequence, "appended"|"duplicate"]`.
/// Errors start with `BERRYS_INVALID` or `BERRYS_CONFLICT`.
///
/// Keys it touches, all with the partition's hash tag `{<p>}`:
/// `<ns>:events:{p}` (the stream), `<ns>:config:{p}` (partition count, de-dup window),
/// `<ns>:seq:{p}` (hash: subject → "sequence stream-id s|k event-id", `k` when the subject's
/// latest event had an explicit partition key),
/// `<ns>:dedup:{p}:<event id>` (stream id and sequence, expiring after the de-dup window).
public enum AppendFunction {
    /// Bumped whenever the Lua source changes; start-up replaces an older library.
    public static let version = "6"

    /// The library's Lua source.
    public static let source = #"""
#!lua name=berrys
local VERSION = '\#(version)'
local REQUIRED = {'specversion', 'id', 'source', 'type', 'dataversion', 'subject', 'time', 'datacontenttype', 'data'}
local KNOWN = {specversion = true, id = true, source = true, type = true, dataversion = true, subject = true, time = true,
               datacontenttype = true, data = true, partitionkey = true, correlationid = true, causationid = true}

local function invalid(message) return redis.error_reply('BERRYS_INVALID ' .. message) end

-- FNV-1a, 32 bit, over the bytes of s; the multiplication by 16777619 = 2^24 + 403 is split
-- so that no intermediate value exceeds 2^53 and loses precision.
local function fnv1a32(s)
  local bxor, lshift = bit.bxor, bit.lshift  -- 'bit' exists only at call time
  local bytes = {string.byte(s, 1, -1)}
  local hash = 2166136261
  for i = 1, #bytes do
    hash = bxor(hash, bytes[i]) % 4294967296
    hash = (lshift(hash, 24) % 4294967296 + hash * 403) % 4294967296
  end
  return hash
end

local function append(keys, args)
  local stream = keys[1]
  local base, tag = string.match(stream or '', '^(.*):events:({[0-9]+})$')
  if not base then return invalid('key must be <namespace>:events:{<partition>}, got ' .. tostring(stream)) end
  local partition = tonumber(string.sub(tag, 2, -2))
  local expected = args[1]
  if expected == nil then return invalid('missing <expected> argument (any, none or a sequence number)') end
  if (#args - 1) % 2 ~= 0 or #args < 3 then return invalid('fields must come as field/value pairs') end

  local fields = {}
  for i = 2, #args, 2 do
    local name = args[i]
    if fields[name] ~= nil then return invalid('attribute ' .. name .. ' is given twice') end
    if not KNOWN[name] and (not string.match(name, '^[a-z0-9]+$') or #name > 20) then
      return invalid('attribute name ' .. name .. ' must be lowercase a-z0-9, at most 20 characters')
    end
    fields[name] = args[i + 1]
  end
  for _, name in ipairs(REQUIRED) do
    if fields[name] == nil or fields[name] == '' then return invalid('missing required attribute ' .. name) end
  end
  if fields.specversion ~= '1.0' then return invalid('specversion must be 1.0, got ' .. fields.specversion) end
  if fields.sequence ~= nil then return invalid('sequence is assigned by berrys_append and must not be sent') end
  if not string.match(fields.dataversion, '^[1-9][0-9]*$') then
    return invalid('dataversion must be a positive integer, got ' .. fields.dataversion)
  end
  if not string.match(fields.time, '^%d%d%d%d%-%d%d%-%d%d[Tt]%d%d:%d%d:%d%d') then
    return invalid('time must be an RFC 3339 timestamp, got ' .. fields.time)
  end
  if #fields.subject > 256 then return invalid('subject must be at most 256 bytes') end
  if fields.datacontenttype ~= 'application/json' then return invalid('datacontenttype must be application/json') end
  -- Clients check data against its JSON Schema; here only its outer shape (a JSON object or
  -- array), since a full parse would double the function's cost. Consumers re-validate.
  if not string.match(fields.data, '^%s*[{%[]') or not string.match(fields.data, '[}%]]%s*$') then
    return invalid('data must be a JSON object or array')
  end

  local config = base .. ':config:' .. tag
  local settings = redis.call('HMGET', config, 'partitions', 'dedup_window_ms')
  local partitions = tonumber(settings[1])
  if not partitions then return invalid('the log is not initialised (no ' .. config .. '); run berrys init') end
  local seqKey = base .. ':seq:' .. tag
  local latest = redis.call('HGET', seqKey, fields.subject)
  local current, latestStreamID, latestKeyKind, latestID = 0, nil, nil, nil
  if latest then
    local s, sid, kind, eid = string.match(latest, '^(%d+) (%S+) ([sk]) (.*)$')
    if not s then
      -- Written by version 4 or older: "sequence stream-id event-id", no key kind.
      s, sid, eid = string.match(latest, '^(%d+) (%S+) (.*)$')
      s = s or string.match(latest, '^(%d+)')
    end
    if not s then return invalid('unreadable sequence record for subject ' .. fields.subject .. ': ' .. latest) end
    current, latestStreamID, latestKeyKind, latestID = tonumber(s), sid, kind, eid
  end

  -- The subject's first event here proved that the subject hashes to this partition, so a
  -- later event keyed by its subject needs no hash; an explicit partition key always does.
  local keyKind = fields.partitionkey and 'k' or 's'
  if not (keyKind == 's' and latestKeyKind == 's') then
    local key = fields.partitionkey or fields.subject
    local owner = fnv1a32(key) % partitions
    if owner ~= partition then
      return invalid('partition key ' .. key .. ' belongs to partition ' .. owner .. ', not ' .. partition)
    end
  end

  local dedupKey = base .. ':dedup:' .. tag .. ':' .. fields.id
  if latestID == fields.id then return {latestStreamID, current, 'duplicate'} end
  local seen = redis.call('GET', dedupKey)
  if seen then
    local sid, s = string.match(seen, '^(%S+) (%d+)$')
    return {sid, tonumber(s), 'duplicate'}
  end

  if expected == 'none' then
    if current ~= 0 then
      return redis.error_reply('BERRYS_CONFLICT subject ' .. fields.subject .. ': expected no events (none), actual sequence ' .. current)
    end
  elseif expected ~= 'any' then
    local wanted = tonumber(expected)
    if not wanted or not string.match(expected, '^%d+$') then
      return invalid('expected must be any, none or a sequence number, got ' .. expected)
    end
    if wanted ~= current then
      return redis.error_reply('BERRYS_CONFLICT subject ' .. fields.subject .. ': expected sequence ' .. wanted .. ', actual sequence ' .. current)
    end
  end

  local sequence = current + 1
  local streamID = redis.call('XADD', stream, '*', 'sequence', tostring(sequence), unpack(args, 2))
  redis.call('HSET', seqKey, fields.subject, sequence .. ' ' .. streamID .. ' ' .. keyKind .. ' ' .. fields.id)
  local window = tonumber(settings[2]) or 86400000
  if window > 0 then redis.call('SET', dedupKey, streamID .. ' ' .. sequence, 'PX', window) end
  return {streamID, sequence, 'appended'}
end

redis.register_function('berrys_append', append)
redis.register_function{function_name = 'berrys_version', callback = function() return VERSION end, flags = {'no-writes'}}
"""#
}
