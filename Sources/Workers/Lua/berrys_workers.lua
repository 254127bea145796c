#!lua name=berrys_workers
-- The Lua of a Redis Functions library; what each function does, its keys and replies: Sources/Workers/DeadLetters/DeadLetterFunctions.swift.
-- Its version is a digest of this text (RedisFunctionLibrary), so any change here loads anew at start.
local VERSION = '__VERSION__'

local function fieldMap(flat)
  local map = {}
  for i = 1, #flat, 2 do map[flat[i]] = flat[i + 1] end
  return map
end

local function withField(flat, name, value)
  local out = {}
  for i = 1, #flat, 2 do
    if flat[i] ~= name then out[#out + 1] = flat[i]; out[#out + 1] = flat[i + 1] end
  end
  out[#out + 1] = name; out[#out + 1] = value
  return out
end

local function count(blocked, field, delta)
  local value = redis.call('HINCRBY', blocked, field, delta)
  if value <= 0 then redis.call('HDEL', blocked, field) end
  return value
end

local function entriesOfKey(stream, key)
  local found = {}
  for _, entry in ipairs(redis.call('XRANGE', stream, '-', '+')) do
    if fieldMap(entry[2]).dlq_key == key then found[#found + 1] = entry end
  end
  return found
end

-- Moves every entry of `key` from stream `from` to stream `to`, in order, with `extra` fields set.
local function moveKey(from, to, key, extra)
  local moved = 0
  for _, entry in ipairs(entriesOfKey(from, key)) do
    local flat = entry[2]
    for name, value in pairs(extra) do flat = withField(flat, name, value) end
    redis.call('XADD', to, '*', unpack(flat))
    redis.call('XDEL', from, entry[1])
    moved = moved + 1
  end
  return moved
end

-- KEYS: stream, dlq, retry, blocked. ARGV: group, origin (main|retry), entry id in origin,
-- key, mode (head|behind), field/value pairs to store.
-- Returns {'free'} (behind, but the key is no longer blocked: process it), {'dlq', id} or {'retry', id}.
local function park(keys, args)
  local stream, dlq, retry, blocked = keys[1], keys[2], keys[3], keys[4]
  local group, origin, entryID, key, mode = args[1], args[2], args[3], args[4], args[5]
  local flat = {unpack(args, 6)}
  local destination = 'dlq'
  if mode == 'behind' and origin == 'main' then
    local parked = tonumber(redis.call('HGET', blocked, 'd:' .. key) or '0')
    local retrying = tonumber(redis.call('HGET', blocked, 'r:' .. key) or '0')
    if parked <= 0 and retrying <= 0 then return {'free'} end
    if parked <= 0 then destination = 'retry' end
  end
  if origin == 'main' then
    redis.call('XACK', stream, group, entryID)
  else
    redis.call('XDEL', retry, entryID)
    if key ~= '' then count(blocked, 'r:' .. key, -1) end
  end
  if destination == 'retry' then
    local id = redis.call('XADD', retry, '*', unpack(flat))
    count(blocked, 'r:' .. key, 1)
    return {'retry', id}
  end
  local id = redis.call('XADD', dlq, '*', unpack(flat))
  if key ~= '' then
    count(blocked, 'd:' .. key, 1)
    if origin == 'retry' then
      local moved = moveKey(retry, dlq, key, {dlq_reason = 'behind_parked_key', dlq_error = 'waits behind ' .. id})
      if moved > 0 then count(blocked, 'r:' .. key, -moved); count(blocked, 'd:' .. key, moved) end
    end
  end
  return {'dlq', id}
end

-- KEYS: retry, blocked. ARGV: retry entry id, key. A retried event was processed.
local function done(keys, args)
  local removed = redis.call('XDEL', keys[1], args[1])
  if removed > 0 and args[2] ~= '' then count(keys[2], 'r:' .. args[2], -1) end
  return removed
end

local function readEntry(stream, id)
  local found = redis.call('XRANGE', stream, id, id)
  if #found == 0 then return nil end
  return found[1]
end

-- KEYS: dlq, retry, blocked. ARGV: dlq entry id, retried_at. Re-delivers the entry's key: the
-- entry and every entry parked with its key, in order. Returns how many moved.
local function retryEntry(keys, args)
  local dlq, retry, blocked = keys[1], keys[2], keys[3]
  local entry = readEntry(dlq, args[1])
  if not entry then return redis.error_reply('BERRYS_NOT_FOUND no dead letter ' .. args[1]) end
  local key = fieldMap(entry[2]).dlq_key or ''
  local extra = {dlq_retried_at = args[2]}
  if key == '' then
    local flat = withField(entry[2], 'dlq_retried_at', args[2])
    redis.call('XADD', retry, '*', unpack(flat))
    redis.call('XDEL', dlq, entry[1])
    return 1
  end
  local moved = moveKey(dlq, retry, key, extra)
  count(blocked, 'd:' .. key, -moved)
  count(blocked, 'r:' .. key, moved)
  return moved
end

-- KEYS: dlq, dropped, retry, blocked. ARGV: dlq entry id, dropped_by, dropped_at. Moves the entry
-- to the dropped stream; when it was its key's head, the events behind it are re-delivered.
-- Returns how many events were released for re-delivery.
local function drop(keys, args)
  local dlq, dropped, retry, blocked = keys[1], keys[2], keys[3], keys[4]
  local entry = readEntry(dlq, args[1])
  if not entry then return redis.error_reply('BERRYS_NOT_FOUND no dead letter ' .. args[1]) end
  local key = fieldMap(entry[2]).dlq_key or ''
  local isHead = key ~= '' and entriesOfKey(dlq, key)[1][1] == entry[1]
  local flat = withField(withField(entry[2], 'dropped_by', args[2]), 'dropped_at', args[3])
  redis.call('XADD', dropped, '*', unpack(flat))
  redis.call('XDEL', dlq, entry[1])
  if key == '' then return 0 end
  count(blocked, 'd:' .. key, -1)
  if not isHead then return 0 end
  local moved = moveKey(dlq, retry, key, {dlq_retried_at = args[3]})
  if moved > 0 then count(blocked, 'd:' .. key, -moved); count(blocked, 'r:' .. key, moved) end
  return moved
end

-- KEYS: stream, trimmed watermark, backfill. ARGV: group, from (beginning|now), catch_up ('1' when
-- the runtime can read the archive). Creates the group unless it exists. From the beginning of a
-- trimmed stream it starts at the watermark and records the catch-up of what lies at or below it,
-- in the same atomic step as reading the watermark (a trim cannot slip in between).
-- Returns {'exists'}, {'created', id}, {'backfill', watermark} or {'trimmed', watermark} (refused).
local function groupStart(keys, args)
  local stream, trimmed, backfill = keys[1], keys[2], keys[3]
  local group, from, catchUp = args[1], args[2], args[3]
  if redis.call('EXISTS', stream) == 1 then
    for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
      if info[2] == group then return {'exists'} end
    end
  end
  local id = '$'
  if from == 'beginning' then
    local watermark = redis.call('GET', trimmed)
    if watermark and watermark ~= '0-0' then
      if catchUp ~= '1' then return {'trimmed', watermark} end
      redis.call('XGROUP', 'CREATE', stream, group, watermark, 'MKSTREAM')
      redis.call('HSET', backfill, 'target', watermark, 'position', '0-0')
      return {'backfill', watermark}
    end
    id = '0'
  end
  redis.call('XGROUP', 'CREATE', stream, group, id, 'MKSTREAM')
  return {'created', id}
end

redis.register_function('berrys_group_start', groupStart)
redis.register_function('berrys_dlq_park', park)
redis.register_function('berrys_dlq_done', done)
redis.register_function('berrys_dlq_retry', retryEntry)
redis.register_function('berrys_dlq_drop', drop)
redis.register_function{function_name = 'berrys_workers_version', callback = function() return VERSION end, flags = {'no-writes'}}
