/* rename-schema: ALTER SCHEMA ... RENAME TO on a schema that existed before this migration.
 * Every query of the running application version that names the schema, and every search_path
 * setting that lists it, stops finding its tables at once. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_RENAME_STMT,
						 PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT, LINT_KINDS_END };

const struct rule rule_rename_schema = {
	.id = "rename-schema",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "renaming a schema breaks every query and search_path that names it",
	.kinds = kinds,
	.visit = visit,
};

/* The schemas this migration created (nobody uses them yet), in the run's memory. */
struct created {
	struct lint_link link;
	const char *name;
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT) {
		if (!*node->create_schema_stmt->schemaname)
			return;
		struct created *c = lint_list_push(ctx, &rule_rename_schema, sizeof(*c));
		c->name = lint_keep(ctx, node->create_schema_stmt->schemaname);
		return;
	}
	const PgQuery__RenameStmt *rs = node->rename_stmt;
	if (rs->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA || !*rs->subname || !*rs->newname)
		return;
	for (const struct created *c = lint_list_head(ctx, &rule_rename_schema); c; c = c->link.next)
		if (!strcmp(c->name, rs->subname))
			return;
	const char *old = lint_ident(ctx, rs->subname), *new = lint_ident(ctx, rs->newname);
	lint_report(ctx, &rule_rename_schema, -1,
		    lint_printf(ctx,
				"leave the schema's name alone while any running version uses it: create %s, "
				"move the objects with ALTER ... SET SCHEMA %s behind views left in %s (each "
				"a compatibility step of its own), deploy the code that uses %s, then drop "
				"the old schema in a later migration",
				new, new, old, new),
		    "ALTER SCHEMA %s RENAME TO %s: the application version still running fails on every "
		    "query that names %s (and finds nothing through a search_path that lists it) until "
		    "the new version is deployed",
		    old, new, old);
}
