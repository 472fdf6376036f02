-- GET /v1/contacts?limit=50: reps listing their own contacts. With
-- BENCH_INPUT=deep.txt each line carries a cursor for a deep page.
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/common.lua")
local users, cursors, i

function init(args)
	users, cursors = pairs_of(os.getenv("BENCH_INPUT") or "list.txt", false)
	i = tid
end

function request()
	i = i % #users + 1
	local path = "/v1/contacts?limit=50"
	if cursors[i] ~= "-" then path = path .. "&cursor=" .. cursors[i] end
	return wrk.format("GET", path, { ["Authorization"] = auth(users[i]) })
end
