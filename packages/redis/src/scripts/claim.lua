-- claimDue: ARGV = owner, now, lease expiry, limit, queue count, queues*, name count ('-1': all), names*
-- Takes lapsed leases (queued/in-progress, lease_expires_at <= now: tasks that were due before
-- their crashed or stalled holder took them, so they go first), then due tasks (waiting/
-- service-stopped, due_at <= now), each kind earliest first across the selected queues, of the
-- selected names; leases them to `owner`. Returns, as one JSON text, each claimed task's columns
-- as they were before the claim (COLUMNS order, false for null): the caller sets the four fields
-- the claim wrote.
local owner, now, expiry, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local queues, names = read_filters(5)
local page = math.max(limit, 16)
-- one source per index set: a buffer of (id, score), refilled past the entries it skipped
local sources = {}
for _, queue in ipairs(queues) do
  sources[#sources + 1] = { key = due_set(queue), statuses = WAITING, rank = 1, buffer = {}, pos = 1, skipped = 0, done = false }
  sources[#sources + 1] = { key = lease_set(queue), statuses = LEASED, rank = 0, buffer = {}, pos = 1, skipped = 0, done = false }
end
-- the index moves of the claims, gathered (see new_moves); written before an index is read again
local moves = new_moves()
local function head(source)
  if source.pos > #source.buffer then
    if source.done then return nil end
    flush_moves(moves)
    local rows = redis.call('ZRANGEBYSCORE', source.key, '-inf', now, 'WITHSCORES', 'LIMIT', source.skipped, page)
    source.buffer = rows
    source.pos = 1
    if #rows < 2 * page then source.done = true end
    if #rows == 0 then return nil end
  end
  return source.buffer[source.pos], tonumber(source.buffer[source.pos + 1])
end
local STATUS_AT, QUEUE_AT, NAME_AT, CK_AT = COLUMN_INDEX.status, COLUMN_INDEX.queue, COLUMN_INDEX.name, #COLUMNS + 1
local claimed = {}
while #claimed < limit do
  local best, bestId, bestScore = nil, nil, nil
  for _, source in ipairs(sources) do
    local id, score = head(source)
    if id and (best == nil or source.rank < best.rank
        or (source.rank == best.rank and (score < bestScore or (score == bestScore and id < bestId)))) then
      best, bestId, bestScore = source, id, score
    end
  end
  if best == nil then break end
  best.pos = best.pos + 2
  local key = task_key(bestId)
  local row = redis.call('HMGET', key, unpack(ROW_FIELDS)) -- every column, then the created key
  local status = row[STATUS_AT]
  if status and best.statuses[status] and (names == nil or names[row[NAME_AT]]) then
    redis.call('HSET', key, 'status', 'queued', 'lease_owner', owner, 'lease_expires_at', expiry, 'updated_at', now)
    -- reindex() for this one move, written out: the status set, due set -> lease set
    local queue = row[QUEUE_AT]
    if status ~= 'queued' then
      local member = row[CK_AT] .. ':' .. bestId
      index_write(moves, 'ZREM', status_set(queue, status), nil, member)
      index_write(moves, 'ZADD', status_set(queue, 'queued'), 0, member)
    end
    if WAITING[status] then index_write(moves, 'ZREM', due_set(queue), nil, bestId) end
    index_write(moves, 'ZADD', lease_set(queue), expiry, bestId)
    row[CK_AT] = nil
    claimed[#claimed + 1] = row
  elseif not status then
    index_write(moves, 'ZREM', best.key, nil, bestId) -- an index entry whose task is gone
  else
    best.skipped = best.skipped + 1
  end
end
flush_moves(moves)
if #claimed == 0 then return '[]' end
return cjson.encode(claimed)
