-- PATCH /v1/contacts/{id} with If-Match "1": every request a different,
-- never-updated contact, as its owner (threads take disjoint lines).
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/common.lua")
local users, ids, i

function init(args)
	users, ids = pairs_of("patch.txt", true)
	i = 0
end

function request()
	i = i + 1
	local k = (i - 1) % #ids + 1
	return wrk.format("PATCH", "/v1/contacts/" .. ids[k], {
		["Authorization"] = auth(users[k]),
		["Content-Type"] = "application/json",
		["If-Match"] = '"1"',
	}, string.format('{"lead_score":%d,"tags":["bench","patched"],"job_title":"مدیر فروش"}', i % 101))
end
