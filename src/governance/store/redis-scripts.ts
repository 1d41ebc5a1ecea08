/**
 * Lua run inside Redis, so each admission is one atomic step however many replicas call it.
 * The rules and their order are those of MemoryGovernanceStore. Time is Redis's own clock, so
 * replicas with skewed clocks still share one window.
 *
 * admit: KEYS = requests zset, tokens hash, spend counter;
 *        ARGV = window ms, requests/min (0: none), tokens/min (0: none), budget nano-USD (-1:
 *        none), period end ms, a unique member for this request.
 * Returns {admitted, reason, retryAfterMs, requests, tokens, spent (string), requestsResetMs,
 *          tokensResetMs}.
 */
export const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local budget = tonumber(ARGV[4])
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
local function answer(admitted, reason, retry, n)
  return {admitted, reason, retry, n, tokens, tostring(spent), requestsReset, tokensReset}
end
if budget >= 0 and spent >= budget then
  return answer(0, 'budget', tonumber(ARGV[5]) - now, count)
end
if tpm > 0 and tokens >= tpm then
  local left = tokens
  local retry = window
  for _, b in ipairs(buckets) do
    left = left - b[2]
    if left < tpm then
      retry = math.max(1, (b[1] + 1) * 1000 + window - now)
      break
    end
  end
  return answer(0, 'tokens', retry, count)
end
if rpm > 0 and count >= rpm then
  return answer(0, 'requests', requestsReset - now, count)
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], window)
if count == 0 then requestsReset = now + window end
return answer(1, '', 0, count + 1)
`;

/**
 * record: KEYS = tokens hash, spend counter; ARGV = tokens, cost nano-USD, period end ms, window.
 * The spend counter expires a day after its period ends; nothing is kept longer than it is read.
 */
export const RECORD_SCRIPT = `
local t = redis.call('TIME')
local second = tonumber(t[1])
local tokens = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
if tokens > 0 then
  redis.call('HINCRBY', KEYS[1], second, tokens)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + 1000)
end
if cost > 0 then
  redis.call('INCRBY', KEYS[2], cost)
  redis.call('PEXPIREAT', KEYS[2], tonumber(ARGV[3]) + 86400000)
end
return 1
`;

/** usage: KEYS = requests zset, tokens hash, spend counter; ARGV = window ms. */
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
return {requests, tokens, redis.call('GET', KEYS[3]) or '0'}
`;
