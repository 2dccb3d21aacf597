-- update: ARGV = id, statuses guard ('*': any), patch as JSON {column, value|null, …}
-- Changes definition fields (never the status). Returns 1 when the task exists and passes the guard.
local id, guard = ARGV[1], ARGV[2]
local old = read_state(id)
if not old then return 0 end
if guard ~= '*' and not status_in(guard)[old.status] then return 0 end
local new = copy_state(old)
apply_patch(task_key(id), cjson.decode(ARGV[3]), new, {})
reindex(id, old, new)
return 1
