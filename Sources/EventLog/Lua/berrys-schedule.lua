-- The scheduling functions of the `berrys` library (Sources/EventLog/AppendFunction.swift),
-- loaded after berrys-append.lua, whose locals they use: in the same library because firing
-- appends through the same checks (`place`) as `berrys_append`.
--
-- - `FCALL berrys_schedule 1 <stream> <due ms> <expected> <field> <value> …`: checks the event
--   as an append would (attributes, partition), de-duplicates its id, and holds it:
--   `<ns>:schedule:{p}` (sorted set, id by due time) and `<ns>:scheduled:{p}` (hash, id → the
--   expected sequence and the fields, as JSON). The id is reserved by its de-dup record
--   `0-0 0` (no expiry) until it fires: publishing that id meanwhile is a duplicate. Replies
--   `["0-0", <due>, "scheduled"]`, or an append's duplicate reply.
-- - `FCALL berrys_fire 1 <stream> <max>`: appends up to `max` held events due by the server's
--   clock, oldest first, each exactly once (held, then appended and released in one atomic
--   step). One that cannot be appended any more (its expected sequence no longer holds) moves
--   to `<ns>:schedule-failed:{p}` with the reason. Replies `[fired, failed, next due ms or -1]`.
-- - `FCALL berrys_cancel 1 <stream> <id>`: drops a held event and frees its id; replies 1, or
--   0 when no event of that id is held (fired already, cancelled, or never scheduled).
local RESERVED = '0-0 0'

local function schedule_keys(stream)
  local base, tag = string.match(stream, '^(.*):events:({[0-9]+})$')
  return base .. ':schedule:' .. tag, base .. ':scheduled:' .. tag, base .. ':schedule-failed:' .. tag
end

local function schedule(keys, args)
  local due = args[1]
  if not due or not string.match(due, '^%d+$') then return invalid('due must be a time in unix milliseconds, got ' .. tostring(due)) end
  local expected = args[2]
  if expected ~= 'any' and expected ~= 'none' and not string.match(expected or '', '^%d+$') then
    return invalid('expected must be any, none or a sequence number, got ' .. tostring(expected))
  end
  local fields, message = read_fields(args, 3, #args)
  if not fields then return invalid(message) end
  local ctx, failure = open(keys[1])
  if not ctx then return invalid(failure) end
  local key = fields.partitionkey or fields.subject
  local owner = fnv1a32(key) % ctx.partitions
  if owner ~= ctx.partition then
    return invalid('partition key ' .. key .. ' belongs to partition ' .. owner .. ', not ' .. ctx.partition)
  end
  local previous = redis.call('GET', ctx.dedupPrefix .. fields.id)
  if previous then
    local sid, s = string.match(previous, '^(%S+) (%d+)$')
    return {sid, tonumber(s), 'duplicate'}
  end
  local zset, held = schedule_keys(ctx.stream)
  local record = {expected}
  for i = 3, #args do record[#record + 1] = args[i] end
  redis.call('ZADD', zset, due, fields.id)
  redis.call('HSET', held, fields.id, cjson.encode(record))
  redis.call('SET', ctx.dedupPrefix .. fields.id, RESERVED)
  return {'0-0', tonumber(due), 'scheduled'}
end

local function fire(keys, args)
  local max = tonumber(args[1]) or 100
  local ctx, failure = open(keys[1])
  if not ctx then return invalid(failure) end
  local zset, held, failedKey = schedule_keys(ctx.stream)
  -- Due by the caller's clock (the process's injected clock, in Unix milliseconds); by
  -- Redis's own clock when the caller gives none.
  local now = tonumber(args[2])
  if not now then
    local clock = redis.call('TIME')
    now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  end
  local due = redis.call('ZRANGEBYSCORE', zset, '-inf', now, 'LIMIT', 0, max)
  local fired, failed = 0, 0
  for _, id in ipairs(due) do
    local text = redis.call('HGET', held, id)
    local ok, record = pcall(cjson.decode, text or '')
    local reason
    if ok and type(record) == 'table' then
      local fields, message = read_fields(record, 2, #record)
      if fields then
        local seen = function(candidate)
          local value = redis.call('GET', ctx.dedupPrefix .. candidate)
          if value == RESERVED then return nil end
          return value
        end
        local parsed, unreadable = parse_record(fields.subject, redis.call('HGET', ctx.seqKey, fields.subject))
        if parsed then
          local reply, appended = place(ctx, record[1], fields, parsed, seen, record, 2, #record)
          if appended then
            redis.call('HSET', ctx.seqKey, fields.subject, record_text(appended))
            if ctx.window > 0 then
              redis.call('SET', ctx.dedupPrefix .. id, appended.sid .. ' ' .. appended.seq, 'PX', ctx.window)
            else
              redis.call('DEL', ctx.dedupPrefix .. id)
            end
            fired = fired + 1
          elseif type(reply) == 'table' and reply.err then
            reason = reply.err
          end
        else
          reason = unreadable
        end
      else
        reason = message
      end
    else
      reason = 'unreadable held event'
    end
    if reason then
      failed = failed + 1
      redis.call('HSET', failedKey, id, cjson.encode({reason = reason, event = text}))
      redis.call('DEL', ctx.dedupPrefix .. id)
    end
    redis.call('ZREM', zset, id)
    redis.call('HDEL', held, id)
  end
  local nextDue = redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')
  return {fired, failed, tonumber(nextDue[2]) or -1}
end

local function cancel(keys, args)
  local ctx, failure = open(keys[1])
  if not ctx then return invalid(failure) end
  local id = args[1] or ''
  local zset, held = schedule_keys(ctx.stream)
  if redis.call('ZREM', zset, id) == 0 then return 0 end
  redis.call('HDEL', held, id)
  redis.call('DEL', ctx.dedupPrefix .. id)
  return 1
end

redis.register_function('berrys_schedule', schedule)
redis.register_function('berrys_fire', fire)
redis.register_function('berrys_cancel', cancel)
