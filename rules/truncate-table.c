/* truncate-table: TRUNCATE of tables that existed before this migration. It empties them under
 * ACCESS EXCLUSIVE, and with CASCADE it also empties every table with a foreign key to them. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_TRUNCATE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_truncate_table = {
	.id = "truncate-table",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__TruncateStmt *ts = node->truncate_stmt;
	struct lint_names emptied = { 0 };
	for (size_t i = 0; i < ts->n_relations; i++) {
		const PgQuery__Node *r = ts->relations[i];
		if (r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && !lint_table_is_new(ctx, r->range_var))
			lint_names_add(ctx, &emptied, lint_rel(ctx, r->range_var));
	}
	size_t n = emptied.n;
	const char *names = emptied.list, *first = emptied.first;
	if (!n)
		return;
	/* The model knows no foreign keys yet, so the tables CASCADE reaches cannot be named. */
	int cascade = ts->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	const char *help = lint_printf(
		ctx,
		"if the rows must go while the application runs, delete them in batches, which takes "
		"only ROW EXCLUSIVE so reads and writes go on: DELETE FROM %s WHERE ctid = ANY (ARRAY("
		"SELECT ctid FROM %s LIMIT 10000)); repeated until it deletes nothing%s%s",
		first, first, n > 1 ? ", for each table" : "",
		cascade ? "; list every table to empty by name instead of CASCADE" : "");
	lint_report(ctx, &rule_truncate_table, -1, help,
		    "TRUNCATE %s takes an ACCESS EXCLUSIVE lock and deletes every row: reads and writes "
		    "wait for the lock, and the rows cannot be recovered once it commits%s%s%s",
		    names, cascade ? "; CASCADE also empties every table with a foreign key to " : "",
		    cascade ? (n > 1 ? "them" : first) : "",
		    cascade ? ", and every table referencing those (pgsieve cannot list them "
			      "without the database's schema)"
			    : "");
}
