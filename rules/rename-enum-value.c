/* rename-enum-value: ALTER TYPE ... RENAME VALUE on a label of an enum that existed before this
 * migration. The stored rows read the new label at once (an enum value is an OID; its label is
 * only the catalog's name for it), so the application version still running misreads them, and
 * each of its writes of the old label fails with 'invalid input value for enum' (both seen on a
 * PostgreSQL 15 server). The family of rename-column: the label is part of the interface.
 *
 * Enums created in this migration, and labels it added, are known to no running code: the rule
 * remembers CREATE TYPE ... AS ENUM and ADD VALUE of the migration (per migration part). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_CREATE_ENUM_STMT,
						 PG_QUERY__NODE__NODE_ALTER_ENUM_STMT, LINT_KINDS_END };

const struct rule rule_rename_enum_value = {
	.id = "rename-enum-value",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "renaming an enum label breaks the application version still running",
	.kinds = kinds,
	.visit = visit,
};

/* A type created, or a label added, by this migration ("" label: the whole type). */
struct fresh_label {
	struct lint_link link;
	const char *type, *label;
};

/* The type's name as written, dotted: the key of what this migration made ("app.Mood"), or,
 * quoted, for messages ("app"."Mood"). */
static const char *type_name(struct lint_ctx *ctx, PgQuery__Node *const *names, size_t n, int quoted)
{
	const char *out = "";
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(names[i]);
		s = s ? s : "";
		out = lint_printf(ctx, "%s%s%s", out, i ? "." : "", quoted ? lint_ident(ctx, s) : s);
	}
	return out;
}

static void remember(struct lint_ctx *ctx, const char *type, const char *label)
{
	struct fresh_label *f = lint_list_push(ctx, &rule_rename_enum_value, sizeof(*f));
	f->type = type;
	f->label = lint_keep(ctx, label);
}

static int is_fresh(struct lint_ctx *ctx, const char *type, const char *label)
{
	for (const struct fresh_label *f = lint_list_head(ctx, &rule_rename_enum_value); f; f = f->link.next)
		if (!strcmp(f->type, type) && (!*f->label || !strcmp(f->label, label)))
			return 1;
	return 0;
}

/* 'label' as an SQL string literal. */
static const char *literal(struct lint_ctx *ctx, const char *s)
{
	const char *out = "'";
	for (const char *p = s; *p; p++)
		out = lint_printf(ctx, *p == '\'' ? "%s''" : "%s%c", out, *p);
	return lint_printf(ctx, "%s'", out);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_ENUM_STMT) {
		const PgQuery__CreateEnumStmt *ce = node->create_enum_stmt;
		remember(ctx, type_name(ctx, ce->type_name, ce->n_type_name, 0), "");
		return;
	}
	const PgQuery__AlterEnumStmt *ae = node->alter_enum_stmt;
	const char *type = type_name(ctx, ae->type_name, ae->n_type_name, 0);
	if (!*ae->old_val) { /* ADD VALUE */
		if (*ae->new_val)
			remember(ctx, type, ae->new_val);
		return;
	}
	if (is_fresh(ctx, type, ae->old_val))
		return;
	const char *from = literal(ctx, ae->old_val), *to = literal(ctx, ae->new_val);
	type = type_name(ctx, ae->type_name, ae->n_type_name, 1);
	lint_report(ctx, &rule_rename_enum_value, -1,
		    lint_printf(ctx,
				"add the new label instead and move to it in steps: ALTER TYPE %s ADD VALUE "
				"%s; deploy code that reads both labels; UPDATE the columns of type %s SET "
				"<column> = %s WHERE <column> = %s, in batches (in a later transaction than the "
				"ADD VALUE, which PostgreSQL requires before the new label is used); deploy code "
				"that writes only %s. The old label stays unused: PostgreSQL cannot drop an enum "
				"label",
				type, to, type, to, from, to),
		    "ALTER TYPE %s RENAME VALUE %s TO %s changes what every stored %s reads as at once: "
		    "the application version still running misreads those rows, and each of its writes "
		    "of %s fails (\"invalid input value for enum\") until the new version is deployed",
		    type, from, to, from, from);
}
