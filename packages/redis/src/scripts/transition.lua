-- transition: ARGV[1] = number of changes, then per change:
--   id, from (comma-separated statuses), owner ('n' or 'v<owner>'), to, at,
--   patch count, (column, encoded value)*, status-audit count, (score, body)*,
--   run-audit count, (score, body)*, log count, (score, member)*
-- A change applies when the task exists, its status is in `from` and (when given) the lease is the
-- owner's; then its patch, status, history rows and indexes are written together. Returns 1/0 per change.
local n = tonumber(ARGV[1])
local results = {}
local at = 2
for i = 1, n do
  local id, from, owner, to, time = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  at = at + 5
  local patchCount = tonumber(ARGV[at])
  local patchAt = at + 1
  at = patchAt + 2 * patchCount
  local auditCount = tonumber(ARGV[at])
  local auditAt = at + 1
  at = auditAt + 2 * auditCount
  local runCount = tonumber(ARGV[at])
  local runAt = at + 1
  at = runAt + 2 * runCount
  local logCount = tonumber(ARGV[at])
  local logAt = at + 1
  at = logAt + 2 * logCount
  local old = read_state(id)
  local applies = old ~= nil and status_in(from)[old.status] == true
  if applies and owner ~= 'n' and old.owner ~= string.sub(owner, 2) then applies = false end
  if applies then
    local key = task_key(id)
    local new = copy_state(old)
    apply_patch(key, patchAt, patchCount, new)
    new.status = to
    new.updated = time
    redis.call('HSET', key, 'status', to, 'updated_at', time)
    reindex(id, old, new)
    local sa, ra, lg = history_keys(id)
    add_history(sa, auditAt, auditCount, true)
    add_history(ra, runAt, runCount, true)
    add_history(lg, logAt, logCount, false)
    results[i] = 1
  else
    results[i] = 0
  end
end
return results
