/* prefer-jsonb: json. json keeps the text as written and parses it on every use; jsonb stores
 * it parsed, has equality (DISTINCT, GROUP BY, UNIQUE) and GIN indexing. json is right only
 * when the exact text (key order, duplicate keys, whitespace) must come back as written. */
#include "column-type.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_prefer_jsonb = {
	.id = "prefer-jsonb",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TYPES,
	.summary = "json instead of jsonb",
	.kinds = kinds,
	.visit = visit,
	.fix = "jsonb for a column without a DEFAULT that CREATE TABLE or ADD COLUMN makes",
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct coltype ct;
	struct coltype_fixes *fixed = coltype_visit(ctx, node, &rule_prefer_jsonb, &ct);
	if (!fixed)
		return;
	if (strcmp(ct.type.name, "json"))
		return;
	const char *jsonb = lint_printf(ctx, "jsonb%s", coltype_array_suffix(&ct));
	/* not with a DEFAULT: its expression would then be cast to jsonb */
	if (!coltype_has_default(node->column_def)) {
		struct lint_fix *fix = coltype_fix(ctx, &ct, "make the new column jsonb", jsonb);
		coltype_fix_remember(ctx, fixed, &ct, fix);
		lint_fix_attach(ctx, fix);
	}
	lint_report(ctx, &rule_prefer_jsonb, ct.node->location,
		    lint_printf(ctx,
				"use %s, unless the exact text (key order, duplicate keys, whitespace) "
				"must come back as it was written",
				coltype_rewrite(ctx, &ct, jsonb)),
		    "%s is json: it is stored as text and parsed again on every use, has no equality "
		    "operator (no DISTINCT, GROUP BY or UNIQUE on it) and no GIN index",
		    coltype_subject(ctx, &ct));
}
