-- cleanup (one batch): ARGV = completed cutoff ('' for none), failed cutoff ('' for none), the later
-- of the two, offset, batch size. Walks the finished one-off tasks (the `fin` index, by updated_at)
-- written before the later cutoff and deletes, with their history, those past their status's cutoff.
-- Returns {tasks, audits, logs, next offset, more (1/0)}.
local completed, failed = tonumber(ARGV[1]), tonumber(ARGV[2])
local offset, size = tonumber(ARGV[4]), tonumber(ARGV[5])
local rows = redis.call('ZRANGEBYSCORE', P .. ':fin', '-inf', '(' .. ARGV[3], 'WITHSCORES', 'LIMIT', offset, size)
local tasks, audits, logs, kept = 0, 0, 0, 0
for i = 1, #rows, 2 do
  local id = rows[i]
  local state = read_state(id)
  if not state then
    redis.call('ZREM', P .. ':fin', id) -- an index entry whose task is gone
  else
    local cutoff = failed
    if state.status == 'completed' then cutoff = completed end
    if not state.recurring and TERMINAL[state.status] and cutoff and tonumber(state.updated) < cutoff then
      local a, l = delete_task(id, state)
      tasks = tasks + 1
      audits = audits + a
      logs = logs + l
    else
      kept = kept + 1
    end
  end
end
local more = 0
if #rows == 2 * size then more = 1 end
return { tasks, audits, logs, offset + kept, more }
