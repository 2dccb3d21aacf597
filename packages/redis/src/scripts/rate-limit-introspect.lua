-- rateLimits.introspect: ARGV = limit. Returns tracked keys, reservations in all, then per listed
-- budget (earliest next slot first): budget id, next slot, reservations.
local limit = tonumber(ARGV[1])
local budgets = redis.call('ZRANGE', P .. ':rl:keys', 0, -1, 'WITHSCORES')
local out = { #budgets / 2, 0 }
local total = 0
for i = 1, #budgets, 2 do
  local n = redis.call('ZCARD', rl_parked_set(budgets[i]))
  total = total + n
  if (i + 1) / 2 <= limit then
    out[#out + 1] = budgets[i]
    out[#out + 1] = budgets[i + 1]
    out[#out + 1] = n
  end
end
out[2] = total
return out
