-- wrk: GET the customer 360 of a random customer.
package.path = "scripts/bench/?.lua;" .. package.path
local common = require("common")

request = function()
  return wrk.format("GET", "/v1/customers/" .. common.customer(), common.headers(false))
end
