-- add: ARGV[1] = the tasks as JSON (a list of read_new_task rows), ARGV[2] = write an audit row
-- ('1'/'0'), ARGV[3] = wake-up payload ('' for none).
-- All or none: every id and task key is checked before anything is written.
-- Returns {'ok'}, {'id', <id>} for an id already stored or repeated, {'key', <key>} for a key taken.
local rows = cjson.decode(ARGV[1])
local audit = ARGV[2] == '1'
local payload = ARGV[3]
local n = #rows
local tasks = {}
local ids = {}
local keys = {}
for i = 1, n do
  local t = read_new_task(rows[i])
  if ids[t.id] or redis.call('EXISTS', task_key(t.id)) == 1 then return { 'id', t.id } end
  ids[t.id] = true
  if t.key then
    if keys[t.key] or redis.call('HEXISTS', P .. ':key', t.key) == 1 then return { 'key', t.key } end
    keys[t.key] = true
  end
  tasks[i] = t
end
local first = 0
if audit then first = redis.call('INCRBY', P .. ':seq', n) - n end
local moves = new_moves()
for i = 1, n do
  local t = tasks[i]
  insert_task(t, moves)
  if audit then
    redis.call('ZADD', P .. ':sa:' .. t.id, t.state.updated,
      string.format('%016x', first + i - 1) .. cjson.encode({ t.state.status, t.state.updated, cjson.null, cjson.null }))
  end
end
flush_moves(moves)
if payload ~= '' then redis.call('PUBLISH', P .. ':notify', payload) end
return { 'ok' }
