/* ALTER COLUMN ... TYPE rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE
 * lock, unless PostgreSQL can keep every stored value as it is: a binary-coercible change whose
 * new modifier does not need checking (varchar(n) to varchar(m >= n) or text, numeric(p,s) to
 * numeric(p2 >= p, s), cidr to inet, ...; the table is in effects/types.c). Then only the
 * catalog changes.
 *
 * Whether a change is one of those depends on the column's current type. pgsieve knows it for
 * columns created or changed earlier in the migration (the model); otherwise the finding says
 * the old type is unknown. A USING clause that computes anything rewrites; USING col or
 * col::newtype is the same as no USING. timestamp <-> timestamptz rewrites unless the session's
 * TimeZone is UTC (PostgreSQL 12+), which the migration can show with SET TimeZone.
 *
 * A change that keeps the rows still rebuilds some indexes, each with a full scan under the
 * ACCESS EXCLUSIVE lock: an index on the plain column when the new type's default operator class
 * is another one (text or varchar to citext and back, text to bpchar, int4 to oid: effects/types.c),
 * and any index whose expression or predicate reads the column, whatever the types (seen on a
 * server: varchar(10) to text rebuilds an index on lower(c) and one WHERE c <> ''). Reported
 * for the indexes the model knows. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "effects/types.h"
#include "lint/rule.h"
#include "schema/norm.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_alter_type_rewrite = {
	.id = "alter-type-rewrite",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_REWRITE,
	.summary = "ALTER COLUMN TYPE that rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
};

/* Time zones whose offset from UTC is always zero: with one of them as the session's TimeZone,
 * PostgreSQL 12+ converts timestamp <-> timestamptz without touching the rows. */
static const char *const utc_zones[] = {
	"utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "zulu", "etc/zulu", "universal",
	"etc/universal", "greenwich", "etc/greenwich", "gmt0", "etc/gmt0", "gmt+0", "gmt-0",
	"etc/gmt+0", "etc/gmt-0", "z", "0", "+00:00", "00:00",
};

static int session_is_utc(const struct lint_ctx *ctx)
{
	const char *tz = lint_setting(ctx, "timezone");
	for (size_t i = 0; tz && i < sizeof(utc_zones) / sizeof(utc_zones[0]); i++)
		if (!strcasecmp(tz, utc_zones[i]))
			return 1;
	return 0;
}

/* Whether USING only names the column, perhaps cast to the new type: PostgreSQL then does
 * what it does without USING. */
static int trivial_using(const PgQuery__Node *e, const char *column, const struct sql_type *to)
{
	while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast) {
		struct sql_type cast;
		sql_type_from_node(e->type_cast->type_name, &cast);
		if (!type_equal(&cast, to))
			return 0;
		e = e->type_cast->arg;
	}
	if (!e || e->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || !e->column_ref)
		return 0;
	const PgQuery__ColumnRef *cr = e->column_ref;
	const char *name = sql_names_last(cr->fields, cr->n_fields);
	return name && !strcmp(name, column);
}

/* Help for a real rewrite: the expand-and-switch recipe, with a shortcut for length limits. */
static const char *rewrite_help(struct lint_ctx *ctx, const char *rel, const char *column,
				const char *type, const struct sql_type *from, const struct sql_type *to)
{
	const char *col = lint_ident(ctx, column);
	const char *tmp = lint_ident(ctx, lint_printf(ctx, "%s_new", column));
	const char *limit = "";
	if (!strcmp(to->name, "varchar") && to->nmods == 1 && to->array_dims == 0 &&
	    (!from || !strcmp(from->name, "varchar") || !strcmp(from->name, "text")))
		limit = lint_printf(ctx,
				    "to limit the length, %s and add CHECK (char_length(%s) <= %d) NOT "
				    "VALID, validated in a later transaction; ",
				    from && !strcmp(from->name, "text") ? "keep it text"
									: "change it to text (no rewrite from varchar)",
				    col, to->mods[0]);
	return lint_printf(ctx,
			   "%sto change the type without the long lock, add a column of the new type, "
			   "keep it in step with a trigger, fill it in batches, then swap the columns in "
			   "one short transaction and drop the old one: ALTER TABLE %s ADD COLUMN %s %s; "
			   "... ALTER TABLE %s RENAME COLUMN %s TO %s; ALTER TABLE %s RENAME COLUMN %s TO "
			   "%s;",
			   limit, rel, tmp, type, rel, col,
			   lint_ident(ctx, lint_printf(ctx, "%s_old", column)), rel, tmp, col);
}

/* Whether a normalised expression reads the column. */
static int expr_reads(const char *text, const char *column)
{
	if (!text)
		return 0;
	struct schema_strlist cols = { 0 };
	schema_expr_text_columns(text, &cols);
	int found = schema_strlist_find(&cols, column) >= 0;
	schema_strlist_clear(&cols);
	return found;
}

/* Whether the change from -> to of the column rebuilds the index (see the top of the file). */
static int index_rebuilt(const struct schema_index *ix, const char *column, int opclass_changes)
{
	if (expr_reads(ix->predicate, column))
		return 1;
	for (size_t i = 0; i < ix->nelems; i++) {
		const struct schema_index_elem *e = &ix->elems[i];
		if (e->column ? !strcmp(e->column, column) && opclass_changes && !e->opclass
			      : expr_reads(e->expr, column))
			return 1;
	}
	return 0;
}

/* A change that keeps the rows: the indexes of the model it rebuilds all the same, by name in
 * key order ("a", "b"), and how many; NULL when none. */
static const char *rebuilt_indexes(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
				   const struct sql_type *from, const struct sql_type *to, size_t *count)
{
	struct schema_model *m = lint_model(ctx);
	const char *table_key = lint_relation_key(ctx, rv);
	int opclass_changes = type_change_rebuilds_indexes(from, to) == 1;
	struct lint_names rebuilt = { 0 };
	size_t n;
	const char **keys = schema_sorted_keys(&m->indexes, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_index *ix = strmap_get(&m->indexes, keys[i]);
		if (!strcmp(ix->table_key, table_key) && index_rebuilt(ix, column, opclass_changes))
			lint_names_add(ctx, &rebuilt, lint_ident(ctx, ix->name));
	}
	free(keys);
	*count = rebuilt.n;
	return rebuilt.list;
}

static void report_rebuilt_indexes(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
				   const char *type, const struct sql_type *from, const struct sql_type *to,
				   const char *was, int location)
{
	size_t count;
	const char *names = rebuilt_indexes(ctx, rv, column, from, to, &count);
	if (!names)
		return;
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, column);
	lint_report(ctx, &rule_alter_type_rewrite, location,
		    lint_printf(ctx,
				"drop the %s first without blocking (DROP INDEX CONCURRENTLY, outside a "
				"transaction), change the type, which then only changes the catalog, and "
				"build %s again with CREATE INDEX CONCURRENTLY; queries go without %s in "
				"between",
				count > 1 ? "indexes" : "index", count > 1 ? "them" : "it",
				count > 1 ? "them" : "it"),
		    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s keeps the rows but rebuilds the %s %s on the "
		    "column, each with a full scan under an %s lock (%s): reads and writes wait until %s "
		    "built",
		    rel, col, type, was, count > 1 ? "indexes" : "index", names,
		    lock_mode_name(LOCK_ACCESS_EXCLUSIVE),
		    type_change_rebuilds_indexes(from, to) == 1
			    ? "the new type's operator class is another one, or the index reads the column"
			    : "the index reads the column in an expression or predicate",
		    count > 1 ? "they are" : "it is");
}

static void alter_type(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__AlterTableCmd *cmd,
		       const PgQuery__ColumnDef *cd)
{
	if (!*cmd->name)
		return;
	struct sql_type to;
	sql_type_from_node(cd->type_name, &to);
	if (!*to.name)
		return;
	const PgQuery__Node *using = cd->raw_default;
	if (using && trivial_using(using, cmd->name, &to))
		using = NULL;
	const struct schema_table *t = lint_table(ctx, rv);
	const struct schema_column *c = t ? schema_column_find(t, cmd->name) : NULL;
	struct sql_type from = { 0 };
	int known = c && c->type;
	if (known) {
		from.name = c->type;
		from.mods[0] = c->mods[0];
		from.mods[1] = c->mods[1];
		from.nmods = c->nmods;
		from.array_dims = c->array_dims;
		from.location = -1;
	}

	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, cmd->name);
	const char *type = lint_type_sql(ctx, cd->type_name);
	if (!type)
		type = to.name;
	const char *lock = lock_mode_name(LOCK_ACCESS_EXCLUSIVE);
	char buf[128];
	const char *was = known ? lint_printf(ctx, " (from %s)", type_format(&from, buf, sizeof(buf))) : "";
	int location = cd->type_name ? cd->type_name->location : -1;

	if (using) {
		lint_report(ctx, &rule_alter_type_rewrite, location,
			    rewrite_help(ctx, rel, cmd->name, type, known ? &from : NULL, &to),
			    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s with a USING expression rewrites the "
			    "table and rebuilds its indexes under an %s lock: reads and writes wait until "
			    "every row is converted",
			    rel, col, type, was, lock);
		return;
	}
	if (!known) {
		lint_report(ctx, &rule_alter_type_rewrite, location,
			    lint_printf(ctx,
					"if the current type converts in place (varchar(n) to a larger n or "
					"to text, numeric(p,s) to a larger p, cidr to inet, ...), only the "
					"catalog changes and this finding can be silenced with -- "
					"pgsieve-ignore alter-type-rewrite: <old type>; otherwise %s",
					rewrite_help(ctx, rel, cmd->name, type, NULL, &to)),
			    "ALTER TABLE %s ALTER COLUMN %s TYPE %s rewrites the table and rebuilds its "
			    "indexes under an %s lock unless the column's current type converts in place; "
			    "the old type of %s is unknown to pgsieve (the column was not created or "
			    "changed earlier in the migration); reads and writes wait until it ends",
			    rel, col, type, lock, col);
		return;
	}
	switch (type_change(&from, &to, lint_pg_version(ctx))) {
	case TYPE_CHANGE_NONE:
		return;
	case TYPE_CHANGE_CATALOG:
		report_rebuilt_indexes(ctx, rv, cmd->name, type, &from, &to, was, location);
		return;
	case TYPE_CHANGE_TIMEZONE:
		if (session_is_utc(ctx))
			return;
		lint_report(ctx, &rule_alter_type_rewrite, location,
			    lint_printf(ctx,
					"if the stored values are in UTC, set the session's time zone first "
					"and PostgreSQL skips the rewrite: SET TimeZone = 'UTC'; ALTER TABLE "
					"%s ALTER COLUMN %s TYPE %s; otherwise %s",
					rel, col, type, rewrite_help(ctx, rel, cmd->name, type, &from, &to)),
			    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s rewrites the table and rebuilds its "
			    "indexes under an %s lock unless the session's TimeZone is UTC: reads and writes "
			    "wait until it ends",
			    rel, col, type, was, lock);
		return;
	case TYPE_CHANGE_UNKNOWN:
		lint_report(ctx, &rule_alter_type_rewrite, location,
			    rewrite_help(ctx, rel, cmd->name, type, &from, &to),
			    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s may rewrite the table and rebuild its "
			    "indexes under an %s lock: pgsieve does not know whether PostgreSQL converts "
			    "this type in place",
			    rel, col, type, was, lock);
		return;
	case TYPE_CHANGE_REWRITE:
		break;
	}
	lint_report(ctx, &rule_alter_type_rewrite, location,
		    rewrite_help(ctx, rel, cmd->name, type, &from, &to),
		    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s rewrites the table and rebuilds its indexes "
		    "under an %s lock: reads and writes wait until every row is converted",
		    rel, col, type, was, lock);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	lint_altered_columns(ctx, node->alter_table_stmt, PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType,
			     alter_type);
}
