-- cleanup by age: ARGV = audit cutoff ('' for none), log cutoff ('' for none), then task ids.
-- Deletes the status/run audit rows and logs of these tasks older than the cutoffs. Returns {audits, logs}.
local auditBefore, logBefore = ARGV[1], ARGV[2]
local audits, logs = 0, 0
for i = 3, #ARGV do
  local sa, ra, lg = history_keys(ARGV[i])
  if auditBefore ~= '' then
    audits = audits + redis.call('ZREMRANGEBYSCORE', sa, '-inf', '(' .. auditBefore) + redis.call('ZREMRANGEBYSCORE', ra, '-inf', '(' .. auditBefore)
  end
  if logBefore ~= '' then logs = logs + redis.call('ZREMRANGEBYSCORE', lg, '-inf', '(' .. logBefore) end
end
return { audits, logs }
