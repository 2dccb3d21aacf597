-- remove: ARGV = id. Deletes the task with its history. Returns 1 when it existed.
local audits = delete_task(ARGV[1])
if audits == nil then return 0 end
return 1
