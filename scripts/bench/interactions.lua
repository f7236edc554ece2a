-- wrk: log an interaction on a random customer: one durable command (one event appended) per request.
-- Interaction ids are unique per run, thread and request, so every request is a new command.
package.path = "scripts/bench/?.lua;" .. package.path
local common = require("common")
local threads = 0
local counter = 0

setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"interactionId":"B%s-%d-%d","channel":"call","direction":"outbound","durationSeconds":60,"outcome":"reached"}',
    common.run, tid or 0, counter)
  return wrk.format("POST", "/v1/customers/" .. common.customer() .. "/interactions", common.headers(true), body)
end
