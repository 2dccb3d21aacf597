-- rateLimits.acquire: ARGV = grace, idle age, idle budgets per batch, then 7 per request: budget
-- id, reservation id, now, interval, tolerance, horizon, startEmpty (1/0). GCRA exactly as
-- evertask's applyGcra, requests in order. Returns 3 integers per request: acquired (1/0), slot,
-- rejected (1/0). Times are the caller's.
-- Each budget is read (and its expired reservations dropped) once, and written back once. Then up
-- to `per batch` idle budgets are removed (see evertask's IDLE_BUDGET_AGE_MS): `{p}:rl:idle` holds
-- the budgets whose last request was not startEmpty, by TAT (or, for one held by a reservation, by
-- when that reservation expires).
local grace, idleAge, perBatch = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local tats, tols, empties, order = {}, {}, {}, {}
local minNow
for i = 4, #ARGV, 7 do
  local b, id = ARGV[i], ARGV[i + 1]
  local now, iv, tol, horizon = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  if minNow == nil or now < minNow then minNow = now end
  local parked = rl_parked_set(b)
  local tat = tats[b]
  if tat == nil then
    -- reservations past their retention are forgotten (a parked task long gone)
    local expired = redis.call('ZRANGEBYSCORE', parked, '-inf', '(' .. rl_num(now))
    for _, old in ipairs(expired) do redis.call('DEL', rl_reservation_key(old)) end
    if #expired > 0 then redis.call('ZREMRANGEBYSCORE', parked, '-inf', '(' .. rl_num(now)) end
    local stored = redis.call('HGET', P .. ':rl:tat', b)
    if stored then
      tat = rl_read_number(stored, 'TAT of ' .. b)
    elseif ARGV[i + 6] == '1' then
      tat = now + tol
    else
      tat = now
    end
    order[#order + 1] = b
  end
  local res = rl_reservation_key(id)
  local slotText = redis.call('HGET', res, 'slot')
  local acquired, slot, rejected = 0, 0, 0
  if slotText then
    -- idempotent redemption: no new budget either way
    slot = rl_read_number(slotText, 'reservation slot of ' .. id)
    if now >= slot then
      acquired = 1
      local owner = redis.call('HGET', res, 'b')
      redis.call('DEL', res)
      if owner then redis.call('ZREM', rl_parked_set(owner), id) end
    end
  elseif now >= tat - tol then
    acquired, slot = 1, now
    tat = math.max(now, tat) + iv
  else
    slot = math.ceil(tat - tol)
    if slot - now > horizon then
      rejected = 1
    else
      tat = tat + iv
      local expires = slot + iv + tol + grace
      local keep = math.ceil(expires - now)
      redis.call('HSET', res, 'b', b, 'slot', rl_num(slot), 'iv', rl_num(iv))
      redis.call('PEXPIRE', res, rl_num(keep))
      redis.call('ZADD', parked, rl_num(expires), id)
      -- the set lives as long as its longest-kept reservation
      if redis.call('PTTL', parked) < keep then redis.call('PEXPIRE', parked, rl_num(keep)) end
    end
  end
  tats[b], tols[b], empties[b] = tat, tol, ARGV[i + 6]
  out[#out + 1] = acquired
  out[#out + 1] = slot
  out[#out + 1] = rejected
end
-- one HSET per 500 budgets (unpack has a limit on the values it can spread)
for first = 1, #order, 500 do
  local tatFields, tolFields = {}, {}
  for j = first, math.min(first + 499, #order) do
    local b = order[j]
    tatFields[#tatFields + 1] = b
    tatFields[#tatFields + 1] = rl_num(tats[b])
    tolFields[#tolFields + 1] = b
    tolFields[#tolFields + 1] = rl_num(tols[b])
    redis.call('ZADD', P .. ':rl:keys', rl_num(math.ceil(tats[b] - tols[b])), b)
    if empties[b] == '1' then
      redis.call('ZREM', P .. ':rl:idle', b)
    else
      redis.call('ZADD', P .. ':rl:idle', rl_num(tats[b]), b)
    end
  end
  redis.call('HSET', P .. ':rl:tat', unpack(tatFields))
  redis.call('HSET', P .. ':rl:tol', unpack(tolFields))
end
-- idle budgets: equivalent to absent ones for every later request, so removed
local before = minNow - idleAge
local idle = P .. ':rl:idle'
for _, b in ipairs(redis.call('ZRANGEBYSCORE', idle, '-inf', rl_num(before), 'LIMIT', 0, perBatch)) do
  local parked = rl_parked_set(b)
  local expired = redis.call('ZRANGEBYSCORE', parked, '-inf', '(' .. rl_num(minNow))
  for _, old in ipairs(expired) do redis.call('DEL', rl_reservation_key(old)) end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', parked, '-inf', '(' .. rl_num(minNow)) end
  local stored = redis.call('HGET', P .. ':rl:tat', b)
  local last = redis.call('ZRANGE', parked, -1, -1, 'WITHSCORES')
  if stored and rl_read_number(stored, 'TAT of ' .. b) > before then
    redis.call('ZADD', idle, stored, b)
  elseif #last > 0 then
    -- held by a reservation: looked at again once the last one has expired
    redis.call('ZADD', idle, last[2], b)
  else
    redis.call('HDEL', P .. ':rl:tat', b)
    redis.call('HDEL', P .. ':rl:tol', b)
    redis.call('ZREM', P .. ':rl:keys', b)
    redis.call('ZREM', idle, b)
  end
end
return out
