-- nextDueAt: ARGV = queue count ('-1': all), queues*, name count ('-1': all), names*
-- The earliest due time (waiting/service-stopped) or lease expiry (queued/in-progress) among the
-- selected queues and names, as the index's score text; false when there is none.
local queueCount = tonumber(ARGV[1])
local queues = {}
for i = 1, queueCount do queues[i] = ARGV[1 + i] end
if queueCount < 0 then queues = redis.call('SMEMBERS', P .. ':queues') end
local at = 2 + math.max(queueCount, 0)
local nameCount = tonumber(ARGV[at])
local names = nil
if nameCount >= 0 then
  names = {}
  for i = 1, nameCount do names[ARGV[at + i]] = true end
end
local best, bestText = nil, false
local function earliest(key)
  local offset = 0
  while true do
    local rows = redis.call('ZRANGE', key, offset, offset + 99, 'WITHSCORES')
    if #rows == 0 then return end
    for i = 1, #rows, 2 do
      local score = tonumber(rows[i + 1])
      if best ~= nil and score >= best then return end
      if names == nil or names[redis.call('HGET', task_key(rows[i]), 'name')] then
        best, bestText = score, rows[i + 1]
        return
      end
    end
    offset = offset + 100
  end
end
for _, queue in ipairs(queues) do
  earliest(due_set(queue))
  earliest(lease_set(queue))
end
return bestText
