-- wrk script for bench/events: POSTs `entered` facts; every session is posted twice in a row, so half
-- the requests are new facts and half are duplicates. A system token acts for any session and names
-- the lead in the body. TOKEN comes from the environment.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  token = os.getenv("TOKEN")
end
function request()
  counter = counter + 1
  local sid = "t" .. tid .. "s" .. math.floor((counter + 1) / 2)
  local body = '{"type":"entered","lead_id":"L' .. sid .. '"}'
  return wrk.format("POST", "/v1/webinars/bench-ev/sessions/" .. sid .. "/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
