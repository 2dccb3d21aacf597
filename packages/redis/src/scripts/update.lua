-- update: ARGV = id, statuses guard ('*': any), patch count, (column, encoded value)*
-- Changes definition fields (never the status). Returns 1 when the task exists and passes the guard.
local id, guard, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local old = read_state(id)
if not old then return 0 end
if guard ~= '*' and not status_in(guard)[old.status] then return 0 end
local new = copy_state(old)
apply_patch(task_key(id), 4, count, new)
reindex(id, old, new)
return 1
