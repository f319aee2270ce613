/* expand-contract-same-migration: one migration that both expands a table that existed before
 * it (adds a column, or creates a table that takes over its rows) and contracts the same table
 * (drops or renames a column, renames or drops the table, or makes a column it just added NOT
 * NULL without a default). The application version running during the deploy was written for
 * the table before the migration, the next one for the table after it; expand and contract in
 * one step leave no moment in which both work, so one of them fails. The safe sequence takes
 * two migrations with deploys between them: expand, deploy code that writes both shapes,
 * backfill, deploy code that uses only the new shape, contract.
 *
 * Tables the migration created are not in use yet, so altering them further is fine. A table is
 * reported once, at its first contracting statement; what expanded it is named in the message.
 * Decided in finish(), since the expansion may come after the contraction. */
#include <stdint.h>
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_RENAME_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	PG_QUERY__NODE__NODE_INSERT_STMT,
	PG_QUERY__NODE__NODE_CREATE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_expand_contract_same_migration = {
	.id = "expand-contract-same-migration",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "one migration both expands and contracts the same table",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

/* A column this migration added to an existing table. */
struct added {
	const char *name;
	int has_default; /* DEFAULT, identity or generated: old INSERTs still get a value */
	struct added *next;
};

struct table_state {
	const char *schema, *name; /* schema "" when not written; follows renames */
	const char *rel;           /* as first written, for messages */
	const char *expand;        /* the first expansion, as text; NULL: none */
	const char *contract;      /* the first contraction, as text; NULL: none */
	const char *contract_why;  /* what breaks */
	struct lint_mark mark;     /* of the first contraction */
	const char *old_name;      /* the name a table rename or drop gave up */
	const char *replaced_by;   /* the table that took that name afterwards, as written */
	struct added *added;
	struct table_state *next;
	struct table_state *next_same; /* in the same bucket of the index */
	size_t seq;                    /* place in the list */
};

/* The tables in the order first seen, and indexed by their current name (a rename moves one):
 * a walk of the whole list per statement was a twentieth of linting a 20,000-statement
 * migration. The list's first match is the indexed match with the lowest seq. */
struct state {
	struct table_state *tables, **tail;
	struct table_state **buckets;
	size_t nbuckets, ntables;
	size_t open_old_names; /* tables with an old_name that no table took yet (takes_name) */
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_expand_contract_same_migration, sizeof(*st), &fresh);
	if (fresh)
		st->tail = &st->tables;
	return st;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct table_state **bucket_of(struct state *st, const char *name)
{
	return &st->buckets[name_hash(name) & (st->nbuckets - 1)];
}

static void index_add(struct state *st, struct table_state *t)
{
	struct table_state **b = bucket_of(st, t->name);
	t->next_same = *b;
	*b = t;
}

static void index_remove(struct state *st, struct table_state *t)
{
	struct table_state **p = bucket_of(st, t->name);
	while (*p && *p != t)
		p = &(*p)->next_same;
	if (*p)
		*p = t->next_same;
}

static void index_grow(struct lint_ctx *ctx, struct state *st)
{
	st->nbuckets = st->nbuckets ? st->nbuckets * 2 : 64;
	st->buckets = lint_alloc(ctx, st->nbuckets * sizeof(*st->buckets));
	for (struct table_state *t = st->tables; t; t = t->next)
		index_add(st, t);
}

static struct table_state *table_of(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	struct state *st = get_state(ctx);
	const char *schema = rv->schemaname ? rv->schemaname : "", *name = rv->relname;
	struct table_state *found = NULL;
	for (struct table_state *t = st->nbuckets ? *bucket_of(st, name) : NULL; t; t = t->next_same)
		if (!strcmp(t->name, name) && (!*t->schema || !*schema || !strcmp(t->schema, schema)) &&
		    (!found || t->seq < found->seq))
			found = t;
	if (found)
		return found;
	struct table_state *t = lint_alloc(ctx, sizeof(*t));
	t->schema = lint_keep(ctx, schema);
	t->name = lint_keep(ctx, name);
	t->rel = lint_rel(ctx, rv);
	t->seq = st->ntables++;
	*st->tail = t;
	st->tail = &t->next;
	if (st->ntables > st->nbuckets)
		index_grow(ctx, st); /* indexes t with the others */
	else
		index_add(st, t);
	return t;
}

/* The table's name from now on: later statements use the new one. */
static void rename_table(struct lint_ctx *ctx, struct table_state *t, const char *name)
{
	struct state *st = get_state(ctx);
	index_remove(st, t);
	t->name = lint_keep(ctx, name);
	index_add(st, t);
}

/* Before contract(): a rename or drop gives up the table's name. */
static void give_up_name(struct lint_ctx *ctx, struct table_state *t)
{
	if (t->contract)
		return; /* gave it up at its first contraction */
	t->old_name = t->name;
	get_state(ctx)->open_old_names++;
}

static void expand(struct table_state *t, const char *what)
{
	if (!t->expand)
		t->expand = what;
}

static void contract(struct lint_ctx *ctx, struct table_state *t, const char *what, const char *why)
{
	if (t->contract)
		return;
	t->contract = what;
	t->contract_why = why;
	t->mark = lint_mark_here(ctx, -1);
}

static int column_has_default(const PgQuery__ColumnDef *cd)
{
	if (cd->raw_default || cd->identity[0] || cd->generated[0])
		return 1;
	for (size_t i = 0; i < cd->n_constraints; i++) {
		if (cd->constraints[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		PgQuery__ConstrType ct = cd->constraints[i]->constraint->contype;
		if (ct == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT || ct == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY ||
		    ct == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
			return 1;
	}
	return 0;
}

static struct added *find_added(struct table_state *t, const char *name)
{
	for (struct added *a = t->added; a; a = a->next)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

/* Whether the statement also gives the column a default (SET NOT NULL, SET DEFAULT in either
 * order): the whole statement commits at once, so old INSERTs get the default. */
static int default_set_in(const PgQuery__AlterTableStmt *as, const char *column)
{
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault)))
		if (cmd->def && !strcmp(cmd->name, column))
			return 1;
	return 0;
}

static void alter_table(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (!lint_altered_table(ctx, as))
		return;
	struct table_state *t = table_of(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		const char *col = lint_ident(ctx, cmd->name);
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
			if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
				break;
			const PgQuery__ColumnDef *cd = cmd->def->column_def;
			struct added *a = lint_alloc(ctx, sizeof(*a));
			a->name = lint_keep(ctx, cd->colname);
			a->has_default = column_has_default(cd);
			a->next = t->added;
			t->added = a;
			expand(t, lint_printf(ctx, "ADD COLUMN %s", lint_ident(ctx, cd->colname)));
			break;
		}
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
			struct added *a = find_added(t, cmd->name);
			if (a)
				a->has_default = cmd->def != NULL;
			break;
		}
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
			if (find_added(t, cmd->name))
				break; /* added by this migration: the running version never used it */
			contract(ctx, t, lint_printf(ctx, "DROP COLUMN %s", col),
				 lint_printf(ctx, "the running version fails on every query that names %s",
					     col));
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
			const struct added *a = find_added(t, cmd->name);
			if (a && !a->has_default && !default_set_in(as, cmd->name))
				contract(ctx, t, lint_printf(ctx, "ALTER COLUMN %s SET NOT NULL", col),
					 lint_printf(ctx,
						     "the running version does not know %s, so its INSERTs "
						     "fail on the NOT NULL",
						     col));
			break;
		}
		default:
			break;
		}
	}
}

/* A table that takes the name of a table the migration renamed or dropped: a swap. */
static void takes_name(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *name)
{
	struct state *st = get_state(ctx);
	for (struct table_state *t = st->tables; t && st->open_old_names; t = t->next)
		if (t->old_name && !t->replaced_by && !strcmp(t->old_name, name)) {
			t->replaced_by = lint_rel(ctx, rv);
			st->open_old_names--;
		}
}

static void rename_stmt(struct lint_ctx *ctx, const PgQuery__RenameStmt *rs)
{
	if (rs->relation && *rs->newname && rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		takes_name(ctx, rs->relation, rs->newname);
	if (!rs->relation || !*rs->newname || lint_table_is_new(ctx, rs->relation))
		return;
	if (rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN &&
	    rs->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		struct table_state *t = table_of(ctx, rs->relation);
		struct added *a = find_added(t, rs->subname);
		if (a) { /* added by this migration: renaming it changes nothing the running version uses */
			a->name = lint_keep(ctx, rs->newname);
			return;
		}
		const char *from = lint_ident(ctx, rs->subname);
		contract(ctx, t, lint_printf(ctx, "RENAME COLUMN %s TO %s", from, lint_ident(ctx, rs->newname)),
			 lint_printf(ctx, "the running version fails on every query that names %s", from));
	} else if (rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		struct table_state *t = table_of(ctx, rs->relation);
		give_up_name(ctx, t);
		contract(ctx, t, lint_printf(ctx, "RENAME TO %s", lint_ident(ctx, rs->newname)),
			 lint_printf(ctx, "the running version fails on every query that names %s", t->rel));
		rename_table(ctx, t, rs->newname);
	}
}

static void drop_stmt(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	for (size_t i = 0; i < ds->n_objects; i++) {
		PgQuery__RangeVar buf;
		const PgQuery__RangeVar *rv = sql_name_list_rangevar(ds->objects[i], &buf);
		if (!rv || lint_table_is_new(ctx, rv))
			continue;
		struct table_state *t = table_of(ctx, rv);
		give_up_name(ctx, t);
		contract(ctx, t, "DROP TABLE",
			 lint_printf(ctx, "the running version fails on every query that uses %s", t->rel));
	}
}

/* INSERT INTO new_table SELECT ... FROM old_table: the new table takes over the old one's rows,
 * which expands the old table's shape into a new one. */
static void insert_stmt(struct lint_ctx *ctx, const PgQuery__InsertStmt *is)
{
	if (!is->relation || !lint_table_is_new(ctx, is->relation) || !is->select_stmt ||
	    is->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return;
	const PgQuery__SelectStmt *s = is->select_stmt->select_stmt;
	for (size_t i = 0; i < s->n_from_clause; i++) {
		const PgQuery__Node *f = s->from_clause[i];
		if (f->node_case != PG_QUERY__NODE__NODE_RANGE_VAR || lint_table_is_new(ctx, f->range_var))
			continue;
		struct table_state *t = table_of(ctx, f->range_var);
		expand(t, lint_printf(ctx, "its rows copied into the new table %s", lint_rel(ctx, is->relation)));
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(ctx, node->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		rename_stmt(ctx, node->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop_stmt(ctx, node->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		insert_stmt(ctx, node->insert_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		if (node->create_stmt->relation)
			takes_name(ctx, node->create_stmt->relation, node->create_stmt->relation->relname);
		break;
	default:
		break;
	}
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_expand_contract_same_migration);
	if (!st)
		return;
	/* in file order: repeatedly take the earliest table still to report */
	for (;;) {
		struct table_state *t = NULL;
		for (struct table_state *c = st->tables; c; c = c->next)
			if (c->expand && c->contract && (!t || c->mark.offset < t->mark.offset))
				t = c;
		if (!t)
			break;
		const char *expanded = t->expand;
		t->expand = NULL; /* reported */
		const char *why = lint_printf(ctx,
					      "%s, and the next version cannot run before the expansion, "
					      "so no version works throughout the deploy",
					      t->contract_why);
		if (t->replaced_by)
			why = lint_printf(ctx,
					  "the running version goes on using the name, now the table %s: "
					  "rows it wrote to the old table after the copy are lost",
					  t->replaced_by);
		lint_report_mark(ctx, &rule_expand_contract_same_migration, &t->mark,
				 lint_printf(ctx,
					     "split it: this migration only expands (%s); deploy code "
					     "that works with both shapes and backfill; then a later "
					     "migration contracts (%s) once no running code needs the "
					     "old shape",
					     expanded, t->contract),
				 "%s contracts %s in the same migration that expands it (%s): %s",
				 t->contract, t->rel, expanded, why);
	}
}
