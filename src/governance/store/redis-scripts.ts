/**
 * Lua run inside Redis, so each admission is one atomic step however many replicas call it.
 * The rules and their order are those of MemoryGovernanceStore. Time is Redis's own clock, so
 * replicas with skewed clocks still share one window.
 *
 * admit: KEYS = requests zset, tokens hash, spend counter, reservations hash;
 *        ARGV = window ms, requests/min (0: none), tokens/min (0: none), budget nano-USD (-1:
 *        none), period end ms, a unique member for this request, reserve (1/0), reservation id,
 *        prompt tokens, explicit output tokens (-1: none), output cap, input and output nano-USD
 *        per token, lease ms. The reservation rules are planReservation's (reservation.ts).
 *        With a team (issue 20): KEYS 5, 6 = the team's spend counter and reservations hash;
 *        ARGV 15 = the team's budget nano-USD (-1: none), 16 = its period end ms. The team's
 *        budget is checked and the call's cost reserved against it in this same step.
 * Returns {admitted, reason, retryAfterMs, requests, tokens, spent (string), requestsResetMs,
 *          tokensResetMs, reserved tokens, reserved nano-USD (string), this call's reserved
 *          tokens, its cost (string), its output tokens, team spent (string), team reserved
 *          (string)}.
 */
export const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local budget = tonumber(ARGV[4])
local reserve = tonumber(ARGV[7]) == 1
local since = now - window
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
local count = redis.call('ZCARD', KEYS[1])
local requestsReset = now
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then requestsReset = tonumber(oldest[2]) + window end
local tokens = 0
local buckets = {}
local flat = redis.call('HGETALL', KEYS[2])
for i = 1, #flat, 2 do
  local second = tonumber(flat[i])
  if (second + 1) * 1000 <= since then
    redis.call('HDEL', KEYS[2], flat[i])
  else
    local n = tonumber(flat[i + 1])
    tokens = tokens + n
    table.insert(buckets, {second, n})
  end
end
table.sort(buckets, function(a, b) return a[1] < b[1] end)
local tokensReset = now
if #buckets > 0 then tokensReset = (buckets[1][1] + 1) * 1000 + window end
local spent = 0
if budget >= 0 then spent = tonumber(redis.call('GET', KEYS[3]) or '0') end
-- Reservations in flight: "tokens cost expiresAt" by id; an expired lease frees itself.
local reservedTokens = 0
local reservedCost = 0
local held = redis.call('HGETALL', KEYS[4])
for i = 1, #held, 2 do
  local tk, cs, ex = string.match(held[i + 1], '(%d+) (%d+) (%d+)')
  if tonumber(ex) <= now then
    redis.call('HDEL', KEYS[4], held[i])
  else
    reservedTokens = reservedTokens + tonumber(tk)
    reservedCost = reservedCost + tonumber(cs)
  end
end
local teamBudget = tonumber(ARGV[15])
local teamEnds = tonumber(ARGV[16])
local teamSpent = 0
local teamReserved = 0
if teamBudget >= 0 then
  teamSpent = tonumber(redis.call('GET', KEYS[5]) or '0')
  local theld = redis.call('HGETALL', KEYS[6])
  for i = 1, #theld, 2 do
    local tk, cs, ex = string.match(theld[i + 1], '(%d+) (%d+) (%d+)')
    if tonumber(ex) <= now then
      redis.call('HDEL', KEYS[6], theld[i])
    else
      teamReserved = teamReserved + tonumber(cs)
    end
  end
end
local function answer(admitted, reason, retry, n, rTokens, rCost, rOut)
  local teamHeld = teamReserved
  if teamBudget >= 0 then teamHeld = teamHeld + rCost end
  return {admitted, reason, retry, n, tokens, tostring(spent), requestsReset, tokensReset,
    reservedTokens + rTokens, tostring(reservedCost + rCost), rTokens, tostring(rCost), rOut,
    tostring(teamSpent), tostring(teamHeld)}
end
local function tokensRetry(total)
  local left = total
  for _, b in ipairs(buckets) do
    left = left - b[2]
    if left <= tpm then return math.max(1, (b[1] + 1) * 1000 + window - now) end
  end
  return window
end
if budget >= 0 and spent >= budget then
  return answer(0, 'budget', tonumber(ARGV[5]) - now, count, 0, 0, 0)
end
if teamBudget >= 0 and teamSpent >= teamBudget then
  return answer(0, 'team-budget', teamEnds - now, count, 0, 0, 0)
end
if not reserve and tpm > 0 and tokens >= tpm then
  return answer(0, 'tokens', tokensRetry(tokens + 1), count, 0, 0, 0)
end
local rTokens, rCost, rOut = 0, 0, 0
if reserve then
  local prompt = tonumber(ARGV[9])
  local explicit = tonumber(ARGV[10])
  local cap = tonumber(ARGV[11])
  local inP = tonumber(ARGV[12])
  local outP = tonumber(ARGV[13])
  local promptCost = math.ceil(prompt * inP)
  local minOut = 1
  if explicit >= 0 then minOut = explicit end
  if tpm > 0 and prompt + minOut > tpm then
    return answer(0, 'tokens-never', 0, count, 0, 0, 0)
  end
  if budget >= 0 and promptCost + math.ceil(minOut * outP) > budget then
    return answer(0, 'budget-never', 0, count, 0, 0, 0)
  end
  if teamBudget >= 0 and promptCost + math.ceil(minOut * outP) > teamBudget then
    return answer(0, 'team-budget-never', 0, count, 0, 0, 0)
  end
  local inf = 1e300
  local tokensLeft = inf
  if tpm > 0 then tokensLeft = tpm - tokens - reservedTokens - prompt end
  local budgetTokens = inf
  if budget >= 0 then
    local budgetLeft = budget - spent - reservedCost - promptCost
    if outP > 0 then budgetTokens = math.floor(budgetLeft / outP)
    elseif budgetLeft < 0 then budgetTokens = -1 end
  end
  local teamTokens = inf
  if teamBudget >= 0 then
    local teamLeft = teamBudget - teamSpent - teamReserved - promptCost
    if outP > 0 then teamTokens = math.floor(teamLeft / outP)
    elseif teamLeft < 0 then teamTokens = -1 end
  end
  local out = explicit
  if explicit < 0 then out = math.min(cap, tokensLeft, budgetTokens, teamTokens) end
  if out < minOut or tokensLeft < minOut or budgetTokens < minOut or teamTokens < minOut then
    if tokensLeft < minOut then
      local retry = 1000
      if tpm - tokens - prompt < minOut then retry = tokensRetry(tokens + reservedTokens + prompt + minOut) end
      return answer(0, 'tokens', retry, count, 0, 0, 0)
    end
    if budgetTokens < minOut then
      local retry = 1000
      if budget - spent - promptCost < math.ceil(minOut * outP) then retry = tonumber(ARGV[5]) - now end
      return answer(0, 'budget', retry, count, 0, 0, 0)
    end
    local retry = 1000
    if teamBudget - teamSpent - promptCost < math.ceil(minOut * outP) then retry = teamEnds - now end
    return answer(0, 'team-budget', retry, count, 0, 0, 0)
  end
  rOut = out
  rTokens = prompt + out
  rCost = promptCost + math.ceil(out * outP)
end
if rpm > 0 and count >= rpm then
  return answer(0, 'requests', requestsReset - now, count, 0, 0, 0)
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], window)
if reserve then
  local lease = tonumber(ARGV[14])
  redis.call('HSET', KEYS[4], ARGV[8], string.format('%d %d %d', rTokens, rCost, now + lease))
  local ttl = redis.call('PTTL', KEYS[4])
  if ttl < lease + 1000 then redis.call('PEXPIRE', KEYS[4], lease + 1000) end
  if teamBudget >= 0 then
    redis.call('HSET', KEYS[6], ARGV[8], string.format('0 %d %d', rCost, now + lease))
    local teamTtl = redis.call('PTTL', KEYS[6])
    if teamTtl < lease + 1000 then redis.call('PEXPIRE', KEYS[6], lease + 1000) end
  end
end
if count == 0 then requestsReset = now + window end
return answer(1, '', 0, count + 1, rTokens, rCost, rOut)
`;

/**
 * record: KEYS = tokens hash, spend counter, reservations hash, team spend counter, team
 * reservations hash; ARGV = tokens, cost nano-USD, period end ms, window, reservation id ('' for
 * none), released as the real use is counted, the team's cost nano-USD (0: no team), the team's
 * period end ms, only if held (1/0: a retry that may repeat a settlement that landed counts
 * nothing when the reservation is no longer held). Spend counters expire a day after their period
 * ends; nothing is kept longer than it is read. Returns 1, or 0 when nothing was counted.
 */
export const RECORD_SCRIPT = `
local t = redis.call('TIME')
local second = tonumber(t[1])
local tokens = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
if ARGV[5] ~= '' then
  local held = redis.call('HDEL', KEYS[3], ARGV[5])
  redis.call('HDEL', KEYS[5], ARGV[5])
  if held == 0 and ARGV[8] == '1' then return 0 end
end
if tokens > 0 then
  redis.call('HINCRBY', KEYS[1], second, tokens)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + 1000)
end
if cost > 0 then
  redis.call('INCRBY', KEYS[2], cost)
  redis.call('PEXPIREAT', KEYS[2], tonumber(ARGV[3]) + 86400000)
end
local teamCost = tonumber(ARGV[6])
if teamCost > 0 then
  redis.call('INCRBY', KEYS[4], teamCost)
  redis.call('PEXPIREAT', KEYS[4], tonumber(ARGV[7]) + 86400000)
end
return 1
`;

/**
 * renew: KEYS = the key's reservations hash and, for calls under a team budget, the team's
 * reservations hash; ARGV = lease ms, then the ids of calls still in flight. Each one still held
 * in a hash (not settled, not expired) gets its lease's end moved to now + lease; the hash lives
 * at least as long. Returns how many holds were renewed.
 */
export const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local total = 0
for k = 1, #KEYS do
  local renewed = 0
  for i = 2, #ARGV do
    local entry = redis.call('HGET', KEYS[k], ARGV[i])
    if entry then
      local tk, cs, ex = string.match(entry, '(%d+) (%d+) (%d+)')
      if tonumber(ex) > now and tonumber(ex) < now + lease then
        redis.call('HSET', KEYS[k], ARGV[i], string.format('%s %s %d', tk, cs, now + lease))
        renewed = renewed + 1
      end
    end
  end
  if renewed > 0 then
    local ttl = redis.call('PTTL', KEYS[k])
    if ttl < lease + 1000 then redis.call('PEXPIRE', KEYS[k], lease + 1000) end
  end
  total = total + renewed
end
return total
`;

/** teamUsage: KEYS = team spend counter, team reservations hash. */
export const TEAM_USAGE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count, cost = 0, 0
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do
  local tk, cs, ex = string.match(held[i + 1], '(%d+) (%d+) (%d+)')
  if tonumber(ex) > now then
    count = count + 1
    cost = cost + tonumber(cs)
  end
end
return {redis.call('GET', KEYS[1]) or '0', count, tostring(cost)}
`;

/** usage: KEYS = requests zset, tokens hash, spend counter, reservations hash; ARGV = window ms. */
export const USAGE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = now - tonumber(ARGV[1])
local requests = redis.call('ZCOUNT', KEYS[1], '(' .. since, '+inf')
local tokens = 0
local flat = redis.call('HGETALL', KEYS[2])
for i = 1, #flat, 2 do
  if (tonumber(flat[i]) + 1) * 1000 > since then tokens = tokens + tonumber(flat[i + 1]) end
end
local count, rTokens, rCost = 0, 0, 0
local held = redis.call('HGETALL', KEYS[4])
for i = 1, #held, 2 do
  local tk, cs, ex = string.match(held[i + 1], '(%d+) (%d+) (%d+)')
  if tonumber(ex) > now then
    count = count + 1
    rTokens = rTokens + tonumber(tk)
    rCost = rCost + tonumber(cs)
  end
end
return {requests, tokens, redis.call('GET', KEYS[3]) or '0', count, rTokens, tostring(rCost)}
`;
