#!lua name=berrys_leases
-- The Lua of a Redis Functions library; what each function does, its keys and replies: Sources/Workers/Runtime/LeaseFunctions.swift.
-- Its version is a digest of this text (RedisFunctionLibrary), so any change here loads anew at start.
local VERSION = '__VERSION__'

local function held(keys, args)
  local holder = redis.call('GET', keys[1])
  if holder ~= args[1] then
    return redis.error_reply('BERRYS_NOT_HOLDER ' .. keys[1] .. ' is held by ' .. tostring(holder or 'nobody') .. ', not ' .. args[1])
  end
end

local function claim_held(keys, args)
  local refused = held(keys, args)
  if refused then return refused end
  return redis.call('XCLAIM', keys[2], args[2], args[1], '0', unpack(args, 3))
end

local function backfill_held(keys, args)
  local refused = held(keys, args)
  if refused then return refused end
  if args[2] == '' then return redis.call('DEL', keys[2]) end
  return redis.call('HSET', keys[2], 'position', args[2])
end

redis.register_function('berrys_claim_held', claim_held)
redis.register_function('berrys_backfill_held', backfill_held)
redis.register_function{function_name = 'berrys_leases_version', callback = function() return VERSION end, flags = {'no-writes'}}
