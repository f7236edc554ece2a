-- wrk: 80% customer 360 reads, 20% interaction commands, on random customers.
local ids = {}
for line in io.lines(os.getenv("CRM_IDS") or "ids.txt") do ids[#ids + 1] = line end
local token = os.getenv("CRM_TOKEN")
local threadIndex = 0
local counter = 0
local run = os.getenv("CRM_RUN") or tostring(os.time())

setup = function(thread)
  threadIndex = threadIndex + 1
  thread:set("tid", threadIndex)
end

request = function()
  local id = ids[math.random(#ids)]
  if math.random(5) > 1 then
    return wrk.format("GET", "/v1/customers/" .. id, { ["Authorization"] = "Bearer " .. token })
  end
  counter = counter + 1
  local body = string.format(
    '{"interactionId":"M%s-%d-%d","channel":"email","direction":"inbound","outcome":"answered"}',
    run, tid or 0, counter)
  return wrk.format("POST", "/v1/customers/" .. id .. "/interactions",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
