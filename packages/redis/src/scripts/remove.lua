-- remove: ARGV = id, statuses guard ('*': any). Deletes the task with its history when it exists
-- and passes the guard. Returns 1 when it was deleted.
local id, guard = ARGV[1], ARGV[2]
local state = read_state(id)
if not state then return 0 end
if guard ~= '*' and not status_in(guard)[state.status] then return 0 end
delete_task(id, state)
return 1
