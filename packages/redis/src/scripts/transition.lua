-- transition: ARGV[1] = the changes as JSON, each
--   {id, from (comma-separated statuses), owner (or null), to, at, patch {column, value|null, …},
--    status audits {score, body, …}, run audits {score, body, …}, logs {score, member, …}}
-- A change applies when the task exists, its status is in `from` and (when given) the lease is the
-- owner's; then its patch, status, history rows and indexes are written together (the index moves
-- of the batch gathered, see new_moves). Returns 1/0 per change.
local changes = cjson.decode(ARGV[1])
local results = {}
local moves = new_moves()
for i = 1, #changes do
  local c = changes[i]
  local id, owner, to, time = c[1], c[3], c[4], c[5]
  if moves.moved[id] then flush_moves(moves) end -- a second change of one task sees the first one's indexes
  local old = read_state(id)
  local applies = old ~= nil and status_in(c[2])[old.status] == true
  if applies and owner ~= cjson.null and old.owner ~= owner then applies = false end
  if applies then
    local key = task_key(id)
    local new = copy_state(old)
    apply_patch(key, c[6], new, { 'status', to, 'updated_at', time })
    new.status = to
    new.updated = time
    reindex(id, old, new, moves)
    if #c[7] > 0 or #c[8] > 0 or #c[9] > 0 then
      local sa, ra, lg = history_keys(id)
      add_history(sa, c[7], true)
      add_history(ra, c[8], true)
      add_history(lg, c[9], false)
    end
    results[i] = 1
  else
    results[i] = 0
  end
end
flush_moves(moves)
return results
