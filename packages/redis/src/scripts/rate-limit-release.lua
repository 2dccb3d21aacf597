-- rateLimits.release: ARGV = reservation id. Drops the reservation; when it was the newest of its
-- key (its slot is the key's last booked one) the key's TAT goes back one interval.
local id = ARGV[1]
local res = rl_reservation_key(id)
local v = redis.call('HMGET', res, 'b', 'slot', 'iv')
if not v[1] then return 0 end
local b = v[1]
local slot, iv = rl_read_number(v[2], 'reservation slot of ' .. id), rl_read_number(v[3], 'reservation interval of ' .. id)
local stored = redis.call('HGET', P .. ':rl:tat', b)
if stored then
  local tat = rl_read_number(stored, 'TAT of ' .. b)
  local tol = rl_read_number(redis.call('HGET', P .. ':rl:tol', b) or '0', 'tolerance of ' .. b)
  if math.ceil(tat - iv - tol) == slot then
    tat = tat - iv
    redis.call('HSET', P .. ':rl:tat', b, rl_num(tat))
    redis.call('ZADD', P .. ':rl:keys', rl_num(math.ceil(tat - tol)), b)
    redis.call('ZADD', P .. ':rl:idle', 'XX', rl_num(tat), b)
  end
end
redis.call('DEL', res)
redis.call('ZREM', rl_parked_set(b), id)
return 1
