/* prefer-timestamptz: timestamp without time zone. It stores a wall-clock reading and no zone,
 * so the instant it means depends on whoever wrote it; timestamptz stores the instant (as UTC)
 * and converts to and from the session's TimeZone. Both take 8 bytes. */
#include "column-type.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_prefer_timestamptz = {
	.id = "prefer-timestamptz",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TYPES,
	.summary = "timestamp without time zone loses the instant the value means",
	.kinds = kinds,
	.visit = visit,
	.fix = "timestamptz (same precision) for a column CREATE TABLE or ADD COLUMN makes",
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct coltype ct;
	struct coltype_fixes *fixed = coltype_visit(ctx, node, &rule_prefer_timestamptz, &ct);
	if (!fixed)
		return;
	if (strcmp(ct.type.name, "timestamp"))
		return;
	/* keep the user's fractional-second precision and array dimensions */
	struct sql_type tz = ct.type;
	tz.name = "timestamptz";
	char buf[64];
	const char *suggested = lint_printf(ctx, "%s", sql_type_format(&tz, buf, sizeof(buf)));
	const char *help = lint_printf(
		ctx,
		"use %s: it stores the instant and shows it in each session's TimeZone, in the same "
		"8 bytes",
		coltype_rewrite(ctx, &ct, suggested));
	struct lint_fix *fix = coltype_fix(ctx, &ct, lint_printf(ctx, "make the new column %s", suggested), suggested);
	coltype_fix_remember(ctx, fixed, &ct, fix);
	lint_fix_attach(ctx, fix);
	lint_report(ctx, &rule_prefer_timestamptz, ct.node->location, help,
		    "%s is timestamp without time zone: it stores a wall-clock reading with no zone, so "
		    "servers and clients in different time zones read different instants from it",
		    coltype_subject(ctx, &ct));
}
