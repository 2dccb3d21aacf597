-- nextDueAt: ARGV = queue count ('-1': all), queues*, name count ('-1': all), names*
-- The earliest due time (waiting/service-stopped) or lease expiry (queued/in-progress) among the
-- selected queues and names, as the index's score text; false when there is none.
local queues, names = read_filters(1)
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
