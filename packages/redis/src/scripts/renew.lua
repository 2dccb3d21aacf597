-- renewLeases: ARGV = owner, new expiry, id count ('-1': every lease of the owner), ids*
-- Extends the leases of the owner's queued/in-progress tasks. Returns how many.
local owner, expiry, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ids = {}
if count >= 0 then
  local seen = {}
  for i = 1, count do
    local id = ARGV[3 + i]
    if not seen[id] then
      seen[id] = true
      ids[#ids + 1] = id
    end
  end
else
  for _, queue in ipairs(redis.call('SMEMBERS', P .. ':queues')) do
    for _, id in ipairs(redis.call('ZRANGE', lease_set(queue), 0, -1)) do ids[#ids + 1] = id end
  end
end
local renewed = 0
for _, id in ipairs(ids) do
  local old = read_state(id)
  if old and LEASED[old.status] and old.owner == owner then
    local new = copy_state(old)
    new.lease = expiry
    redis.call('HSET', task_key(id), 'lease_expires_at', expiry)
    reindex(id, old, new)
    renewed = renewed + 1
  end
end
return renewed
