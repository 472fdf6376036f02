#include "path.h"
#include "unit.h"

#define ID  "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9f"
#define UID "0191F3A2-7C4E-7D2A-9B1E-3F5A6C7D8E9F"

static void
test_literal(void)
{
	struct path_args a;

	CHECK_INT_EQ(path_match("/v1/contacts", "/v1/contacts", &a),
	    PATH_MATCH);
	CHECK_INT_EQ(a.n, 0);
	CHECK_INT_EQ(path_match("/healthz", "/healthz", NULL), PATH_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts", "/v1/contacts/", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts", "/v1/contact", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts", "/v1/contactsx", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/me", "/v1/me/password", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/", "/", &a), PATH_MATCH);
	CHECK_INT_EQ(path_match("/", "", &a), PATH_NO_MATCH);
	CHECK_INT_EQ(path_match(NULL, "/", &a), PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/", NULL, &a), PATH_NO_MATCH);
}

static void
test_template(void)
{
	struct path_args a;

	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts/" ID, &a),
	    PATH_MATCH);
	CHECK_INT_EQ(a.n, 1);
	CHECK_STR_EQ(a.arg[0].name, "id");
	CHECK_STR_EQ(a.arg[0].value, ID);

	/* Upper-case hex is lower-cased, as the database stores it. */
	CHECK_INT_EQ(path_match("/v1/contacts/{id}/timeline",
	                 "/v1/contacts/" UID "/timeline", &a),
	    PATH_MATCH);
	CHECK_STR_EQ(a.arg[0].value, ID);

	CHECK_INT_EQ(path_match("/v1/teams/{team_id}/members/{user_id}",
	                 "/v1/teams/" ID "/members/" UID, &a),
	    PATH_MATCH);
	CHECK_INT_EQ(a.n, 2);
	CHECK_STR_EQ(a.arg[0].name, "team_id");
	CHECK_STR_EQ(a.arg[1].name, "user_id");
	CHECK_STR_EQ(a.arg[1].value, ID);
}

/* The route's shape with a bad id is still that route's (its 404). */
static void
test_bad_arg(void)
{
	struct path_args a;

	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts/x", &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/v1/reminders/{id}/ack",
	                 "/v1/reminders/not-a-uuid/ack", NULL),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}",
	                 "/v1/contacts/0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9",
	                 &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}",
	                 "/v1/contacts/0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9fa",
	                 &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}",
	                 "/v1/contacts/0191f3a2_7c4e-7d2a-9b1e-3f5a6c7d8e9f",
	                 &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}",
	                 "/v1/contacts/0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9g",
	                 &a),
	    PATH_BAD_ARG);
	/* An empty segment or one more is another path. */
	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts/", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts//", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts/" ID "/",
	                 &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}", "/v1/contacts/a/b", &a),
	    PATH_NO_MATCH);
	CHECK_INT_EQ(path_match("/v1/contacts/{id}/history",
	                 "/v1/contacts/" ID "/timeline", &a),
	    PATH_NO_MATCH);
}

static void
test_limits(void)
{
	struct path_args a;

	/* "{}" is a literal segment, not a name. */
	CHECK_INT_EQ(path_match("/a/{}", "/a/{}", &a), PATH_MATCH);
	CHECK_INT_EQ(path_match("/a/{}", "/a/" ID, &a), PATH_NO_MATCH);
	/* A name of 31 characters fits; 32 do not. */
	CHECK_INT_EQ(path_match("/a/{abcdefghijklmnopqrstuvwxyz01234}",
	                 "/a/" ID, &a),
	    PATH_MATCH);
	CHECK_INT_EQ(path_match("/a/{abcdefghijklmnopqrstuvwxyz012345}",
	                 "/a/" ID, &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/{a}/{b}/{c}/{d}", "/" ID "/" ID "/" ID "/" ID,
	                 &a),
	    PATH_MATCH);
	CHECK_INT_EQ(a.n, 4);
	CHECK_INT_EQ(path_match("/{a}/{b}/{c}/{d}/{e}",
	                 "/" ID "/" ID "/" ID "/" ID "/" ID, &a),
	    PATH_BAD_ARG);
	CHECK_INT_EQ(path_match("/{a}/{b}/{c}/{d}/{e}",
	                 "/" ID "/" ID "/" ID "/" ID "/" ID, NULL),
	    PATH_BAD_ARG);
}

static void
test_is_template(void)
{
	CHECK_INT_EQ(path_is_template("/v1/contacts"), 0);
	CHECK_INT_EQ(path_is_template("/v1/contacts/{id}"), 1);
	CHECK_INT_EQ(path_is_template("/v1/teams/{id}/members"), 1);
	CHECK_INT_EQ(path_is_template("/v1/{}"), 0);
	CHECK_INT_EQ(path_is_template("/v1/x{id}"), 0);
	CHECK_INT_EQ(path_is_template(""), 0);
	CHECK_INT_EQ(path_is_template(NULL), 0);
}

int
main(void)
{
	test_literal();
	test_template();
	test_bad_arg();
	test_limits();
	test_is_template();
	return (UNIT_DONE());
}
