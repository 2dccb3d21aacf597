-- Shared by every EverTask script (prepended when the scripts are loaded; COLUMNS is generated
-- from the storage kit's field table). KEYS[1] is the deployment's key base, `{<prefix>}`: every
-- key below starts with it, so all of them hash to one Redis Cluster slot.
local P = KEYS[1]
local WAITING = { ['waiting'] = true, ['service-stopped'] = true }
local LEASED = { ['queued'] = true, ['in-progress'] = true }
local TERMINAL = { ['completed'] = true, ['failed'] = true, ['cancelled'] = true }

local function task_key(id) return P .. ':t:' .. id end
-- the index keys of a queue, built once per script run (a batch names the same few keys again and again)
local QUEUE_KEYS = {}
local function queue_keys(queue)
  local keys = QUEUE_KEYS[queue]
  if not keys then
    keys = { status = {}, due = P .. ':due:' .. queue, lease = P .. ':lease:' .. queue }
    QUEUE_KEYS[queue] = keys
  end
  return keys
end
local function status_set(queue, status)
  local byStatus = queue_keys(queue).status
  local key = byStatus[status]
  if not key then
    key = P .. ':s:' .. status .. ':' .. queue
    byStatus[status] = key
  end
  return key
end
local function due_set(queue) return queue_keys(queue).due end
local function lease_set(queue) return queue_keys(queue).lease end
local FINISHED = P .. ':fin'

-- The fields that decide which indexes hold a task.
local STATE_FIELDS = { 'status', 'queue', '_ck', 'due_at', 'lease_expires_at', 'recurring', 'updated_at', 'task_key', 'lease_owner', 'name' }
local STATE_OF_COLUMN = {
  status = 'status', queue = 'queue', due_at = 'due', lease_expires_at = 'lease', recurring = 'recurring',
  updated_at = 'updated', task_key = 'key', lease_owner = 'owner', name = 'name',
}

local function read_state(id)
  local v = redis.call('HMGET', task_key(id), unpack(STATE_FIELDS))
  if not v[1] then return nil end
  return { status = v[1], queue = v[2], ck = v[3], due = v[4], lease = v[5], recurring = v[6], updated = v[7], key = v[8], owner = v[9], name = v[10] }
end

-- Every column of a task and its created key, in COLUMNS order: the fields the claim reads
-- (COLUMN_INDEX: the place of a column in that list).
local ROW_FIELDS = {}
local COLUMN_INDEX = {}
for i, column in ipairs(COLUMNS) do
  ROW_FIELDS[i] = column
  COLUMN_INDEX[column] = i
end
ROW_FIELDS[#COLUMNS + 1] = '_ck'

local function copy_state(s)
  return { status = s.status, queue = s.queue, ck = s.ck, due = s.due, lease = s.lease, recurring = s.recurring, updated = s.updated, key = s.key, owner = s.owner, name = s.name }
end

-- Index writes of a batch: the commands of one kind on one key are gathered and sent by
-- flush_moves as one variadic command (one ZADD of 64 members costs Redis far less than 64
-- ZADDs). A batch holds the moves of distinct tasks only, so their order within a key does not
-- matter: a script flushes before it moves a task a second time (`moved`) and before it reads an
-- index it moves entries of.
local function new_moves() return { list = {}, by = {}, moved = {} } end

-- One index write: at once without `moves`, else gathered. `op` is ZADD, ZREM or SADD.
local function index_write(moves, op, key, score, member)
  if not moves then
    if op == 'ZADD' then redis.call('ZADD', key, score, member) else redis.call(op, key, member) end
    return
  end
  local byKey = moves.by[op]
  if not byKey then
    byKey = {}
    moves.by[op] = byKey
  end
  local entry = byKey[key]
  if not entry then
    entry = { op, key, members = op == 'SADD' and {} or nil }
    byKey[key] = entry
    moves.list[#moves.list + 1] = entry
  end
  if op == 'SADD' then
    if entry.members[member] then return end
    entry.members[member] = true
  elseif op == 'ZADD' then
    entry[#entry + 1] = score
  end
  entry[#entry + 1] = member
end

-- Arguments per command (even: a ZADD's score/member pairs never split), well inside unpack's limit.
local MOVE_CHUNK = 2000
local function flush_moves(moves)
  for _, entry in ipairs(moves.list) do
    local op, key, n = entry[1], entry[2], #entry
    for i = 3, n, MOVE_CHUNK do redis.call(op, key, unpack(entry, i, math.min(i + MOVE_CHUNK - 1, n))) end
  end
  moves.list, moves.by, moves.moved = {}, {}, {}
end

-- Moves a task between the indexes its old and new state belong to (nil: no task); gathered in
-- `moves` when given (see new_moves).
local function reindex(id, old, new, moves)
  local oldS = old and status_set(old.queue, old.status)
  local newS = new and status_set(new.queue, new.status)
  if oldS ~= newS then
    if oldS then index_write(moves, 'ZREM', oldS, nil, old.ck .. ':' .. id) end
    if newS then index_write(moves, 'ZADD', newS, 0, new.ck .. ':' .. id) end
  end
  local oldD = old and WAITING[old.status] and old.due and due_set(old.queue)
  local newD = new and WAITING[new.status] and new.due and due_set(new.queue)
  if oldD and oldD ~= newD then index_write(moves, 'ZREM', oldD, nil, id) end
  if newD and (newD ~= oldD or new.due ~= old.due) then index_write(moves, 'ZADD', newD, new.due, id) end
  local oldL = old and LEASED[old.status] and old.lease and lease_set(old.queue)
  local newL = new and LEASED[new.status] and new.lease and lease_set(new.queue)
  if oldL and oldL ~= newL then index_write(moves, 'ZREM', oldL, nil, id) end
  if newL and (newL ~= oldL or new.lease ~= old.lease) then index_write(moves, 'ZADD', newL, new.lease, id) end
  local oldF = old and TERMINAL[old.status] and not old.recurring
  local newF = new and TERMINAL[new.status] and not new.recurring
  if oldF and not newF then index_write(moves, 'ZREM', FINISHED, nil, id) end
  if newF and (not oldF or new.updated ~= old.updated) then index_write(moves, 'ZADD', FINISHED, new.updated, id) end
  if new and (not old or old.queue ~= new.queue) then index_write(moves, 'SADD', P .. ':queues', nil, new.queue) end
  if moves then moves.moved[id] = true end
end

-- Applies a patch, a flat list {column, value, …} where a value is a string or cjson.null (the
-- field is removed). `sets` holds further field/value pairs to write with it. Updates `state` to
-- match. One HDEL and one HSET at most.
local function apply_patch(key, patch, state, sets)
  local dels = {}
  for i = 1, #patch, 2 do
    local column = patch[i]
    local value = patch[i + 1]
    if value == cjson.null then
      value = false
      dels[#dels + 1] = column
    else
      sets[#sets + 1] = column
      sets[#sets + 1] = value
    end
    local field = STATE_OF_COLUMN[column]
    if field then state[field] = value end
  end
  if #dels > 0 then redis.call('HDEL', key, unpack(dels)) end
  if #sets > 0 then redis.call('HSET', key, unpack(sets)) end
end

-- Writes history rows, a flat list {score, body, …}, into the sorted set `key`. With `sequenced`,
-- each body is prefixed by the next number of the deployment's sequence (insertion order among
-- rows of the same time).
local function add_history(key, rows, sequenced)
  local count = #rows / 2
  if count == 0 then return end
  local first = 0
  if sequenced then first = redis.call('INCRBY', P .. ':seq', count) - count end
  local args = {}
  for i = 0, count - 1 do
    local body = rows[2 * i + 2]
    if sequenced then body = string.format('%016x', first + i) .. body end
    args[#args + 1] = rows[2 * i + 1]
    args[#args + 1] = body
  end
  redis.call('ZADD', key, unpack(args))
end

local function history_keys(id)
  return P .. ':sa:' .. id, P .. ':ra:' .. id, P .. ':log:' .. id
end

-- Deletes a task with its key, indexes and history. Returns audits, logs removed (nil when absent).
local function delete_task(id, state)
  state = state or read_state(id)
  if not state then return nil end
  reindex(id, state, nil)
  if state.key then
    local holder = redis.call('HGET', P .. ':key', state.key)
    if holder == id then redis.call('HDEL', P .. ':key', state.key) end
  end
  local sa, ra, lg = history_keys(id)
  local audits = redis.call('ZCARD', sa) + redis.call('ZCARD', ra)
  local logs = redis.call('ZCARD', lg)
  redis.call('DEL', task_key(id), sa, ra, lg)
  return audits, logs
end

-- A new task from its list of values: one per COLUMNS entry (a string, or cjson.null), then its
-- created key. Returns the task: id, key, the fields to set, its index state.
local NULL = cjson.null
local function read_new_task(row)
  local fields = {}
  local n = 0
  for i = 1, #COLUMNS do
    local value = row[i]
    if value ~= NULL then
      fields[n + 1] = COLUMNS[i]
      fields[n + 2] = value
      n = n + 2
    end
  end
  local ck = row[#COLUMNS + 1]
  fields[n + 1] = '_ck'
  fields[n + 2] = ck
  -- a column's value, false for a null
  local function at(column)
    local value = row[COLUMN_INDEX[column]]
    return value ~= NULL and value
  end
  local key = at('task_key')
  local state = {
    status = at('status'), queue = at('queue'), ck = ck, due = at('due_at'), lease = at('lease_expires_at'),
    recurring = at('recurring'), updated = at('updated_at'), key = key, owner = at('lease_owner'), name = at('name'),
  }
  return { id = at('id'), key = key or nil, fields = fields, state = state }
end

local function insert_task(t, moves)
  redis.call('HSET', task_key(t.id), unpack(t.fields))
  reindex(t.id, nil, t.state, moves)
  if t.key then redis.call('HSET', P .. ':key', t.key, t.id) end
end

local STATUS_SETS = {}
-- The set of statuses of a comma-separated list (parsed once per script run).
local function status_in(csv)
  local set = STATUS_SETS[csv]
  if set then return set end
  set = {}
  for s in string.gmatch(csv, '[^,]+') do set[s] = true end
  STATUS_SETS[csv] = set
  return set
end

-- The queue and task-name filters of a claim or a nextDueAt from ARGV[at]: a queue count ('-1':
-- every queue that has held a task), the queues, a name count ('-1': any name), the names.
-- Returns the list of queues, paused ones left out (read in the same script: a pause is atomic
-- with the claim), and the set of names (nil: any).
local function read_filters(at)
  local queueCount = tonumber(ARGV[at])
  local listed = {}
  for i = 1, queueCount do listed[i] = ARGV[at + i] end
  if queueCount < 0 then listed = redis.call('SMEMBERS', P .. ':queues') end
  local queues = {}
  if redis.call('EXISTS', P .. ':paused') == 0 then
    queues = listed
  else
    for _, queue in ipairs(listed) do
      if redis.call('HEXISTS', P .. ':paused', queue) == 0 then queues[#queues + 1] = queue end
    end
  end
  local nameAt = at + 1 + math.max(queueCount, 0)
  local nameCount = tonumber(ARGV[nameAt])
  local names = nil
  if nameCount >= 0 then
    names = {}
    for i = 1, nameCount do names[ARGV[nameAt + i]] = true end
  end
  return queues, names
end

-- Rate-limit budgets (rate-limit-*.lua): a budget id is the JSON [policyKey, key].
local function rl_reservation_key(id) return P .. ':rl:res:' .. id end
local function rl_parked_set(budget) return P .. ':rl:r:' .. budget end
-- exact text of a double (tostring keeps 14 digits only)
local function rl_num(x) return string.format('%.17g', x) end
local function rl_read_number(text, what)
  local n = tonumber(text)
  if not n or n ~= n or n == math.huge or n == -math.huge then
    error({ err = 'ERR EverTask: the stored rate-limit ' .. what .. ' is ' .. tostring(text) .. '; the keys were changed outside EverTask.' })
  end
  return n
end
