-- A GET with one query parameter from "<user n> <url-encoded value>" lines:
-- BENCH_INPUT=search.txt (contacts?q=) or lookup.txt (lookup/phone?number=).
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/common.lua")
local users, values, i
local prefix = os.getenv("BENCH_PREFIX")

function init(args)
	users, values = pairs_of(os.getenv("BENCH_INPUT"), true)
	i = 0
end

function request()
	i = i % #values + 1
	return wrk.format("GET", prefix .. values[i], { ["Authorization"] = auth(users[i]) })
end
