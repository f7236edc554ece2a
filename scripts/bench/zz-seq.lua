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
  local half = math.floor(#common.ids / 2)
  local idx = ((tid or 1) - 1) * half + (counter % half) + 1
  local body = string.format(
    '{"interactionId":"B%s-%d-%d","channel":"call","direction":"outbound","durationSeconds":60,"outcome":"reached"}',
    common.run, tid or 0, counter)
  return wrk.format("POST", "/v1/customers/" .. common.ids[idx] .. "/interactions", common.headers(true), body)
end
