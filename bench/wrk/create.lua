-- POST /v1/contacts as a rep, each with its own Idempotency-Key and a phone
-- number no other contact has (BENCH_POST_PREFIX: an unused mobile prefix).
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/common.lua")
local reps, n
local pfx = os.getenv("BENCH_POST_PREFIX")
local run = os.getenv("BENCH_RUN_ID")
local names = { "سارا", "Omar", "مريم", "Peter", "کاوه", "ليلى" }

function init(args)
	reps = lines("reps.txt", false)
	n = 0
end

function request()
	n = n + 1
	local num = string.format("%d%06d", tid, n)
	local body = string.format('{"first_name":"%s","last_name":"بنچ %s","phones":[{"label":"mobile","number":"+98 %s %s"}],'
		.. '"emails":[{"address":"post%s%s@bench.example"}],"city":"تهران","tags":["bench"],"lifecycle_stage":"lead"}',
		names[n % #names + 1], num, pfx, num, pfx, num)
	return wrk.format("POST", "/v1/contacts", {
		["Authorization"] = auth(tonumber(reps[(n + tid) % #reps + 1])),
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = "bench-" .. run .. "-" .. num,
	}, body)
end
