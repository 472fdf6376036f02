#include "sqlstate.h"
#include "unit.h"

static void
test_status(void)
{
	static const struct {
		const char *c;
		int s;
	} v[] = {
		{ "CR400", 400 },
		{ "CR401", 401 },
		{ "CR403", 403 },
		{ "CR404", 404 },
		{ "CR409", 409 },
		{ "CR412", 412 },
		{ "CR422", 422 },
		{ "CR429", 429 },
		{ "23505", 409 },
		{ "23503", 422 },
		{ "23514", 422 },
		{ "23502", 422 },
		{ "22P02", 422 },
		{ "22001", 422 },
		{ "22003", 422 },
		{ "22007", 422 },
		{ "22008", 422 },
		{ "40001", 503 },
		{ "40P01", 503 },
		{ "57P01", 503 },
		{ "57P02", 503 },
		{ "57P03", 503 },
		{ "53300", 503 },
		{ "08000", 503 },
		{ "08006", 503 },
		{ "08P01", 503 },
		{ "42P01", 500 },
		{ "XX000", 500 },
		{ "CR500", 500 },
		{ "CR4", 500 },
		{ "", 500 },
		{ "235050", 500 },
		{ "08", 500 },
		{ "P0001", 500 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_INT_EQ(sqlstate_status(v[i].c), v[i].s);
	CHECK_INT_EQ(sqlstate_status(NULL), 500);
}

static void
test_constraint(void)
{
	char f[64], tiny[4];

	CHECK_INT_EQ(constraint_field("users__email__uq", f, sizeof(f)), 0);
	CHECK_STR_EQ(f, "email");
	CHECK_INT_EQ(constraint_field("team_members__user_id__uq", f,
	                 sizeof(f)),
	    0);
	CHECK_STR_EQ(f, "user_id");
	CHECK_INT_EQ(constraint_field("deals__stage_id__fk", f, sizeof(f)), 0);
	CHECK_STR_EQ(f, "stage_id");
	CHECK_INT_EQ(constraint_field("deals__amount__ck", f, sizeof(f)), 0);
	CHECK_STR_EQ(f, "amount");

	CHECK(constraint_field("users_email_key", f, sizeof(f)) != 0);
	CHECK(constraint_field("users__email", f, sizeof(f)) != 0);
	CHECK(constraint_field("users__email__pk", f, sizeof(f)) != 0);
	CHECK(constraint_field("users____uq", f, sizeof(f)) != 0);
	CHECK(constraint_field("__email__uq", f, sizeof(f)) != 0);
	CHECK(constraint_field("a__b__c__uq", f, sizeof(f)) != 0);
	CHECK(constraint_field("", f, sizeof(f)) != 0);
	CHECK(constraint_field(NULL, f, sizeof(f)) != 0);
	CHECK(constraint_field("users__email__uq", tiny, sizeof(tiny)) != 0);
	CHECK_INT_EQ(constraint_field("users__abc__uq", tiny, sizeof(tiny)), 0);
	CHECK_STR_EQ(tiny, "abc");
}

int
main(void)
{
	test_status();
	test_constraint();
	return (UNIT_DONE());
}
