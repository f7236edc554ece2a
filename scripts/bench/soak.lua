-- wrk: the soak drill's mixed load (scripts/drills/soak.sh) at a FIXED RATE.
--
-- wrk has no rate option, so each wrk thread paces itself: `delay()` hands every request the next
-- free slot of a fixed schedule (one slot every SOAK_THREADS * 1000 / SOAK_RATE ms per thread, from
-- a monotonic clock through LuaJIT's FFI). A connection that is free waits for its slot; when every
-- connection is busy the slot is taken late and the schedule restarts from now (no catch-up burst),
-- so the achieved rate is at most SOAK_RATE and the drill reports the rate it really reached. wrk
-- measures latency from the moment a request is written, so the pacing delay is not in it.
--
-- The mix, per request: 40% customer 360, 10% customer list (a random filter and sort), 10%
-- pipeline board, 5% service queue, 5% follow-ups, 24% interaction commands (durable appends; every
-- other one with an Idempotency-Key, a tenth of those sent twice to exercise the stored answer), 6%
-- tag/untag commands (the same few tags, so tag sets stay bounded).
--
-- Environment: CRM_IDS, CRM_TOKEN, CRM_RUN (common.lua), SOAK_RATE (requests/s in all), SOAK_THREADS
-- (wrk -t), SOAK_WINDOW (a number unique per wrk run: part of every command id).
-- At the end `done` prints one JSON line starting with "SOAK-WINDOW " (counts by status class,
-- wrk's error counts, latency percentiles in microseconds).
package.path = "scripts/bench/?.lua;" .. package.path
local common = require("common")
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock, soak_timespec *tp);
]]
local clock = ffi.new("soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("SOAK_RATE") or "150")
local wrk_threads = tonumber(os.getenv("SOAK_THREADS") or "2")
local window = os.getenv("SOAK_WINDOW") or "0"
local interval = wrk_threads * 1000 / rate
local threads = {}
local counter = 0
local next_slot = 0
local pending_repeat = nil
-- Per thread (read by `done` through thread:get): answers by status class.
c2xx, c3xx, c4xx, c5xx, other = 0, 0, 0, 0, 0

setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

init = function()
  math.randomseed(tonumber(window) * 100 + (tid or 0))
end

delay = function()
  local now = now_ms()
  if next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return wait
end

local segments = { "consumer", "smb", "mid-market", "key-account" }
local regions = { "north", "south", "west" }
local sorts = { "name", "registeredAt" }
local tags = { "soak-a", "soak-b", "soak-c" }

local function interaction(id)
  counter = counter + 1
  local ident = string.format("S%s-%s-%d-%d", common.run, window, tid or 0, counter)
  local body = string.format(
    '{"interactionId":"%s","channel":"call","direction":"outbound","durationSeconds":60,"outcome":"reached"}', ident)
  local headers = common.headers(true)
  if counter % 2 == 0 then headers["Idempotency-Key"] = "soak-" .. ident end
  local request = wrk.format("POST", "/v1/customers/" .. id .. "/interactions", headers, body)
  if counter % 20 == 0 then pending_repeat = request end
  return request
end

request = function()
  if pending_repeat then
    -- The same command with the same Idempotency-Key again: answered from the stored first answer.
    local again = pending_repeat
    pending_repeat = nil
    return again
  end
  local id = common.customer()
  local roll = math.random(100)
  if roll <= 40 then
    return wrk.format("GET", "/v1/customers/" .. id, common.headers(false))
  elseif roll <= 50 then
    local path = string.format("/v1/customers?limit=50&sort=%s", sorts[math.random(#sorts)])
    local filter = math.random(3)
    if filter == 1 then path = path .. "&segment=" .. segments[math.random(#segments)] end
    if filter == 2 then path = path .. "&region=" .. regions[math.random(#regions)] end
    return wrk.format("GET", path, common.headers(false))
  elseif roll <= 60 then
    return wrk.format("GET", "/v1/pipeline", common.headers(false))
  elseif roll <= 65 then
    return wrk.format("GET", "/v1/service/queue?limit=50", common.headers(false))
  elseif roll <= 70 then
    return wrk.format("GET", "/v1/follow-ups", common.headers(false))
  elseif roll <= 94 then
    return interaction(id)
  end
  local body = string.format('{"tag":"%s","tagged":%s}', tags[math.random(#tags)], math.random(2) == 1 and "true" or "false")
  return wrk.format("POST", "/v1/customers/" .. id .. "/tags", common.headers(true), body)
end

response = function(status, headers, body)
  if status >= 500 then c5xx = c5xx + 1
  elseif status >= 400 then c4xx = c4xx + 1
  elseif status >= 300 then c3xx = c3xx + 1
  elseif status >= 200 then c2xx = c2xx + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local counts = { c2xx = 0, c3xx = 0, c4xx = 0, c5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do counts[name] = counts[name] + (thread:get(name) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'SOAK-WINDOW {"requests":%d,"durationUs":%d,"s2xx":%d,"s3xx":%d,"s4xx":%d,"s5xx":%d,"sOther":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, counts.c2xx, counts.c3xx, counts.c4xx, counts.c5xx, counts.other,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
