/* drop-schema: DROP SCHEMA of a schema this migration did not create. With CASCADE it deletes
 * every object in the schema, tables and their rows included; without it, it fails unless the
 * schema is empty, but code that names the schema still breaks. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	LINT_KINDS_END,
};

const struct rule rule_drop_schema = {
	.id = "drop-schema",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "DROP SCHEMA drops every object in it",
	.kinds = kinds,
	.visit = visit,
};

/* The schemas created earlier in this migration: dropping one of them loses nothing. The model
 * does not track schemas, so the rule keeps its own list. */
struct new_schema {
	struct lint_link link;
	const char *name;
};

static int created_here(struct lint_ctx *ctx, const char *name)
{
	for (const struct new_schema *s = lint_list_head(ctx, &rule_drop_schema); s; s = s->link.next)
		if (!strcmp(s->name, name))
			return 1;
	return 0;
}

static void remember(struct lint_ctx *ctx, const char *name)
{
	struct new_schema *s = lint_list_push(ctx, &rule_drop_schema, sizeof(*s));
	s->name = lint_keep(ctx, name);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT) {
		const PgQuery__CreateSchemaStmt *cs = node->create_schema_stmt;
		/* IF NOT EXISTS may find the schema already there, with objects in it */
		if (*cs->schemaname && !cs->if_not_exists)
			remember(ctx, cs->schemaname);
		return;
	}
	const PgQuery__DropStmt *ds = node->drop_stmt;
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA)
		return;
	struct lint_names dropped = { 0 };
	for (size_t i = 0; i < ds->n_objects; i++) {
		const char *name = sql_node_str(ds->objects[i]);
		if (name && !created_here(ctx, name))
			lint_names_add(ctx, &dropped, lint_ident(ctx, name));
	}
	size_t n = dropped.n;
	const char *names = dropped.list;
	if (!n)
		return;
	const char *them = n > 1 ? "them" : "it";
	if (ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) {
		lint_report(ctx, &rule_drop_schema, -1,
			    lint_printf(ctx,
					"drop the objects in %s by name, each after the application version "
					"that used it is gone (DROP TABLE ..., DROP FUNCTION ..., DROP TYPE "
					"...), then DROP SCHEMA %s without CASCADE: it fails instead of "
					"deleting whatever was left behind",
					names, names),
			    "DROP SCHEMA %s CASCADE deletes every table (with its rows), view, function, "
			    "sequence and type in %s, and whatever in other schemas depends on them, "
			    "taking an ACCESS EXCLUSIVE lock on each table it drops: nothing lists what is lost",
			    names, them);
	} else {
		lint_report(ctx, &rule_drop_schema, -1,
			    lint_printf(ctx,
					"deploy the application version that no longer names %s first, then "
					"drop %s in a later migration",
					names, them),
			    "DROP SCHEMA %s fails unless %s empty, and the application version still "
			    "running fails on every query and search_path that names %s",
			    names, n > 1 ? "they are" : "it is", them);
	}
}
