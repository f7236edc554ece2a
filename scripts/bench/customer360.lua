-- wrk: GET the customer 360 of a random customer from ids.txt, with the bearer token from $CRM_TOKEN.
local ids = {}
for line in io.lines(os.getenv("CRM_IDS") or "ids.txt") do ids[#ids + 1] = line end
local token = os.getenv("CRM_TOKEN")

request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/customers/" .. id, { ["Authorization"] = "Bearer " .. token })
end
