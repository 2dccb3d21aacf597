-- rateLimits.acquire: ARGV = grace, then 7 per request: budget id, reservation id, now, interval,
-- tolerance, horizon, startEmpty (1/0). GCRA exactly as evertask's applyGcra, requests in order.
-- Returns 3 integers per request: acquired (1/0), slot, rejected (1/0). Times are the caller's.
-- Each budget is read (and its expired reservations dropped) once, and written back once.
local grace = tonumber(ARGV[1])
local out = {}
local tats, tols, order = {}, {}, {}
for i = 2, #ARGV, 7 do
  local b, id = ARGV[i], ARGV[i + 1]
  local now, iv, tol, horizon = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
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
  tats[b], tols[b] = tat, tol
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
  end
  redis.call('HSET', P .. ':rl:tat', unpack(tatFields))
  redis.call('HSET', P .. ':rl:tol', unpack(tolFields))
end
return out
