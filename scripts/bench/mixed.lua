-- wrk: 80% customer 360 reads, 20% interaction commands, on random customers.
package.path = "scripts/bench/?.lua;" .. package.path
local common = require("common")
local threads = 0
local counter = 0

setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

request = function()
  local id = common.customer()
  if math.random(5) > 1 then
    return wrk.format("GET", "/v1/customers/" .. id, common.headers(false))
  end
  counter = counter + 1
  local body = string.format('{"interactionId":"M%s-%d-%d","channel":"email","direction":"inbound","outcome":"answered"}',
    common.run, tid or 0, counter)
  return wrk.format("POST", "/v1/customers/" .. id .. "/interactions", common.headers(true), body)
end
