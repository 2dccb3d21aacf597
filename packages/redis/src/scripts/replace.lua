-- replace: ARGV = previous id, guard statuses (comma-separated), audit ('1'/'0'), wake-up payload
-- ('' for none), the new task as JSON (see read_new_task). Deletes the previous task, inserts the new
-- one (taking over the key) and moves the previous history under it, all or nothing.
-- Returns {'ok'}, {'guard'} when the previous task is gone or in another status, {'id', id} when
-- the new id is taken, {'key', key} when another task holds the new key.
local previous, guard, audit, payload = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4]
local old = read_state(previous)
if not old or not status_in(guard)[old.status] then return { 'guard' } end
local t = read_new_task(cjson.decode(ARGV[5]))
if redis.call('EXISTS', task_key(t.id)) == 1 then return { 'id', t.id } end
if t.key then
  local holder = redis.call('HGET', P .. ':key', t.key)
  if holder and holder ~= previous then return { 'key', t.key } end
end
-- the history moves first (delete_task would drop it)
local psa, pra, plg = history_keys(previous)
local nsa, nra, nlg = history_keys(t.id)
for _, pair in ipairs({ { psa, nsa }, { pra, nra }, { plg, nlg } }) do
  if redis.call('EXISTS', pair[1]) == 1 then redis.call('RENAME', pair[1], pair[2]) end
end
delete_task(previous, old)
insert_task(t)
if audit then
  local seq = redis.call('INCR', P .. ':seq') - 1
  redis.call('ZADD', nsa, t.state.updated, string.format('%016x', seq) .. cjson.encode({ t.state.status, t.state.updated, cjson.null, cjson.null }))
end
if payload ~= '' then redis.call('PUBLISH', P .. ':notify', payload) end
return { 'ok' }
