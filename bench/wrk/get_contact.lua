-- GET /v1/contacts/{id}: a different contact each request, as its owner.
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/common.lua")
local users, ids, i

function init(args)
	users, ids = pairs_of("get.txt", true)
	i = 0
end

function request()
	i = i % #ids + 1
	return wrk.format("GET", "/v1/contacts/" .. ids[i], { ["Authorization"] = auth(users[i]) })
end
