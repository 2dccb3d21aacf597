-- instances.heartbeat: ARGV = id, record JSON, expiresAt, purge cutoff. Upserts the record and
-- forgets the instances that expired before the cutoff (except this one).
local id, record, expires, cutoff = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', P .. ':inst', id, record)
redis.call('ZADD', P .. ':inst-exp', expires, id)
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', P .. ':inst-exp', '-inf', '(' .. cutoff)) do
  if stale ~= id then
    redis.call('HDEL', P .. ':inst', stale)
    redis.call('ZREM', P .. ':inst-exp', stale)
  end
end
return 1
