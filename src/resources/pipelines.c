/*
 * Sales pipelines and their ordered stages. Admins shape them; everyone
 * reads them. A stage that still holds deals can only go away together
 * with a move of those deals (DELETE ...?move_to=<stage>).
 */
#include "../http/api.h"
#include "resources.h"

static const char *const kinds[] = { "open", "won", "lost", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
};

static const struct param_spec stage_delete_params[] = {
	{ "move_to", PT_UUID, 0, 0, NULL },
};

#define STAGE_READ_ONLY                                                     \
	{ .name = "pipeline_id", .type = FT_UUID, .flags = F_READ_ONLY },   \
	    { .name = "deal_count", .type = FT_INT, .flags = F_READ_ONLY }, \
	    RECORD_READ_ONLY

/* A stage inside a new pipeline's body. */
static const struct field_spec new_stage_fields[] = {
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 100 },
	{ .name = "probability",
	    .type = FT_INT,
	    .flags = F_REQUIRED,
	    .min = 0,
	    .max = 100 },
	{ .name = "kind",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = kinds },
	{ .name = "rotting_days",
	    .type = FT_INT,
	    .flags = F_NULLABLE,
	    .min = 1,
	    .max = 3650 },
};

static const struct field_spec pipeline_create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 100 },
	{ .name = "stages",
	    .type = FT_OBJECT_ARRAY,
	    .max = 50,
	    .sub = new_stage_fields,
	    .nsub = API_NOPS(new_stage_fields) },
	RECORD_READ_ONLY,
};

static const struct field_spec pipeline_patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 100 },
	{ .name = "stages", .type = FT_STRING, .flags = F_READ_ONLY },
	RECORD_READ_ONLY,
};

static const struct field_spec stage_create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 100 },
	{ .name = "probability",
	    .type = FT_INT,
	    .flags = F_REQUIRED,
	    .min = 0,
	    .max = 100 },
	{ .name = "kind",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = kinds },
	{ .name = "rotting_days",
	    .type = FT_INT,
	    .flags = F_NULLABLE,
	    .min = 1,
	    .max = 3650 },
	{ .name = "position", .type = FT_INT, .min = 0, .max = 49 },
	STAGE_READ_ONLY,
};

static const struct field_spec stage_patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 100 },
	{ .name = "probability", .type = FT_INT, .min = 0, .max = 100 },
	{ .name = "kind", .type = FT_ENUM, .choices = kinds },
	{ .name = "rotting_days",
	    .type = FT_INT,
	    .flags = F_NULLABLE,
	    .min = 1,
	    .max = 3650 },
	{ .name = "position", .type = FT_INT, .flags = F_READ_ONLY },
	STAGE_READ_ONLY,
};

static const struct field_spec reorder_fields[] = {
	{ .name = "stage_ids",
	    .type = FT_STRING_ARRAY,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 50,
	    .item_max = 36 },
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("pipelines.list", list_params),
	API_OP_CREATE("pipelines.create", pipeline_create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("pipelines.get"),
	API_OP_PATCH("pipelines.update", pipeline_patch_fields),
	API_OP_DELETE("pipelines.delete"),
};

static struct api_op stages_ops[] = {
	API_OP_CREATE("stages.create", stage_create_fields),
};

static struct api_op stage_ops[] = {
	API_OP_PATCH("stages.update", stage_patch_fields),
	API_OP_DELETE("stages.delete", .params = stage_delete_params,
	    .nparams = API_NOPS(stage_delete_params)),
};

static struct api_op reorder_ops[] = {
	{ .method = HTTP_METHOD_POST,
	    .name = "stages.reorder",
	    .auth = 1,
	    .fields = reorder_fields,
	    .nfields = API_NOPS(reorder_fields),
	    .body_mode = BODY_CREATE },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/pipelines", collection_ops),
	ROUTE_OPS("/v1/pipelines/{id}", item_ops),
	ROUTE_OPS("/v1/pipelines/{pipeline_id}/stages", stages_ops),
	ROUTE_OPS("/v1/pipelines/{pipeline_id}/stages/{id}", stage_ops),
	ROUTE_OPS("/v1/pipelines/{pipeline_id}/reorder", reorder_ops),
};

ROUTE_RESOURCE(pipelines_resource, routes);
