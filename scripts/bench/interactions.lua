-- wrk: log an interaction on a random customer: one durable command (one event appended) per request.
-- Interaction ids are unique per thread and request, so every request is a new command.
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
  counter = counter + 1
  local id = ids[math.random(#ids)]
  local body = string.format(
    '{"interactionId":"B%s-%d-%d","channel":"call","direction":"outbound","durationSeconds":60,"outcome":"reached"}',
    run, tid or 0, counter)
  return wrk.format("POST", "/v1/customers/" .. id .. "/interactions",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
