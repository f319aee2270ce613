/* prefer-bigint: a 16- or 32-bit integer (smallint, integer, smallserial, serial) as a key:
 * a primary key, an identity column or a foreign key. Keys only grow, and an integer key runs
 * out after 2,147,483,647 values; widening it then means ALTER COLUMN ... TYPE bigint, a
 * rewrite of the table and of every table whose foreign keys follow it, under ACCESS EXCLUSIVE.
 * Other integer columns (a quantity, a position) are left alone.
 *
 * A column becomes a key where it is defined (PRIMARY KEY, REFERENCES, GENERATED ... AS
 * IDENTITY), in a one-column PRIMARY KEY (...) or a FOREIGN KEY (...) of the same CREATE TABLE
 * or ALTER TABLE, or later in the migration, when ALTER TABLE ... ADD CONSTRAINT names it
 * (pg_dump and several ORMs add every key that way). For the last case the rule remembers the
 * migration's small integer columns and reports at their definition once a constraint makes
 * them keys. A column is reported once, whichever way it became a key. Integer widths come
 * from effects/types.h. */
#include <string.h>

#include "column-type.h"
#include "effects/types.h"
#include "sequence-fill.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_prefer_bigint = {
	.id = "prefer-bigint",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TYPES,
	.summary = "32-bit or smaller integer for a key column: it can run out of values",
	.kinds = kinds,
	.visit = visit,
	.fix = "bigint (an identity column for serial) for a key column CREATE TABLE or ADD COLUMN makes",
};

/* A small integer column defined in this migration that no constraint has made a key yet. */
/* What a finding says about a column, worked out while its statement's tree is alive (the
 * tree of an earlier statement is gone by the time a later constraint makes it a key). */
struct column_text {
	const char *subject;               /* column "id" of "orders" */
	const char *type;                  /* integer, serial, ... */
	long max;
	const char *help_key, *help_foreign; /* as a primary key / identity, as a foreign key */
};

struct candidate {
	const char *schema, *table, *column;
	struct column_text text;
	struct lint_mark mark; /* its type, in the statement that defined it */
	struct lint_fix *fix;  /* bigint in its place, made while that statement was visited */
	int reported;
	uint64_t hash;         /* of schema, table and column */
	struct candidate *next; /* in its bucket */
};

/* The candidates of the migration by column, so that each constraint looks at its own column
 * only (a list walked per constraint made a 50 MB migration quadratic). In the run's memory:
 * a full table is replaced by one twice the size, the old one left to the arena. */
struct candidates {
	struct candidate **buckets;
	size_t nbuckets, count;
	struct coltype_fixes fixed; /* the fixes made, for a later ALTER COLUMN ... TYPE to void */
};

static uint64_t column_hash(const char *schema, const char *table, const char *column)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	const char *parts[] = { schema, table, column };
	for (size_t i = 0; i < 3; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull; /* a byte no name has, between the parts */
	}
	return h;
}

static struct candidates *candidates_of(struct lint_ctx *ctx)
{
	void **data = lint_rule_data(ctx, &rule_prefer_bigint);
	if (!*data)
		*data = lint_alloc(ctx, sizeof(struct candidates));
	return *data;
}

static void candidates_add(struct lint_ctx *ctx, struct candidates *cs, struct candidate *c)
{
	if (cs->count + 1 > cs->nbuckets / 2) {
		size_t n = cs->nbuckets ? cs->nbuckets * 2 : 64;
		struct candidate **b = lint_alloc(ctx, n * sizeof(*b));
		for (size_t i = 0; i < cs->nbuckets; i++) {
			/* reversed, then pushed: each new chain keeps the old order (newest first) */
			struct candidate *rev = NULL;
			for (struct candidate *x = cs->buckets[i], *next; x; x = next) {
				next = x->next;
				x->next = rev;
				rev = x;
			}
			for (struct candidate *x = rev, *next; x; x = next) {
				next = x->next;
				x->next = b[x->hash & (n - 1)];
				b[x->hash & (n - 1)] = x;
			}
		}
		cs->buckets = b;
		cs->nbuckets = n;
	}
	c->next = cs->buckets[c->hash & (cs->nbuckets - 1)];
	cs->buckets[c->hash & (cs->nbuckets - 1)] = c;
	cs->count++;
}

static const char *schema_of(const PgQuery__RangeVar *rv)
{
	return *rv->schemaname ? rv->schemaname : "public";
}

/* The name of a 16/32-bit integer type for messages, or NULL for any other type. */
static const char *small_int_name(const struct sql_type *t)
{
	if (t->array_dims > 0)
		return NULL;
	switch (type_int_width(t->name)) {
	case 2:
		return type_is_serial(t->name) ? "smallserial" : "smallint";
	case 4:
		return type_is_serial(t->name) ? "serial" : "integer";
	default:
		return NULL;
	}
}

static long max_value(const struct sql_type *t)
{
	return type_int_width(t->name) == 2 ? 32767L : 2147483647L;
}

static int names_column(PgQuery__Node *const *list, size_t n, const char *column)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(list[i]);
		if (s && !strcmp(s, column))
			return 1;
	}
	return 0;
}

/* What a constraint makes of `column` ("primary key", ...), or NULL. For a column constraint
 * (column_level) the constraint is on that column; a table constraint names its columns. */
static const char *constraint_role(const PgQuery__Constraint *con, const char *column,
				   int column_level)
{
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		/* In a key of several columns the integer parts are references (reported as foreign
		 * keys when declared so) or positions and versions, which do not run out. */
		if (column_level || (con->n_keys == 1 && names_column(con->keys, con->n_keys, column)))
			return "primary key";
		return NULL;
	case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		return column_level ? "identity column" : NULL;
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
		if (column_level || names_column(con->fk_attrs, con->n_fk_attrs, column))
			return "foreign key";
		return NULL;
	default:
		return NULL;
	}
}

/* Stronger reasons first: a primary key that is also a foreign key is reported as a key. */
static const char *stronger(const char *a, const char *b)
{
	static const char *const order[] = { "primary key", "identity column", "foreign key" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((a && !strcmp(a, order[i])) || (b && !strcmp(b, order[i])))
			return order[i];
	return NULL;
}

static const char *column_role(const PgQuery__ColumnDef *cd)
{
	const char *role = NULL;
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			role = stronger(role, constraint_role(cd->constraints[i]->constraint, cd->colname, 1));
	return role;
}

static int is_foreign(const char *role)
{
	return !strcmp(role, "foreign key");
}

static void describe(struct lint_ctx *ctx, const struct coltype *ct, struct column_text *out)
{
	const char *fix = coltype_rewrite(
		ctx, ct, type_is_serial(ct->type.name) ? "bigint GENERATED ALWAYS AS IDENTITY" : "bigint");
	out->subject = coltype_subject(ctx, ct);
	out->type = small_int_name(&ct->type);
	out->max = max_value(&ct->type);
	out->help_key = lint_printf(ctx, "use %s: at most %d more bytes per row, and in practice it "
					 "never runs out",
				    fix, 8 - type_int_width(ct->type.name));
	out->help_foreign =
		lint_printf(ctx, "use %s, and make the key it references bigint too if it is not", fix);
	/* the evidence, when the database says the table's keys are running out already */
	const struct schema_table *t = ct->site == COLTYPE_CREATE ? NULL : lint_table(ctx, ct->rel);
	struct sequence_fill f = { NULL, NULL, 0, 0 };
	if (t && sequence_fullest(lint_model(ctx), t, &f)) {
		const char *evidence = lint_printf(ctx, "; the database's sequence %s.%s feeding %s.%s is already at %.0f %% "
						    "of its range (sequence-near-limit)",
						   f.seq->schema, f.seq->name, t->name, f.column->name, f.percent);
		out->help_key = lint_printf(ctx, "%s%s", out->help_key, evidence);
		out->help_foreign = lint_printf(ctx, "%s%s", out->help_foreign, evidence);
	}
}

#define KEY_MESSAGE                                                                            \
	"%s is %s of type %s: it runs out after %ld values, and widening it to bigint later "     \
	"rewrites the table and every table whose foreign keys reference it under an ACCESS "     \
	"EXCLUSIVE lock"
#define FOREIGN_MESSAGE                                                                        \
	"%s is %s of type %s: it cannot hold keys above %ld once the referenced table grows past " \
	"them, and widening it later rewrites the table under an ACCESS EXCLUSIVE lock"

static void report(struct lint_ctx *ctx, const struct column_text *t, const char *role,
		   const struct lint_mark *mark, struct lint_fix *fix)
{
	lint_fix_attach(ctx, fix);
	const char *a_role = lint_printf(ctx, "%s %s", role[0] == 'i' ? "an" : "a", role);
	if (is_foreign(role))
		lint_report_mark(ctx, &rule_prefer_bigint, mark, t->help_foreign, FOREIGN_MESSAGE,
				 t->subject, a_role, t->type, t->max);
	else
		lint_report_mark(ctx, &rule_prefer_bigint, mark, t->help_key, KEY_MESSAGE, t->subject,
				 a_role, t->type, t->max);
}

static void remember(struct lint_ctx *ctx, const struct coltype *ct, const struct column_text *text,
		     struct lint_fix *fix)
{
	struct candidate *c = lint_alloc(ctx, sizeof(*c));
	c->schema = lint_printf(ctx, "%s", schema_of(ct->rel));
	c->table = lint_printf(ctx, "%s", ct->rel->relname);
	c->column = lint_printf(ctx, "%s", ct->column);
	c->text = *text;
	c->mark = lint_mark_here(ctx, ct->node->location);
	c->fix = fix;
	c->hash = column_hash(c->schema, c->table, c->column);
	candidates_add(ctx, candidates_of(ctx), c);
}

/* A constraint of a later statement made `column` a key: report its definition, once. */
static void promote(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
		    const char *role)
{
	const struct candidates *cs = candidates_of(ctx);
	if (!cs->nbuckets)
		return;
	uint64_t h = column_hash(schema_of(rv), rv->relname, column);
	for (struct candidate *c = cs->buckets[h & (cs->nbuckets - 1)]; c; c = c->next) {
		if (c->reported || c->hash != h || strcmp(c->column, column) ||
		    strcmp(c->table, rv->relname) || strcmp(c->schema, schema_of(rv)))
			continue;
		c->reported = 1;
		report(ctx, &c->text, role, &c->mark, c->fix);
	}
}

/* A column definition: report it if it is a key, or remember it in case it becomes one. */
static void define_column(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, enum coltype_site site,
		   const PgQuery__ColumnDef *cd, const char *table_role)
{
	if (!cd->type_name || !*cd->colname)
		return;
	struct coltype ct = { .site = site, .rel = rv, .column = cd->colname, .node = cd->type_name };
	sql_type_from_node(cd->type_name, &ct.type);
	if (!small_int_name(&ct.type))
		return;
	const char *role = stronger(column_role(cd), table_role);
	struct column_text text;
	describe(ctx, &ct, &text);
	/* serial as prefer-identity's fix writes it, so that the two agree; BY DEFAULT keeps
	 * serial's explicit ids */
	const char *big = type_is_serial(ct.type.name) ? "bigint GENERATED BY DEFAULT AS IDENTITY"
						      : lint_printf(ctx, "bigint%s", coltype_array_suffix(&ct));
	struct lint_fix *fix = coltype_fix(ctx, &ct, "make the new column bigint", big);
	coltype_fix_remember(ctx, &candidates_of(ctx)->fixed, &ct, fix);
	if (role) {
		struct lint_mark here = lint_mark_here(ctx, ct.node->location);
		report(ctx, &text, role, &here, fix);
	} else {
		remember(ctx, &ct, &text, fix);
	}
}

/* What the table constraints among `elts` (CREATE TABLE's elements or ALTER TABLE's ADD
 * CONSTRAINT definitions) make of `column`. */
static const char *table_role(PgQuery__Node *const *elts, size_t n, const char *column)
{
	const char *role = NULL;
	for (size_t i = 0; i < n; i++)
		if (elts[i] && elts[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			role = stronger(role, constraint_role(elts[i]->constraint, column, 0));
	return role;
}

static void visit_create(struct lint_ctx *ctx, const PgQuery__CreateStmt *cs)
{
	if (!cs->relation || coltype_temporary(cs->relation))
		return;
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		define_column(ctx, cs->relation, COLTYPE_CREATE, e->column_def,
		       table_role(cs->table_elts, cs->n_table_elts, e->column_def->colname));
	}
}

static void visit_alter(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !as->relation ||
	    coltype_temporary(as->relation))
		return;
	/* the statement's ADD CONSTRAINT definitions, as one list for table_role() */
	PgQuery__Node *defs[64];
	size_t ndefs = 0;
	size_t at = 0;
	const PgQuery__AlterTableCmd *cmd;
	while (ndefs < sizeof(defs) / sizeof(defs[0]) &&
	       (cmd = sql_alter_next(as, &at, PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint)))
		if (cmd->def)
			defs[ndefs++] = cmd->def;
	/* columns added here first, so that a key added in the same statement finds them */
	at = 0;
	while ((cmd = sql_alter_next(as, &at, PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType))) {
		if (!cmd->name)
			continue;
		struct coltype altered = { .site = COLTYPE_ALTER, .rel = as->relation, .column = cmd->name };
		coltype_fix_altered(&candidates_of(ctx)->fixed, &altered);
	}
	at = 0;
	while ((cmd = sql_alter_next(as, &at, PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn)))
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			define_column(ctx, as->relation, COLTYPE_ADD, cmd->def->column_def,
			       table_role(defs, ndefs, cmd->def->column_def->colname));
	/* keys made of columns defined by earlier statements of the migration */
	for (size_t i = 0; i < ndefs; i++) {
		if (defs[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		const PgQuery__Constraint *con = defs[i]->constraint;
		if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY && con->n_keys == 1)
			promote(ctx, as->relation, sql_node_str(con->keys[0]) ?: "", "primary key");
		else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
			for (size_t k = 0; k < con->n_fk_attrs; k++)
				promote(ctx, as->relation, sql_node_str(con->fk_attrs[k]) ?: "", "foreign key");
	}
	at = 0;
	while ((cmd = sql_alter_next(as, &at, PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity)))
		promote(ctx, as->relation, cmd->name, "identity column");
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_STMT)
		visit_create(ctx, node->create_stmt);
	else
		visit_alter(ctx, node->alter_table_stmt);
}
