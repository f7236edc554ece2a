-- wrk: GET /health (no token, no store): the server's floor, to compare the other scripts with.
request = function()
  return wrk.format("GET", "/health")
end
