-- POST /webhooks/eventsub with pre-signed, never-repeated notifications.
-- Script argument: the pool prefix; thread <tid> reads "<prefix>-<tid>.req", written by
-- `benchtool.py gen` as records of an 8-digit length followed by the raw request.
-- Reading lazily keeps ~1 GB of pool out of LuaJIT's heap.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
extra_counters = { "sent", "success", "duplicate", "outdated", "other", "exhausted" }
dofile(dir .. "common.lua")

sent, success, duplicate, outdated, other, exhausted = 0, 0, 0, 0, 0, 0
local pool
-- wrk calls request() once on thread 0 before the run only to check that the request
-- parses, and never sends it. Taken from the pool, that request would be lost, and the
-- next one for its streamer would repeat the streamer's state ("duplicate").
local verified = true

function init(args)
  pool = assert(io.open(args[1] .. "-" .. tid .. ".req", "rb"))
  verified = (tid ~= 0)
end

function request()
  if not verified then
    verified = true
    return wrk.format("GET", "/health")
  end
  local len = pool:read(8)
  if not len then
    -- Out of requests: start over, which repeats message ids (answered "duplicate").
    -- Reported as a failure; raise the pool size (--webhook-rate) if it happens.
    exhausted = exhausted + 1
    pool:seek("set", 0)
    len = pool:read(8)
  end
  sent = sent + 1
  return pool:read(tonumber(len))
end

-- Every answer is classified, so "2xx but not applied" cannot pass unnoticed.
function response(status, headers, body)
  if status == 200 and body == '{"status":"success"}' then
    success = success + 1
  elseif body and body:find('"duplicate"', 1, true) then
    duplicate = duplicate + 1
  elseif body and body:find('"outdated"', 1, true) then
    outdated = outdated + 1
  else
    other = other + 1
  end
end
