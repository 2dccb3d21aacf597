-- saveExecutionLogs: ARGV = task id, logs as JSON {score, member, …}. Returns 0 when the task is unknown.
local id = ARGV[1]
if redis.call('EXISTS', task_key(id)) == 0 then return 0 end
local _, _, lg = history_keys(id)
add_history(lg, cjson.decode(ARGV[2]), false)
return 1
