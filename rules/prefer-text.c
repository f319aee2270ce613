/* prefer-text: varchar(n). PostgreSQL stores varchar and text the same way; the length limit
 * is the only difference, and it lives in the column's type, where changing it takes ALTER
 * COLUMN ... TYPE under ACCESS EXCLUSIVE (and a full rewrite when it shrinks). A CHECK
 * constraint gives the same limit and can be replaced with NOT VALID + VALIDATE, which blocks
 * nobody. varchar without a length is text under another name, so it is not reported. */
#include <stdlib.h>

#include "column-type.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_prefer_text = {
	.id = "prefer-text",
	.severity = SEVERITY_INFO,
	.category = CATEGORY_TYPES,
	.summary = "varchar(n) instead of text with a CHECK constraint",
	.kinds = kinds,
	.visit = visit,
	.fix = "text with CHECK (char_length(col) <= n) for a column of a table the migration creates",
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct coltype ct;
	struct coltype_fixes *fixed = coltype_visit(ctx, node, &rule_prefer_text, &ct);
	if (!fixed)
		return;
	if (strcmp(ct.type.name, "varchar") || ct.type.nmods != 1)
		return;
	char buf[64];
	const char *written = sql_type_format(&ct.type, buf, sizeof(buf));
	const char *col = lint_ident(ctx, ct.column), *rel = lint_rel(ctx, ct.rel);
	const char *text = lint_printf(ctx, "text%s", coltype_array_suffix(&ct));
	const char *check = lint_printf(ctx, "CHECK (char_length(%s) <= %d)", col, ct.type.mods[0]);
	const char *help;
	if (ct.type.array_dims > 0)
		help = lint_printf(ctx, "use %s: it stores the same bytes, and a limit on the "
					"elements can be a CHECK constraint that changes without a lock",
				   coltype_rewrite(ctx, &ct, text));
	else if (ct.site == COLTYPE_CREATE)
		help = lint_printf(ctx, "use %s %s: the same limit, and a CHECK can later be replaced "
					"(ADD ... NOT VALID, then VALIDATE) without blocking reads or writes",
				   coltype_rewrite(ctx, &ct, "text"), check);
	else if (lint_table_is_new(ctx, ct.rel))
		help = lint_printf(ctx, "use %s, ADD %s: the same limit, and a CHECK can later be "
					"replaced without blocking reads or writes",
				   coltype_rewrite(ctx, &ct, "text"), check);
	else {
		/* a new CHECK on a live table is added NOT VALID, or it scans the table under lock */
		/* the name PostgreSQL would choose: free among the table's constraints */
		const struct schema_table *t = lint_table(ctx, ct.rel);
		char *chosen = t ? schema_choose_constraint_name(t->constraints, t->nconstraints,
								 ct.rel->relname, ct.column, "check")
				 : NULL;
		const char *name = lint_ident(
			ctx, chosen ? lint_printf(ctx, "%s", chosen)
				    : lint_printf(ctx, "%s_%s_check", ct.rel->relname, ct.column));
		free(chosen);
		help = lint_printf(ctx, "use %s, ADD CONSTRAINT %s %s NOT VALID; then ALTER TABLE %s "
					"VALIDATE CONSTRAINT %s: the same limit, and it can later change "
					"without blocking reads or writes",
				   coltype_rewrite(ctx, &ct, "text"), name, check, rel, name);
	}
	/* text with the same limit as a CHECK, where the CHECK checks no existing row: a table
	 * created here (an inline CHECK on a column added to a live table scans it) */
	if (ct.type.array_dims == 0 &&
	    (ct.site == COLTYPE_CREATE || (ct.site == COLTYPE_ADD && lint_table_is_new(ctx, ct.rel)))) {
		struct lint_fix *fix = coltype_fix(ctx, &ct, "make the new column text with a CHECK of its limit",
						   lint_printf(ctx, "text %s", check));
		coltype_fix_remember(ctx, fixed, &ct, fix);
		lint_fix_attach(ctx, fix);
	}
	lint_report(ctx, &rule_prefer_text, ct.node->location, help,
		    "%s is %s: raising or lowering its limit later means ALTER COLUMN ... TYPE under an "
		    "ACCESS EXCLUSIVE lock (lowering it rewrites the table), while text with a CHECK "
		    "stores the same and its limit changes without blocking",
		    coltype_subject(ctx, &ct), written);
}
