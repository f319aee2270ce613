/* A constraint added to a domain holds for every column of that domain in every table, so
 * ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID), ALTER DOMAIN ... SET NOT NULL and ALTER
 * DOMAIN ... VALIDATE CONSTRAINT read every such column, holding a SHARE lock on each table
 * until the transaction ends: writes to all of them wait (seen on PostgreSQL 15 in pg_locks;
 * VALIDATE takes the same SHARE lock, unlike a table's VALIDATE CONSTRAINT). NOT VALID checks
 * only new values and takes no table lock.
 *
 * With a model that knows the domain, the tables that use it are named, and a domain no
 * existing table uses (created in this migration, or unused) is not reported. */
#include <stdlib.h>
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT,
						 LINT_KINDS_END };

const struct rule rule_domain_constraint_blocking = {
	.id = "domain-constraint-blocking",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "checking a domain's constraint reads every table that uses it, blocking their writes",
	.kinds = kinds,
	.visit = visit,
};

/* "public"."email" and the model's type for the domain's name list, or NULL. */
static const struct schema_type *domain_of(struct lint_ctx *ctx, const PgQuery__AlterDomainStmt *ad,
					   const char **display)
{
	const char *schema = NULL, *name = NULL;
	if (ad->n_type_name == 1) {
		name = sql_node_str(ad->type_name[0]);
	} else if (ad->n_type_name >= 2) {
		schema = sql_node_str(ad->type_name[ad->n_type_name - 2]);
		name = sql_node_str(ad->type_name[ad->n_type_name - 1]);
	}
	if (!name)
		return NULL;
	*display = schema ? lint_printf(ctx, "%s.%s", lint_ident(ctx, schema), lint_ident(ctx, name))
			  : lint_ident(ctx, name);
	const struct schema_type *t = schema_object_find(lint_model(ctx), SCHEMA_KIND_TYPE, schema, name);
	return t && t->kind == 'd' ? t : NULL;
}

/* The existing tables with a column of the domain: "orders", "users" (at most a few named). */
static const char *tables_using(struct lint_ctx *ctx, const struct schema_type *d, size_t *count)
{
	struct schema_model *m = lint_model(ctx);
	size_t n = 0, nkeys;
	const char *out = NULL;
	const char **keys = schema_sorted_keys(&m->tables, &nkeys); /* named in a stable order */
	for (size_t k = 0; k < nkeys; k++) {
		const struct schema_table *t = strmap_get(&m->tables, keys[k]);
		if (t->created_in_migration)
			continue;
		for (size_t c = 0; c < t->ncolumns; c++) {
			const struct schema_column *col = &t->columns[c];
			if (!col->type || strcmp(col->type, d->name) || !col->type_schema ||
			    strcmp(col->type_schema, d->schema))
				continue;
			if (n < 5)
				out = lint_printf(ctx, "%s%s%s", out ? out : "", out ? ", " : "",
						  lint_ident(ctx, t->name));
			n++;
			break;
		}
	}
	free(keys);
	*count = n;
	if (n > 5)
		out = lint_printf(ctx, "%s and %zu more", out, n - 5);
	return out;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterDomainStmt *ad = node->alter_domain_stmt;
	const char *what;
	switch (ad->subtype && *ad->subtype ? ad->subtype[0] : 0) {
	case 'C': /* ADD CONSTRAINT */
		if (!ad->def || ad->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
		    ad->def->constraint->skip_validation)
			return;
		what = "ADD CONSTRAINT";
		break;
	case 'O': /* SET NOT NULL */
		what = "SET NOT NULL";
		break;
	case 'V': /* VALIDATE CONSTRAINT */
		what = "VALIDATE CONSTRAINT";
		break;
	default:
		return;
	}
	const char *display = NULL;
	const struct schema_type *d = domain_of(ctx, ad, &display);
	if (!display)
		return;
	const char *tables = "every table with a column of the domain";
	if (d) {
		size_t count;
		const char *named = tables_using(ctx, d, &count);
		if (!count)
			return; /* no existing table uses it: nothing to read */
		tables = lint_printf(ctx, "%s %s", count == 1 ? "the table" : "the tables", named);
	}
	const char *help =
		what[0] == 'V'
			? lint_printf(ctx, "a domain's VALIDATE takes the same SHARE locks as the check it "
					   "finishes; run it when writes to %s can wait, or check the columns with "
					   "table constraints instead: ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) "
					   "NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT, which lets writes "
					   "through",
				      tables)
		: what[0] == 'S'
			? lint_printf(ctx, "add the rule as a constraint checked only for new values: ALTER "
					   "DOMAIN %s ADD CONSTRAINT ... CHECK (VALUE IS NOT NULL) NOT VALID; "
					   "checking the old values (VALIDATE) still locks %s against writes, so "
					   "do that when writes can wait, or per table with a table CHECK ... NOT "
					   "VALID and VALIDATE",
				      display, tables)
			: lint_printf(ctx, "add it with NOT VALID, which checks only new values and takes no "
					   "table lock: ALTER DOMAIN %s ADD ... NOT VALID; checking the old values "
					   "(VALIDATE CONSTRAINT) still locks %s against writes, so do that when "
					   "writes can wait, or per table with a table CHECK ... NOT VALID and "
					   "VALIDATE",
				      display, tables);
	lint_report(ctx, &rule_domain_constraint_blocking, -1, help,
		    "ALTER DOMAIN %s %s reads every value of the domain in %s, holding a SHARE lock on "
		    "each until the transaction ends: writes to them wait until the check is done",
		    display, what, tables);
}
