-- GET /streamers/bench<k>/status, cycling over the seeded streamers.
-- Script argument: the number of seeded streamers (default 1000).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local reqs, n, i = {}, 0, 0

function init(args)
  n = tonumber(args[1] or "1000")
  -- Pre-format every request once; request() then costs a table lookup.
  for k = 0, n - 1 do
    reqs[k + 1] = wrk.format("GET", "/streamers/bench" .. k .. "/status")
  end
  i = (tid or 0) * 397 % n  -- threads start at different streamers
end

function request()
  i = i % n + 1
  return reqs[i]
end
