/* unsupported-syntax: syntax the PostgreSQL 17 grammar parses that the target server is too
 * old for (MERGE ... RETURNING on 16, JSON_OBJECT() on 15). The server rejects the statement,
 * so the migration fails there; without this rule, --pg-version below the grammar's release
 * would let such statements through. The features and their versions are data:
 * src/effects/syntax.c. */
#include "effects/syntax.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

const struct rule rule_unsupported_syntax = {
	.id = "unsupported-syntax",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "syntax newer than the target PostgreSQL version: the server rejects the statement",
	.kinds = syntax_feature_kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	int target = lint_pg_version(ctx);
	const struct syntax_feature *f = syntax_feature_unsupported(node, target);
	if (!f)
		return;
	lint_report(ctx, &rule_unsupported_syntax, sql_node_location(node),
		    lint_printf(ctx,
				"PostgreSQL %d rejects this statement, so the migration fails here: write it "
				"without %s, or, if every server these migrations run on is PostgreSQL %d or "
				"newer, say so with --pg-version %d (pg-version: %d in .pgsieve.yml)",
				target, f->name, f->since, f->since, f->since),
		    "%s needs PostgreSQL %d; the migrations target %d", f->name, f->since, target);
}
