/*
 * Teams and their members. A manager sees the records of the members of
 * the teams they belong to, so membership is what visibility is built on.
 * Everyone reads; only admins write.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const team_sorts[] = { "name", "created_at", NULL };
static const char *const team_list_fields[] = { "id", "name", "description",
	"member_count", "created_at", "updated_at", "version", NULL };
static const char *const team_fields[] = { "id", "name", "description",
	"member_count", "created_at", "updated_at", "version", "members",
	NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	LIST_SORT_FIELDS(team_sorts, team_list_fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, team_fields },
};

#define TEAM_READ_ONLY                                               \
	{ "member_count", FT_INT, F_READ_ONLY, 0, 0, NULL },         \
	    { "members", FT_STRING, F_READ_ONLY, 0, 0, NULL },       \
	    { "org_id", FT_UUID, F_READ_ONLY, 0, 0, NULL },          \
	    { "version", FT_INT, F_READ_ONLY, 0, 0, NULL },          \
	    { "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL }, \
	{                                                            \
		"updated_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL  \
	}

static const struct field_spec create_fields[] = {
	{ "id", FT_UUID, 0, 0, 0, NULL },
	{ "name", FT_STRING, F_REQUIRED, 1, 120, NULL },
	{ "description", FT_STRING, F_NULLABLE, 0, 2000, NULL },
	TEAM_READ_ONLY,
};

static const struct field_spec patch_fields[] = {
	{ "id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "name", FT_STRING, 0, 1, 120, NULL },
	{ "description", FT_STRING, F_NULLABLE, 0, 2000, NULL },
	TEAM_READ_ONLY,
};

static const struct field_spec member_fields[] = {
	{ "user_id", FT_UUID, F_REQUIRED, 0, 0, NULL },
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("teams.list", list_params),
	API_OP_CREATE("teams.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("teams.get", get_params),
	API_OP_PATCH("teams.update", patch_fields),
	API_OP_DELETE("teams.delete"),
};

static struct api_op members_ops[] = {
	API_OP_GET("team_members.list"),
	API_OP_CREATE("team_members.add", member_fields),
};

static struct api_op member_ops[] = {
	{ .method = HTTP_METHOD_DELETE,
	    .name = "team_members.remove",
	    .auth = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/teams", collection_ops),
	ROUTE_OPS("/v1/teams/{id}", item_ops),
	ROUTE_OPS("/v1/teams/{team_id}/members", members_ops),
	ROUTE_OPS("/v1/teams/{team_id}/members/{user_id}", member_ops),
};

ROUTE_RESOURCE(teams_resource, routes);
