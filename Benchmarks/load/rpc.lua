-- wrk script of scripts/bench: POSTs a JSON-RPC body and prints one JSON summary line.
--   wrk ... -s rpc.lua URL -- BODY_FILE [IDS_FILE|-] [TOKEN|-]
-- BODY_FILE holds one request; "{N}" becomes a per-request counter (unique message ids) and
-- "{ID}" the next id of IDS_FILE (one per line, round-robin). TOKEN is sent as a Bearer token.
-- BENCH_CHECK=1 in the environment counts responses that carry a JSON-RPC error (costs wrk a little CPU per response).
local body_template, ids, counter, next_id = nil, {}, 0, 1
rpc_errors = 0 -- global: done() reads it from each thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function read_file(path)
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  local text = f:read("*a")
  f:close()
  return text
end

function init(args)
  body_template = read_file(args[1]):gsub("%s+$", "")
  if args[2] and args[2] ~= "-" then
    for line in io.lines(args[2]) do
      if #line > 0 then table.insert(ids, line) end
    end
    assert(#ids > 0, "no ids in " .. args[2])
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["A2A-Version"] = "1.0"
  if args[3] and args[3] ~= "-" then
    wrk.headers["Authorization"] = "Bearer " .. args[3]
  end
  counter = math.random(1, 1000000000) * 1000
end

function request()
  counter = counter + 1
  local body = body_template:gsub("{N}", tostring(counter))
  if #ids > 0 then
    body = body:gsub("{ID}", ids[next_id])
    next_id = next_id % #ids + 1
  end
  return wrk.format(nil, nil, nil, body)
end

if os.getenv("BENCH_CHECK") == "1" then
  function response(status, headers, body)
    if status == 200 and body and body:find('"error"', 1, true) then
      rpc_errors = rpc_errors + 1
    end
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do
    errs = errs + (tonumber(t:get("rpc_errors")) or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"bytes":%d,"errConnect":%d,"errRead":%d,"errWrite":%d,"errStatus":%d,"errTimeout":%d,"rpcErrors":%d,' ..
    '"latMeanUs":%.1f,"latMaxUs":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, errs,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
