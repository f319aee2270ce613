/* foreign-key-without-index: a foreign key on a table this migration created, when by the end
 * of the migration no index leads with its columns. PostgreSQL indexes the referenced side (it
 * must be a primary key or unique) but never the referencing side, so every DELETE of a parent
 * row and every change of its key looks for children with a full scan of the child table, and
 * so do the usual joins from parent to children. On a new table the index is free to add now;
 * later it is a CREATE INDEX CONCURRENTLY on a large table.
 *
 * "Leads with its columns": the index's first k columns, for a key of k columns, are the key's
 * columns in any order (a btree on (b, a) serves lookups on a = ? AND b = ?). Indexes come from
 * CREATE INDEX, PRIMARY KEY, UNIQUE and EXCLUDE constraints, and USING INDEX; a partial index
 * (WHERE ...) does not count, nor does a column after an expression. A table whose indexes come
 * from elsewhere (LIKE ... INCLUDING INDEXES, PARTITION OF) is left alone. Everything is collected
 * while the migration is read and checked in finish(), so the index may come after the key.
 *
 * Tables that existed before the migration are checked when the model holds the whole database
 * (--db or --schema): a foreign key the migration adds to one, a foreign key the database has on
 * a table the migration touches (ALTER TABLE, CREATE INDEX, DROP INDEX), and a DROP INDEX that
 * takes away the only index a foreign key had. Their indexes are the model's as the migration
 * leaves it. Without a source the indexes of an existing table are unknown, and it is left
 * alone.
 *
 * finish() is linear in the keys and indexes: the migration's indexes are bucketed by table name
 * (the names are compared, not resolved, as they are written), the model's by table key. */
#include <stdint.h>
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_INDEX_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	PG_QUERY__NODE__NODE_RENAME_STMT,
	LINT_KINDS_END,
};

const struct rule rule_foreign_key_without_index = {
	.id = "foreign-key-without-index",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_PERFORMANCE,
	.summary = "a foreign key whose referencing columns have no index",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

enum { MAX_KEY_COLUMNS = 32 }; /* PostgreSQL's INDEX_MAX_KEYS */

struct table_ref {
	const char *schema, *name; /* schema "" when not written */
};

struct fkey {
	struct table_ref table;
	const char *cols[MAX_KEY_COLUMNS];
	size_t ncols;
	const char *conname; /* "" when unnamed */
	const char *rel;     /* "public"."orders" as written */
	const char *parent;  /* the referenced table, as written */
	const char *existing; /* the table existed before: its key in the model; NULL when new */
	struct lint_mark mark;
	int dropped;
	struct fkey *next;
};

struct index {
	struct table_ref table;
	const char *cols[MAX_KEY_COLUMNS]; /* leading plain columns */
	size_t ncols;
	const char *name; /* index or constraint name; "" when unnamed */
	int dropped;
	struct index *next;
	struct index *bucket_next; /* finish(): the next index of a table of the same bucket */
};

/* An existing table the migration touched, with the first statement that did (where the
 * database's own unindexed foreign keys of the table are reported). */
struct touched {
	const char *key; /* "schema.name" in the model */
	const char *rel; /* as written */
	struct lint_mark mark;
	struct touched *next;
};

/* A DROP INDEX of an existing index, with the foreign keys it served. */
struct dropped_index {
	const char *table_key, *name;
	const char **fk_names;
	size_t nfk;
	struct lint_mark mark;
	struct dropped_index *next;
};

/* A table whose indexes cannot be listed: copied from another table (LIKE ... INCLUDING
 * INDEXES or ALL) or inherited from a partitioned parent (PARTITION OF). */
struct opaque {
	struct table_ref table;
	struct opaque *next;
	struct opaque *next_in_bucket; /* finish() */
};

struct state {
	struct fkey *fkeys, **fk_tail;
	struct index *indexes;
	struct opaque *opaque;
	struct touched *touched;
	struct dropped_index *dropped_indexes;
};

/* CREATE_TABLE_LIKE_INDEXES in PostgreSQL's TableLikeOption; INCLUDING ALL sets every bit. */
enum { LIKE_INCLUDING_INDEXES = 1 << 6 };

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_foreign_key_without_index, sizeof(*st), &fresh);
	if (fresh)
		st->fk_tail = &st->fkeys;
	return st;
}

/* The table a RangeVar names, for comparisons during this statement. */
static struct table_ref table_of(const PgQuery__RangeVar *rv)
{
	struct table_ref t = { rv->schemaname ? rv->schemaname : "", rv->relname };
	return t;
}

/* The same, to remember until finish(). */
static struct table_ref table_kept(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	struct table_ref t = { lint_keep(ctx, rv->schemaname), lint_keep(ctx, rv->relname) };
	return t;
}

/* An unqualified name and a qualified one are taken to mean the same table. */
static int same_table(const struct table_ref *a, const struct table_ref *b)
{
	return !strcmp(a->name, b->name) && (!*a->schema || !*b->schema || !strcmp(a->schema, b->schema));
}

/* Column names from a list of String nodes; returns how many (0 when any is not a string). */
static size_t string_columns(struct lint_ctx *ctx, PgQuery__Node *const *items, size_t n,
			     const char **out)
{
	if (n > MAX_KEY_COLUMNS)
		n = MAX_KEY_COLUMNS;
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(items[i]);
		if (!s)
			return 0;
		out[i] = lint_keep(ctx, s);
	}
	return n;
}

/* The model's key of a table that existed before this migration, when the model holds the
 * whole database (so its indexes are known); NULL otherwise. */
static const char *existing_key(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (!lint_model(ctx)->complete || lint_table_is_new(ctx, rv))
		return NULL;
	const struct schema_table *t = lint_table(ctx, rv);
	return t ? lint_printf(ctx, "%s.%s", t->schema, t->name) : NULL;
}

static void touch(struct lint_ctx *ctx, const char *key, const char *rel)
{
	struct state *st = get_state(ctx);
	for (const struct touched *t = st->touched; t; t = t->next)
		if (!strcmp(t->key, key))
			return;
	struct touched *t = lint_alloc(ctx, sizeof(*t));
	t->key = key;
	t->rel = rel;
	t->mark = lint_mark_here(ctx, -1);
	t->next = st->touched;
	st->touched = t;
}

static void add_fkey(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__Constraint *con,
		     const char *column, const char *existing)
{
	struct state *st = get_state(ctx);
	struct fkey *fk = lint_alloc(ctx, sizeof(*fk));
	fk->existing = existing;
	fk->table = table_kept(ctx, rv);
	if (column) {
		fk->cols[0] = lint_keep(ctx, column);
		fk->ncols = 1;
	} else {
		fk->ncols = string_columns(ctx, con->fk_attrs, con->n_fk_attrs, fk->cols);
	}
	if (!fk->ncols)
		return;
	fk->conname = lint_keep(ctx, con->conname);
	fk->rel = lint_rel(ctx, rv);
	fk->parent = con->pktable ? lint_rel(ctx, con->pktable) : "?";
	fk->mark = lint_mark_here(ctx, con->location);
	*st->fk_tail = fk;
	st->fk_tail = &fk->next;
}

static struct index *new_index(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *name)
{
	struct state *st = get_state(ctx);
	struct index *ix = lint_alloc(ctx, sizeof(*ix));
	ix->table = table_kept(ctx, rv);
	ix->name = lint_keep(ctx, name);
	ix->next = st->indexes;
	st->indexes = ix;
	return ix;
}

/* The plain columns an index starts with, up to the first expression. */
static size_t leading_elems(struct lint_ctx *ctx, PgQuery__Node *const *elems, size_t n,
			    const char **out)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < MAX_KEY_COLUMNS; i++) {
		const PgQuery__Node *e = elems[i];
		/* EXCLUDE lists pair each element with its operator: (elem, ops) */
		if (e->node_case == PG_QUERY__NODE__NODE_LIST && e->list->n_items)
			e = e->list->items[0];
		if (e->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM || !*e->index_elem->name)
			break;
		out[k++] = lint_keep(ctx, e->index_elem->name);
	}
	return k;
}

static const struct index *find_index(struct state *st, const char *name)
{
	for (const struct index *ix = st->indexes; ix; ix = ix->next)
		if (!ix->dropped && *ix->name && !strcmp(ix->name, name))
			return ix;
	return NULL;
}

/* A constraint of a table (column constraint when column is set). is_new: the table was
 * created by this migration, so its foreign keys are this rule's business; so are those of an
 * existing table whose indexes the model knows. */
static void constraint(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__Constraint *con,
		       const char *column, int is_new)
{
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
		const char *existing = is_new ? NULL : existing_key(ctx, rv);
		if (is_new || existing)
			add_fkey(ctx, rv, con, column && !con->n_fk_attrs ? column : NULL, existing);
		break;
	}
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
		if (*con->indexname) { /* USING INDEX: the index's columns */
			const struct index *used = find_index(get_state(ctx), con->indexname);
			if (used) {
				struct index *ix = new_index(ctx, rv, con->conname);
				memcpy(ix->cols, used->cols, sizeof(ix->cols));
				ix->ncols = used->ncols;
			}
			break;
		}
		struct index *ix = new_index(ctx, rv, con->conname);
		if (column && !con->n_keys) {
			ix->cols[0] = lint_keep(ctx, column);
			ix->ncols = 1;
		} else {
			ix->ncols = string_columns(ctx, con->keys, con->n_keys, ix->cols);
		}
		break;
	}
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
		if (!con->where_clause) {
			struct index *ix = new_index(ctx, rv, con->conname);
			ix->ncols = leading_elems(ctx, con->exclusions, con->n_exclusions, ix->cols);
		}
		break;
	default:
		break;
	}
}

static void column_def(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__ColumnDef *cd,
		       int is_new)
{
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			constraint(ctx, rv, cd->constraints[i]->constraint, cd->colname, is_new);
}

static void create_table(struct lint_ctx *ctx, const PgQuery__CreateStmt *cs)
{
	if (!cs->relation)
		return;
	/* CREATE TABLE IF NOT EXISTS of a table that exists does nothing */
	if (cs->if_not_exists && lint_table(ctx, cs->relation))
		return;
	int opaque = cs->partbound != NULL;
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE &&
		    (e->table_like_clause->options & LIKE_INCLUDING_INDEXES))
			opaque = 1;
	}
	if (opaque) {
		struct state *st = get_state(ctx);
		struct opaque *o = lint_alloc(ctx, sizeof(*o));
		o->table = table_kept(ctx, cs->relation);
		o->next = st->opaque;
		st->opaque = o;
	}
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			column_def(ctx, cs->relation, e->column_def, 1);
		else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			constraint(ctx, cs->relation, e->constraint, NULL, 1);
	}
}

static int has_column(const char *const *cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cols[i], name))
			return 1;
	return 0;
}

static void rename_in(const char **cols, size_t n, const char *from, const char *to)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cols[i], from))
			cols[i] = to;
}

static void alter_table(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation || as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	struct state *st = get_state(ctx);
	struct table_ref t = table_of(as->relation);
	int is_new = lint_table_is_new(ctx, as->relation);
	const char *existing = is_new ? NULL : existing_key(ctx, as->relation);
	if (existing)
		touch(ctx, existing, lint_rel(ctx, as->relation));
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		const PgQuery__Node *def = cmd->def;
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
			if (def && def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
				constraint(ctx, as->relation, def->constraint, NULL, is_new);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
			if (def && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
				column_def(ctx, as->relation, def->column_def, is_new);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
			for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
				if (same_table(&fk->table, &t) && !strcmp(fk->conname, cmd->name))
					fk->dropped = 1;
			for (struct index *ix = st->indexes; ix; ix = ix->next)
				if (same_table(&ix->table, &t) && !strcmp(ix->name, cmd->name))
					ix->dropped = 1;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
			/* dropping a column drops the keys and indexes that use it */
			for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
				if (same_table(&fk->table, &t) && has_column(fk->cols, fk->ncols, cmd->name))
					fk->dropped = 1;
			for (struct index *ix = st->indexes; ix; ix = ix->next)
				if (same_table(&ix->table, &t) && has_column(ix->cols, ix->ncols, cmd->name))
					ix->dropped = 1;
			break;
		default:
			break;
		}
	}
}

static void create_index(struct lint_ctx *ctx, const PgQuery__IndexStmt *is)
{
	if (!is->relation)
		return;
	const char *existing = existing_key(ctx, is->relation);
	if (existing)
		touch(ctx, existing, lint_rel(ctx, is->relation));
	if (is->where_clause)
		return;
	struct index *ix = new_index(ctx, is->relation, is->idxname);
	ix->ncols = leading_elems(ctx, is->index_params, is->n_index_params, ix->cols);
}

/* Whether a model index serves lookups on the columns: valid, not partial, and its leading
 * plain columns (up to the first expression) are the columns in some order. */
static int model_index_leads(const struct schema_index *ix, const char *const *cols, size_t n)
{
	if (!ix->valid || ix->predicate || ix->nelems < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = ix->elems[k].column && !strcmp(ix->elems[k].column, cols[i]);
		if (!found)
			return 0;
	}
	return 1;
}

static size_t model_fk_columns(const struct schema_constraint *c, const char **cols)
{
	size_t n = c->columns.n < MAX_KEY_COLUMNS ? c->columns.n : MAX_KEY_COLUMNS;
	for (size_t i = 0; i < n; i++)
		cols[i] = c->columns.items[i];
	return n;
}

/* DROP INDEX of an index of an existing table: which of the table's foreign keys it served,
 * so that one left without an index is reported here. */
static void drop_existing_index(struct lint_ctx *ctx, const char *schema, const char *name)
{
	const struct schema_model *m = lint_model(ctx);
	if (!m->complete)
		return;
	const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
	if (!ix || schema_relation_is_new(m, ix->schema, ix->name))
		return;
	const struct schema_table *t = strmap_get(&m->tables, ix->table_key);
	if (!t)
		return;
	struct state *st = get_state(ctx);
	const char *key = lint_printf(ctx, "%s", ix->table_key);
	touch(ctx, key, lint_ident(ctx, t->name));
	struct dropped_index *d = lint_alloc(ctx, sizeof(*d));
	d->table_key = key;
	d->name = lint_printf(ctx, "%s", ix->name);
	d->fk_names = lint_alloc(ctx, (t->nconstraints + 1) * sizeof(*d->fk_names));
	for (size_t i = 0; i < t->nconstraints; i++) {
		const struct schema_constraint *c = &t->constraints[i];
		if (c->type != SCHEMA_CON_FOREIGN)
			continue;
		const char *cols[MAX_KEY_COLUMNS];
		size_t ncols = model_fk_columns(c, cols);
		if (model_index_leads(ix, cols, ncols))
			d->fk_names[d->nfk++] = lint_printf(ctx, "%s", c->name);
	}
	d->mark = lint_mark_here(ctx, -1);
	d->next = st->dropped_indexes;
	st->dropped_indexes = d;
}

static void drop(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	struct state *st = get_state(ctx);
	for (size_t i = 0; i < ds->n_objects; i++) {
		PgQuery__RangeVar buf;
		const PgQuery__RangeVar *rv = sql_name_list_rangevar(ds->objects[i], &buf);
		if (!rv)
			continue;
		const char *name = rv->relname, *schema = rv->schemaname;
		struct table_ref t = { schema, name };
		if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
			for (struct index *ix = st->indexes; ix; ix = ix->next)
				if (!strcmp(ix->name, name))
					ix->dropped = 1;
			drop_existing_index(ctx, *schema ? schema : NULL, name);
		} else if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
			for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
				if (same_table(&fk->table, &t))
					fk->dropped = 1;
			for (struct index *ix = st->indexes; ix; ix = ix->next)
				if (same_table(&ix->table, &t))
					ix->dropped = 1;
		}
	}
}

static void on_rename(struct lint_ctx *ctx, const PgQuery__RenameStmt *rs)
{
	if (!rs->relation || !*rs->newname)
		return;
	struct state *st = get_state(ctx);
	struct table_ref t = table_of(rs->relation);
	switch (rs->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
			if (same_table(&fk->table, &t))
				fk->table.name = lint_keep(ctx, rs->newname);
		for (struct index *ix = st->indexes; ix; ix = ix->next)
			if (same_table(&ix->table, &t))
				ix->table.name = lint_keep(ctx, rs->newname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
			if (same_table(&fk->table, &t))
				rename_in(fk->cols, fk->ncols, rs->subname, lint_keep(ctx, rs->newname));
		for (struct index *ix = st->indexes; ix; ix = ix->next)
			if (same_table(&ix->table, &t))
				rename_in(ix->cols, ix->ncols, rs->subname, lint_keep(ctx, rs->newname));
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
		for (struct fkey *fk = st->fkeys; fk; fk = fk->next)
			if (same_table(&fk->table, &t) && !strcmp(fk->conname, rs->subname))
				fk->conname = lint_keep(ctx, rs->newname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
		for (struct index *ix = st->indexes; ix; ix = ix->next)
			if (!strcmp(ix->name, rs->relation->relname))
				ix->name = lint_keep(ctx, rs->newname);
		break;
	default:
		break;
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		create_table(ctx, node->create_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(ctx, node->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		create_index(ctx, node->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop(ctx, node->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		on_rename(ctx, node->rename_stmt);
		break;
	default:
		break;
	}
}

/* Whether the index's first fk->ncols columns are the key's columns, in any order. */
static int index_covers(const struct index *ix, const struct fkey *fk)
{
	if (ix->dropped || ix->ncols < fk->ncols || !same_table(&ix->table, &fk->table))
		return 0;
	for (size_t i = 0; i < fk->ncols; i++)
		if (!has_column(ix->cols, fk->ncols, fk->cols[i]))
			return 0;
	return 1;
}

/* ---- finish(): buckets, so that each key is compared with its own table's indexes ---- */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* A chained hash table in the run's memory: heads[hash % n]. */
struct buckets {
	void **heads;
	size_t n;
};

static void buckets_init(struct lint_ctx *ctx, struct buckets *b, size_t count)
{
	b->n = 16;
	while (b->n < 2 * count)
		b->n *= 2;
	b->heads = lint_alloc(ctx, b->n * sizeof(*b->heads));
}

static void **bucket_of(const struct buckets *b, const char *name)
{
	return &b->heads[hash_name(name) & (b->n - 1)];
}

/* A model index of a table of interest. */
struct model_ix {
	const char *table_key;
	const struct schema_index *ix;
	struct model_ix *next;
};

/* The indexes the model has at the end of the migration on the tables of interest (existing
 * tables with foreign keys to check), bucketed by table key: one pass over the model. */
static void bucket_model_indexes(struct lint_ctx *ctx, const struct buckets *wanted, struct buckets *out)
{
	const struct schema_model *m = lint_model(ctx);
	buckets_init(ctx, out, wanted->n);
	size_t it = 0;
	void *v;
	while (strmap_next(&m->indexes, &it, NULL, &v)) {
		const struct schema_index *ix = v;
		int want = 0;
		for (const struct touched *t = *bucket_of(wanted, ix->table_key); t && !want; t = t->next)
			want = !strcmp(t->key, ix->table_key);
		if (!want)
			continue;
		struct model_ix *e = lint_alloc(ctx, sizeof(*e));
		e->table_key = ix->table_key;
		e->ix = ix;
		void **head = bucket_of(out, ix->table_key);
		e->next = *head;
		*head = e;
	}
}

static int model_covers(const struct buckets *model_ix, const char *table_key, const char *const *cols, size_t n)
{
	for (const struct model_ix *e = *bucket_of(model_ix, table_key); e; e = e->next)
		if (!strcmp(e->table_key, table_key) && model_index_leads(e->ix, cols, n))
			return 1;
	return 0;
}

static const char *column_list(struct lint_ctx *ctx, const char *const *cols, size_t n, const char *table,
			       const char **idxname)
{
	const char *list = "", *name = table;
	for (size_t i = 0; i < n; i++) {
		list = i ? lint_printf(ctx, "%s, %s", list, lint_ident(ctx, cols[i])) : lint_ident(ctx, cols[i]);
		name = lint_printf(ctx, "%s_%s", name, cols[i]);
	}
	*idxname = lint_printf(ctx, "%s_idx", name);
	return list;
}

static void report_fkey(struct lint_ctx *ctx, const struct lint_mark *mark, const char *conname, const char *rel,
			const char *table, const char *parent, const char *const *fkcols, size_t ncols, int existing,
			const char *why)
{
	const char *idxname;
	const char *cols = column_list(ctx, fkcols, ncols, table, &idxname);
	const char *which = *conname ? lint_printf(ctx, "foreign key %s", lint_ident(ctx, conname)) : "foreign key";
	const char *help =
		existing ? lint_printf(ctx,
				       "index the referencing columns without blocking writes, outside a transaction "
				       "block: CREATE INDEX CONCURRENTLY %s ON %s (%s);",
				       lint_ident(ctx, idxname), rel, cols)
			 : lint_printf(ctx,
				       "index the referencing columns in this migration, while the table is new and "
				       "empty: CREATE INDEX %s ON %s (%s);",
				       lint_ident(ctx, idxname), rel, cols);
	lint_report_mark(ctx, &rule_foreign_key_without_index, mark, help,
			 "%s on %s (%s) has no index leading with its columns%s: every DELETE or key UPDATE on "
			 "%s reads all of %s to find referencing rows, and so does every query for the rows of one "
			 "parent",
			 which, rel, cols, why, parent, rel);
}

static int same_columns(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return 1;
}

/* The database's own foreign keys of the tables the migration touched, unindexed at its end;
 * those a DROP INDEX of the migration left so are reported there. */
static void finish_touched(struct lint_ctx *ctx, struct state *st, const struct buckets *model_ix)
{
	const struct schema_model *m = lint_model(ctx);
	for (const struct touched *t = st->touched; t; t = t->next) {
		const struct schema_table *tb = strmap_get(&m->tables, t->key);
		for (size_t i = 0; tb && i < tb->nconstraints; i++) {
			const struct schema_constraint *c = &tb->constraints[i];
			if (c->type != SCHEMA_CON_FOREIGN)
				continue;
			const char *cols[MAX_KEY_COLUMNS];
			size_t ncols = model_fk_columns(c, cols);
			int added = 0; /* added by this migration: reported where it was added */
			for (const struct fkey *fk = st->fkeys; fk && !added; fk = fk->next)
				added = fk->existing && !strcmp(fk->existing, t->key) &&
					(*fk->conname ? !strcmp(fk->conname, c->name)
						      : same_columns(fk->cols, fk->ncols, cols, ncols));
			if (added || !ncols || model_covers(model_ix, t->key, cols, ncols))
				continue;
			const struct lint_mark *mark = &t->mark;
			const char *why = " (a foreign key the database has)";
			for (const struct dropped_index *d = st->dropped_indexes; d; d = d->next)
				for (size_t k = 0; k < d->nfk && strcmp(d->table_key, t->key) == 0; k++)
					if (!strcmp(d->fk_names[k], c->name)) {
						mark = &d->mark;
						why = lint_printf(ctx, " once %s is dropped", lint_ident(ctx, d->name));
					}
			report_fkey(ctx, mark, c->name, t->rel, tb->name, c->ref_table ? c->ref_table : "?", cols, ncols,
				    1, why);
		}
	}
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_foreign_key_without_index);
	if (!st)
		return;
	size_t nindexes = 0;
	for (const struct index *ix = st->indexes; ix; ix = ix->next)
		nindexes++;
	struct buckets by_name;
	buckets_init(ctx, &by_name, nindexes);
	for (struct index *ix = st->indexes; ix; ix = ix->next) {
		void **head = bucket_of(&by_name, ix->table.name);
		ix->bucket_next = *head;
		*head = ix;
	}
	struct buckets opaque;
	size_t nopaque = 0;
	for (const struct opaque *o = st->opaque; o; o = o->next)
		nopaque++;
	buckets_init(ctx, &opaque, nopaque);
	for (struct opaque *o = st->opaque; o; o = o->next) {
		void **head = bucket_of(&opaque, o->table.name);
		o->next_in_bucket = *head;
		*head = o;
	}
	/* the existing tables (those of existing keys among them: ALTER TABLE touched them) whose
	 * keys are checked against the model's indexes */
	struct buckets touched, model_ix = { NULL, 0 };
	size_t ntouched = 0;
	for (const struct touched *t = st->touched; t; t = t->next)
		ntouched++;
	if (ntouched) {
		buckets_init(ctx, &touched, ntouched);
		for (struct touched *t = st->touched; t; t = t->next) {
			struct touched *copy = lint_alloc(ctx, sizeof(*copy));
			*copy = *t;
			void **head = bucket_of(&touched, t->key);
			copy->next = *head;
			*head = copy;
		}
		bucket_model_indexes(ctx, &touched, &model_ix);
	}
	for (const struct fkey *fk = st->fkeys; fk; fk = fk->next) {
		if (fk->dropped)
			continue;
		int covered = 0;
		for (const struct index *ix = *bucket_of(&by_name, fk->table.name); ix && !covered; ix = ix->bucket_next)
			covered = index_covers(ix, fk);
		for (const struct opaque *o = *bucket_of(&opaque, fk->table.name); o && !covered; o = o->next_in_bucket)
			covered = same_table(&o->table, &fk->table); /* its indexes are unknown */
		if (!covered && fk->existing)
			covered = model_covers(&model_ix, fk->existing, fk->cols, fk->ncols);
		if (!covered)
			report_fkey(ctx, &fk->mark, fk->conname, fk->rel, fk->table.name, fk->parent, fk->cols, fk->ncols,
				    fk->existing != NULL, "");
	}
	if (ntouched)
		finish_touched(ctx, st, &model_ix);
}
