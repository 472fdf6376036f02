-- Shared by the bench scripts (loaded with dofile): per-thread input lines,
-- bearer tokens, non-2xx counting in response() and one RESULT line.
-- Environment: BENCH_DATA (input files), BENCH_THREADS (wrk -t).
local threads = {}
local data = os.getenv("BENCH_DATA")

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads)
end

-- Lines of a file (this thread's share when split: line i goes to thread
-- i mod BENCH_THREADS, so no two threads ever send the same line).
function lines(name, split)
	local out, i, n = {}, 0, tonumber(os.getenv("BENCH_THREADS") or "1")
	for line in io.lines(data .. "/" .. name) do
		if not split or i % n == tid - 1 then
			out[#out + 1] = line
		end
		i = i + 1
	end
	assert(#out > 0, name .. ": no input lines")
	return out
end

-- "<user n> <value>" lines into two arrays.
function pairs_of(name, split)
	local users, values = {}, {}
	for _, line in ipairs(lines(name, split)) do
		local u, v = line:match("^(%d+) (.*)$")
		users[#users + 1] = tonumber(u)
		values[#values + 1] = v
	end
	return users, values
end

tokens = nil
function auth(user)
	if tokens == nil then tokens = lines("tokens.txt", false) end
	return "Bearer " .. tokens[user]
end

bad, first_bad = 0, 0
function response(status, headers, body)
	if status < 200 or status > 299 then
		bad = bad + 1
		if first_bad == 0 then first_bad = status end
	end
end

function done(summary, latency, requests)
	local nbad, sample = 0, 0
	for _, t in ipairs(threads) do
		nbad = nbad + t:get("bad")
		if sample == 0 then sample = t:get("first_bad") end
	end
	local e = summary.errors
	io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d first_bad=%d socket_errors=%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, nbad, sample,
		e.connect + e.read + e.write + e.timeout))
end
