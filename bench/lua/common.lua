-- Shared by every scenario script: numbers the wrk threads and prints one
-- machine-readable result line that bench/run.sh parses.

threads = {}

-- Runs in wrk's main Lua state once per thread, before that thread's init().
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Per-thread counters some scripts fill in (webhook.lua); read back with thread:get.
extra_counters = extra_counters or {}

function done(summary, latency, requests)
  local e = summary.errors
  local line = string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d mean_us=%.1f "
      .. "max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    e.status, e.connect, e.read, e.write, e.timeout)
  for _, name in ipairs(extra_counters) do
    local total = 0
    for _, t in ipairs(threads) do total = total + (t:get(name) or 0) end
    line = line .. string.format(" %s=%d", name, total)
  end
  io.write(line, "\n")
end
