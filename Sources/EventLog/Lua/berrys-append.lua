#!lua name=berrys
-- The Lua of a Redis Functions library; what each function does, its keys and replies: Sources/EventLog/AppendFunction.swift.
-- Its version is a digest of this text (RedisFunctionLibrary), so any change here loads anew at start.
local VERSION = '__VERSION__'
local REQUIRED = {'specversion', 'id', 'source', 'type', 'dataversion', 'subject', 'time', 'datacontenttype', 'data'}
local KNOWN = {specversion = true, id = true, source = true, type = true, dataversion = true, subject = true, time = true,
               datacontenttype = true, data = true, partitionkey = true, correlationid = true, causationid = true}

local function invalid(message) return redis.error_reply('BERRYS_INVALID ' .. message) end

-- FNV-1a, 32 bit, over the bytes of s; the multiplication by 16777619 = 2^24 + 403 is split
-- so that no intermediate value exceeds 2^53 and loses precision. bxor reduces its argument
-- mod 2^32 (exact below 2^51: the sum stays under 2^41), so the loop needs no modulo; the
-- result is made unsigned at the end (18 % less Redis CPU than reducing at every step).
local function fnv1a32(s)
  local bxor, lshift = bit.bxor, bit.lshift  -- 'bit' exists only at call time
  local bytes = {string.byte(s, 1, -1)}
  local hash = 2166136261
  for i = 1, #bytes do
    hash = bxor(hash, bytes[i])
    hash = lshift(hash, 24) + hash * 403
  end
  hash = bxor(hash, 0)
  if hash < 0 then hash = hash + 4294967296 end
  return hash
end

-- The partition's keys and settings, read once per call: nil and a message when the key is
-- not a partition's stream or the log has no config.
local function open(stream)
  local base, tag = string.match(stream or '', '^(.*):events:({[0-9]+})$')
  if not base then return nil, 'key must be <namespace>:events:{<partition>}, got ' .. tostring(stream) end
  local config = base .. ':config:' .. tag
  local settings = redis.call('HMGET', config, 'partitions', 'dedup_window_ms')
  local partitions = tonumber(settings[1])
  if not partitions then return nil, 'the log is not initialised (no ' .. config .. '); run berrys init' end
  return {stream = stream, partition = tonumber(string.sub(tag, 2, -2)), partitions = partitions,
          window = tonumber(settings[2]) or 86400000, seqKey = base .. ':seq:' .. tag,
          dedupPrefix = base .. ':dedup:' .. tag .. ':'}
end

-- The event's attributes from args[first..last] (name/value pairs), checked: the table, or
-- nil and the message naming the attribute and the rule.
local function read_fields(args, first, last)
  if (last - first + 1) % 2 ~= 0 or last < first + 1 then return nil, 'fields must come as field/value pairs' end
  local fields = {}
  for i = first, last, 2 do
    local name = args[i]
    if fields[name] ~= nil then return nil, 'attribute ' .. name .. ' is given twice' end
    if not KNOWN[name] and (not string.match(name, '^[a-z0-9]+$') or #name > 20) then
      return nil, 'attribute name ' .. name .. ' must be lowercase a-z0-9, at most 20 characters'
    end
    fields[name] = args[i + 1]
  end
  for _, name in ipairs(REQUIRED) do
    if fields[name] == nil or fields[name] == '' then return nil, 'missing required attribute ' .. name end
  end
  if fields.specversion ~= '1.0' then return nil, 'specversion must be 1.0, got ' .. fields.specversion end
  if fields.sequence ~= nil then return nil, 'sequence is assigned by berrys_append and must not be sent' end
  if not string.match(fields.dataversion, '^[1-9][0-9]*$') then
    return nil, 'dataversion must be a positive integer, got ' .. fields.dataversion
  end
  if not string.match(fields.time, '^%d%d%d%d%-%d%d%-%d%d[Tt]%d%d:%d%d:%d%d') then
    return nil, 'time must be an RFC 3339 timestamp, got ' .. fields.time
  end
  if #fields.subject > 256 then return nil, 'subject must be at most 256 bytes' end
  if fields.datacontenttype ~= 'application/json' then return nil, 'datacontenttype must be application/json' end
  -- Clients check data against its JSON Schema; here only its outer shape (a JSON object or
  -- array), since a full parse would double the function's cost. Consumers re-validate.
  -- The last character is found from the end: an unanchored '[}%]]%s*$' tries every
  -- position of the payload, 4.4 µs of a 200-byte one, against 0.2 µs this way.
  local data = fields.data
  local last = #data
  local final = string.byte(data, last)
  while final == 32 or final == 10 or final == 13 or final == 9 do
    last = last - 1
    final = string.byte(data, last)
  end
  if not string.match(data, '^%s*[{%[]') or not (final == 125 or final == 93) then
    return nil, 'data must be a JSON object or array'
  end
  return fields
end

-- A subject's sequence record "sequence stream-id s|k event-id" as a table ({seq = 0} when
-- the subject has no events), or nil and a message.
local function parse_record(subject, latest)
  if not latest then return {seq = 0} end
  local s, sid, kind, eid = string.match(latest, '^(%d+) (%S+) ([sk]) (.*)$')
  if not s then
    -- Written by version 4 or older: "sequence stream-id event-id", no key kind.
    s, sid, eid = string.match(latest, '^(%d+) (%S+) (.*)$')
    s = s or string.match(latest, '^(%d+)')
  end
  if not s then return nil, 'unreadable sequence record for subject ' .. subject .. ': ' .. latest end
  return {seq = tonumber(s), sid = sid, kind = kind, id = eid}
end

-- The verdict on one event before anything is written: nil when it may be appended; else
-- {dup = {stream id, sequence}} for an id already in the log, or {code = ..., message = ...}
-- ('partition' for a key of another partition, BERRYS_INVALID, BERRYS_CONFLICT). seen(id)
-- gives the id's dedup record or nil.
local function judge(ctx, expected, fields, record, seen)
  -- The subject's first event here proved that the subject hashes to this partition, so a
  -- later event keyed by its subject needs no hash; an explicit partition key always does.
  if not (not fields.partitionkey and record.kind == 's') then
    local key = fields.partitionkey or fields.subject
    local owner = fnv1a32(key) % ctx.partitions
    if owner ~= ctx.partition then
      return {code = 'partition', message = 'partition key ' .. key .. ' belongs to partition ' .. owner .. ', not ' .. ctx.partition}
    end
  end

  if record.id == fields.id then return {dup = {record.sid, record.seq}} end
  local previous = seen(fields.id)
  if previous then
    local sid, s = string.match(previous, '^(%S+) (%d+)$')
    return {dup = {sid, tonumber(s)}}
  end

  local current = record.seq
  if expected == 'none' then
    if current ~= 0 then
      return {code = 'BERRYS_CONFLICT', message = 'subject ' .. fields.subject .. ': expected no events (none), actual sequence ' .. current}
    end
  elseif expected ~= 'any' then
    local wanted = tonumber(expected)
    if not wanted or not string.match(expected, '^%d+$') then
      return {code = 'BERRYS_INVALID', message = 'expected must be any, none or a sequence number, got ' .. tostring(expected)}
    end
    if wanted ~= current then
      return {code = 'BERRYS_CONFLICT', message = 'subject ' .. fields.subject .. ': expected sequence ' .. wanted .. ', actual sequence ' .. current}
    end
  end
  return nil
end

-- The subject's record after appending an event of it with sequence `sequence` (its stream id
-- filled in once XADD gave it).
local function next_record(fields, sequence, streamID)
  return {seq = sequence, sid = streamID, kind = fields.partitionkey and 'k' or 's', id = fields.id}
end

-- One event's place in the log: the verdict (judge), then XADD of args[first..last]. Returns
-- the reply and, when it appended, the subject's new record.
local function place(ctx, expected, fields, record, seen, args, first, last)
  local verdict = judge(ctx, expected, fields, record, seen)
  if verdict then
    if verdict.dup then return {verdict.dup[1], verdict.dup[2], 'duplicate'} end
    local code = verdict.code == 'partition' and 'BERRYS_INVALID' or verdict.code
    return redis.error_reply(code .. ' ' .. verdict.message)
  end
  local sequence = record.seq + 1
  local streamID = redis.call('XADD', ctx.stream, '*', 'sequence', tostring(sequence), unpack(args, first, last))
  return {streamID, sequence, 'appended'}, next_record(fields, sequence, streamID)
end

local function record_text(record) return record.seq .. ' ' .. record.sid .. ' ' .. record.kind .. ' ' .. record.id end

local function append(keys, args)
  local expected = args[1]
  if expected == nil then return invalid('missing <expected> argument (any, none or a sequence number)') end
  local fields, message = read_fields(args, 2, #args)
  if not fields then return invalid(message) end
  local ctx, failure = open(keys[1])
  if not ctx then return invalid(failure) end
  local record, unreadable = parse_record(fields.subject, redis.call('HGET', ctx.seqKey, fields.subject))
  if not record then return invalid(unreadable) end
  local seen = function(id) return redis.call('GET', ctx.dedupPrefix .. id) end
  local reply, appended = place(ctx, expected, fields, record, seen, args, 2, #args)
  if appended then
    redis.call('HSET', ctx.seqKey, fields.subject, record_text(appended))
    if ctx.window > 0 then redis.call('SET', ctx.dedupPrefix .. fields.id, appended.sid .. ' ' .. appended.seq, 'PX', ctx.window) end
  end
  return reply
end

-- The events of a batch or set, args being events one after another, each as
-- <expected> <pair count> <field> <value> …: a list of {expected, fields (nil when invalid),
-- message, first, last}, or nil and a message when the layout itself is wrong.
local function read_events(args)
  local events = {}
  local i = 1
  while i <= #args do
    local count = tonumber(args[i + 1])
    if not count or count < 1 or i + 1 + 2 * count > #args then
      return nil, 'event ' .. (#events + 1) .. ': expected <expected> <pair count> <field> <value> …'
    end
    local first, last = i + 2, i + 1 + 2 * count
    local fields, message = read_fields(args, first, last)
    events[#events + 1] = {expected = args[i], fields = fields, message = message, first = first, last = last}
    i = last + 1
  end
  return events
end

-- The partition and the events of a batch or set call: ctx and events, or nil, nil and the
-- error reply.
local function open_events(keys, args)
  local ctx, failure = open(keys[1])
  if not ctx then return nil, nil, invalid(failure) end
  local events, layout = read_events(args)
  if not events then return nil, nil, invalid(layout) end
  return ctx, events
end

-- Every subject's stored record and every id's dedup record, in one HMGET and one MGET:
-- records[subject] is the stored text or false, dedup[dedup key] the record where there is one.
local function load_records(ctx, events)
  local subjects, ids, records, dedup = {}, {}, {}, {}
  for _, event in ipairs(events) do
    if event.fields then
      subjects[#subjects + 1] = event.fields.subject
      ids[#ids + 1] = ctx.dedupPrefix .. event.fields.id
    end
  end
  if #subjects > 0 then
    local stored = redis.call('HMGET', ctx.seqKey, unpack(subjects))
    local remembered = redis.call('MGET', unpack(ids))
    for n = 1, #subjects do
      if records[subjects[n]] == nil then records[subjects[n]] = stored[n] or false end
      if remembered[n] then dedup[ids[n]] = remembered[n] end
    end
  end
  return records, dedup
end

-- The subject's record from `records` (parsed once, kept there), or nil and a message.
local function record_of(records, subject)
  local record = records[subject]
  if type(record) == 'table' then return record end
  local parsed, unreadable = parse_record(subject, record or nil)
  if parsed then records[subject] = parsed end
  return parsed, unreadable
end

-- Writes the subjects' new records and, when the window is on, the appended ids' dedup records.
local function remember(ctx, records, changed, appended)
  local updates = {}
  for subject in pairs(changed) do
    updates[#updates + 1] = subject
    updates[#updates + 1] = record_text(records[subject])
  end
  if #updates > 0 then redis.call('HSET', ctx.seqKey, unpack(updates)) end
  if ctx.window > 0 then
    for _, record in ipairs(appended) do
      redis.call('SET', ctx.dedupPrefix .. record.id, record.sid .. ' ' .. record.seq, 'PX', ctx.window)
    end
  end
end

-- berrys_append_batch: the reply has one element per event, what berrys_append would have
-- replied to it, in order.
local function append_batch(keys, args)
  local ctx, events, refusal = open_events(keys, args)
  if refusal then return refusal end
  if #events == 0 then return {} end
  -- Kept up to date as the batch appends.
  local records, dedup = load_records(ctx, events)
  local seen = function(id) return dedup[ctx.dedupPrefix .. id] end

  local replies, changed, appended = {}, {}, {}
  for n, event in ipairs(events) do
    if not event.fields then
      replies[n] = invalid(event.message)
    else
      local subject = event.fields.subject
      local record, unreadable = record_of(records, subject)
      if not record then
        replies[n] = invalid(unreadable)
      else
        local reply, new = place(ctx, event.expected, event.fields, record, seen, args, event.first, event.last)
        replies[n] = reply
        if new then
          records[subject] = new
          changed[subject] = true
          appended[#appended + 1] = new
          dedup[ctx.dedupPrefix .. new.id] = new.sid .. ' ' .. new.seq
        end
      end
    end
  end
  remember(ctx, records, changed, appended)
  return replies
end

-- berrys_append_atomic: the same arguments as berrys_append_batch; all events are judged
-- first (each against its subject's state before the set plus the set's earlier events),
-- and only when none is refused are they all appended. A refusal is one error naming the
-- event (1-based) and the rule; a set whose ids are all in the log answers with the
-- originals; a set with some ids seen and some not is refused (BERRYS_PARTIAL_DUPLICATE).
local function append_atomic(keys, args)
  local ctx, events, refusal = open_events(keys, args)
  if refusal then return refusal end
  if #events == 0 then return {} end
  local positions = {}
  for n, event in ipairs(events) do
    if not event.fields then return invalid('event ' .. n .. ': ' .. event.message) end
    local earlier = positions[event.fields.id]
    if earlier then
      return redis.error_reply('BERRYS_PARTIAL_DUPLICATE event ' .. n .. ': id ' .. event.fields.id .. ' is event ' .. earlier .. ' of the set too')
    end
    positions[event.fields.id] = n
  end
  local records, dedup = load_records(ctx, events)
  local seen = function(id) return dedup[ctx.dedupPrefix .. id] end

  local replies, sequences, duplicates = {}, {}, 0
  local planned = {}  -- subject → record as if the earlier events of the set were appended
  for n, event in ipairs(events) do
    local subject = event.fields.subject
    local record, unreadable = planned[subject]
    if not record then record, unreadable = record_of(records, subject) end
    if not record then return invalid('event ' .. n .. ': ' .. unreadable) end
    local verdict = judge(ctx, event.expected, event.fields, record, seen)
    if verdict and verdict.dup then
      duplicates = duplicates + 1
      replies[n] = {verdict.dup[1], verdict.dup[2], 'duplicate'}
    elseif verdict then
      local code = verdict.code == 'partition' and 'BERRYS_CROSS_PARTITION' or verdict.code
      return redis.error_reply(code .. ' event ' .. n .. ': ' .. verdict.message)
    else
      sequences[n] = record.seq + 1
      planned[subject] = next_record(event.fields, record.seq + 1, nil)
    end
  end
  if duplicates == #events then return replies end
  if duplicates > 0 then
    for n = 1, #events do
      if replies[n] then
        return redis.error_reply('BERRYS_PARTIAL_DUPLICATE event ' .. n .. ' is in the log already and '
          .. (#events - duplicates) .. ' of the set are not: nothing was written; send the whole set again with the same ids only if none was ever appended')
      end
    end
  end

  local changed, appended = {}, {}
  for n, event in ipairs(events) do
    local streamID = redis.call('XADD', ctx.stream, '*', 'sequence', tostring(sequences[n]), unpack(args, event.first, event.last))
    local new = next_record(event.fields, sequences[n], streamID)
    records[event.fields.subject] = new
    changed[event.fields.subject] = true
    appended[#appended + 1] = new
    replies[n] = {streamID, sequences[n], 'appended'}
  end
  remember(ctx, records, changed, appended)
  return replies
end

redis.register_function('berrys_append', append)
redis.register_function('berrys_append_batch', append_batch)
redis.register_function('berrys_append_atomic', append_atomic)
redis.register_function{function_name = 'berrys_version', callback = function() return VERSION end, flags = {'no-writes'}}
