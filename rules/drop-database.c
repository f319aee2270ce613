/* drop-database: DROP DATABASE. A migration runs inside one database and is applied to every
 * environment; dropping a whole database belongs to a person with a backup, not to a script. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_DROPDB_STMT, LINT_KINDS_END };

const struct rule rule_drop_database = {
	.id = "drop-database",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "DROP DATABASE in a migration",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__DropdbStmt *ds = node->dropdb_stmt;
	int force = 0;
	for (size_t i = 0; i < ds->n_options; i++) {
		const PgQuery__Node *o = ds->options[i];
		if (o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && !strcmp(o->def_elem->defname, "force"))
			force = 1;
	}
	const char *db = lint_ident(ctx, ds->dbname);
	lint_report(ctx, &rule_drop_database, -1,
		    lint_printf(ctx,
				"drop databases by hand after taking a backup (pg_dump %s), not from a "
				"migration that runs in every environment",
				db),
		    "DROP DATABASE %s deletes the whole database with every table and row in it%s",
		    db,
		    force ? "; WITH (FORCE) also terminates every session connected to it"
			  : ", and fails while any session is connected to it");
}
