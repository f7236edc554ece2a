-- Shared by the wrk scripts: the customer ids (one per line, from $CRM_IDS) and the bearer token.
local M = {}
M.ids = {}
for line in io.lines(os.getenv("CRM_IDS") or "ids.txt") do M.ids[#M.ids + 1] = line end
M.token = os.getenv("CRM_TOKEN")
M.run = os.getenv("CRM_RUN") or tostring(os.time())

-- A random customer id.
function M.customer() return M.ids[math.random(#M.ids)] end

-- Headers of an authenticated request (with a JSON body when `json`).
function M.headers(json)
  local headers = { ["Authorization"] = "Bearer " .. M.token }
  if json then headers["Content-Type"] = "application/json" end
  return headers
end

return M
