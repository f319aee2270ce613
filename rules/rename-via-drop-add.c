/* rename-via-drop-add: a migration that drops a column of an existing table and adds another
 * to the same table, when the pair looks like a rename. Schema-diff tools write a rename as
 * DROP COLUMN + ADD COLUMN when nobody tells them otherwise, and the data of the old column is
 * gone once it runs.
 *
 * A dropped and an added column make a pair when (in this order of preference):
 *   1. they have the same name: the column is re-created, usually to change its type;
 *   2. their names share a stem, or are the same words in another order (defined below);
 *   3. they have the same type, as the model knows it from earlier statements and migrations,
 *      and they are the only column dropped and the only one added on that table in the
 *      migration (with several of each, equal types alone say nothing about which is which).
 *
 * Stem: a name is split into words at '_', '-', ' ', '.', and where a lower-case letter or a
 * digit is followed by an upper-case one (customerId -> customer, id); words are compared
 * case-insensitively. Two names share a stem when their word lists are equal (user_id and
 * userId), or the shorter list is the first or the last words of the longer one (phone and
 * phone_number; name and full_name), and the shared words are not only generic ones that many
 * unrelated columns carry (id, at, by, type, ...). Names made of the same words in another order
 * (enabledTypedSignature, typedSignatureEnabled) pair too.
 *
 * The dropped column's type is read from the model before the DROP (rules run before the model
 * is advanced), and pairs are decided in finish(), since the ADD may come first. Columns the
 * migration added itself and tables it created hold no old data and are left out.
 *
 * Nothing is lost, and nothing reported, when the migration moves the data before the DROP:
 * an UPDATE of the table that sets the new column from an expression reading the old one
 * (UPDATE t SET new = old), an INSERT ... SELECT into the table whose new column takes a value
 * reading the old one; or when the migration empties the table (TRUNCATE, DELETE without
 * WHERE), before or after, since its data was meant to go. */
#include <string.h>

#include "lint/rule.h"
#include "schema/norm.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, PG_QUERY__NODE__NODE_UPDATE_STMT,
	PG_QUERY__NODE__NODE_INSERT_STMT,      PG_QUERY__NODE__NODE_DELETE_STMT,
	PG_QUERY__NODE__NODE_TRUNCATE_STMT,    LINT_KINDS_END,
};

const struct rule rule_rename_via_drop_add = {
	.id = "rename-via-drop-add",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "a column dropped and another added to the same table: probably a rename that loses the data",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

enum { MAX_WORDS = 16, TYPE_TEXT = 96 };

struct column_change {
	const char *schema, *table; /* schema "" when not written */
	const char *rel;            /* as written, for messages */
	const char *column;
	char type[TYPE_TEXT];       /* "varchar(20)"; "" when unknown */
	struct lint_mark mark;
	int paired;
	struct column_change *next;
};

/* Data moved before a DROP: `column` (the target) filled from `from` (NULL: the table was
 * emptied, so no column of it holds data). */
struct data_move {
	const char *schema, *table;
	const char *column, *from;
	int stmt_index;
	struct data_move *next;
};

struct state {
	struct column_change *drops, **drops_tail;
	struct column_change *adds, **adds_tail;
	struct data_move *moves;
};

/* Words that many unrelated column names start or end with: sharing only these is no sign of
 * a rename. */
static const char *const generic_words[] = {
	"id", "ids", "uuid", "key", "ref", "at", "on", "by", "is", "has", "no", "num",
	"type", "kind", "date", "time", "ts", "count", "code", "flag", "value",
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_rename_via_drop_add, sizeof(*st), &fresh);
	if (fresh) {
		st->drops_tail = &st->drops;
		st->adds_tail = &st->adds;
	}
	return st;
}

struct words {
	char text[MAX_WORDS][64];
	size_t n;
};

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static void split_words(const char *name, struct words *w)
{
	w->n = 0;
	size_t len = 0;
	for (const char *p = name;; p++) {
		int sep = !*p || *p == '_' || *p == '-' || *p == ' ' || *p == '.';
		int camel = p > name && is_upper(*p) && is_lower_or_digit(p[-1]);
		if ((sep || camel) && len) {
			w->text[w->n][len] = '\0';
			if (++w->n == MAX_WORDS)
				return;
			len = 0;
		}
		if (!*p)
			return;
		if (sep)
			continue;
		if (len + 1 < sizeof(w->text[0]))
			w->text[w->n][len++] = (char)(is_upper(*p) ? *p - 'A' + 'a' : *p);
	}
}

static int is_generic(const char *word)
{
	for (size_t i = 0; i < sizeof(generic_words) / sizeof(generic_words[0]); i++)
		if (!strcmp(word, generic_words[i]))
			return 1;
	return 0;
}

/* Whether words a[from..from+n) equal b[0..n), and not all of them are generic. */
static int shared_run(const struct words *a, size_t from, const struct words *b, size_t n)
{
	int significant = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a->text[from + i], b->text[i]))
			return 0;
		significant |= !is_generic(b->text[i]);
	}
	return significant;
}

/* Whether the names are the same words in another order (enabledTypedSignature and
 * typedSignatureEnabled), not only generic ones. */
static int same_words_reordered(const char *x, const char *y)
{
	struct words a, b;
	split_words(x, &a);
	split_words(y, &b);
	if (a.n != b.n || a.n < 2)
		return 0;
	int used[MAX_WORDS] = { 0 }, significant = 0, reordered = 0;
	for (size_t i = 0; i < a.n; i++) {
		size_t k = 0;
		while (k < b.n && (used[k] || strcmp(a.text[i], b.text[k])))
			k++;
		if (k == b.n)
			return 0;
		used[k] = 1;
		reordered |= k != i;
		significant |= !is_generic(a.text[i]);
	}
	return significant && reordered;
}

/* The stem the two names share (its words joined by '_'), or NULL. */
static const char *shared_stem(struct lint_ctx *ctx, const char *x, const char *y)
{
	struct words a, b;
	split_words(x, &a);
	split_words(y, &b);
	const struct words *longer = a.n >= b.n ? &a : &b, *shorter = a.n >= b.n ? &b : &a;
	if (!shorter->n)
		return NULL;
	if (!shared_run(longer, 0, shorter, shorter->n) &&
	    !shared_run(longer, longer->n - shorter->n, shorter, shorter->n))
		return NULL;
	const char *stem = shorter->text[0];
	for (size_t i = 1; i < shorter->n; i++)
		stem = lint_printf(ctx, "%s_%s", stem, shorter->text[i]);
	return lint_printf(ctx, "%s", stem);
}

static struct column_change *record(struct lint_ctx *ctx, struct column_change ***tail,
				    const PgQuery__RangeVar *rv, const char *column)
{
	struct column_change *c = lint_alloc(ctx, sizeof(*c));
	c->schema = lint_keep(ctx, rv->schemaname);
	c->table = lint_keep(ctx, rv->relname);
	c->rel = lint_rel(ctx, rv);
	c->column = lint_keep(ctx, column);
	c->mark = lint_mark_here(ctx, -1);
	**tail = c;
	*tail = &c->next;
	return c;
}

static void record_move(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
			const char *from)
{
	struct state *st = get_state(ctx);
	struct data_move *m = lint_alloc(ctx, sizeof(*m));
	m->schema = lint_keep(ctx, rv->schemaname);
	m->table = lint_keep(ctx, rv->relname);
	m->column = column ? lint_keep(ctx, column) : NULL;
	m->from = from ? lint_keep(ctx, from) : NULL;
	m->stmt_index = lint_mark_here(ctx, -1).stmt_index;
	m->next = st->moves;
	st->moves = m;
}

/* A move for every column the expression reads into `column`. */
static void record_moves_from(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
			      const PgQuery__Node *expr)
{
	struct schema_strlist read = { 0 };
	schema_expr_columns(expr, &read);
	for (size_t i = 0; i < read.n; i++) {
		const char *dot = strrchr(read.items[i], '.');
		record_move(ctx, rv, column, dot ? dot + 1 : read.items[i]);
	}
	schema_strlist_clear(&read);
}

static void visit_update(struct lint_ctx *ctx, const PgQuery__UpdateStmt *us)
{
	for (size_t i = 0; us->relation && i < us->n_target_list; i++) {
		const PgQuery__Node *n = us->target_list[i];
		if (n->node_case == PG_QUERY__NODE__NODE_RES_TARGET && *n->res_target->name)
			record_moves_from(ctx, us->relation, n->res_target->name, n->res_target->val);
	}
}

/* INSERT INTO t (a, new) SELECT x, old FROM ...: the column list and the query's select list
 * pair by position. */
static void visit_insert(struct lint_ctx *ctx, const PgQuery__InsertStmt *is)
{
	const PgQuery__Node *q = is->select_stmt;
	if (!is->relation || !q || q->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return;
	const PgQuery__SelectStmt *ss = q->select_stmt;
	for (size_t i = 0; i < is->n_cols && i < ss->n_target_list; i++) {
		const PgQuery__Node *col = is->cols[i], *val = ss->target_list[i];
		if (col->node_case == PG_QUERY__NODE__NODE_RES_TARGET &&
		    val->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
			record_moves_from(ctx, is->relation, col->res_target->name, val->res_target->val);
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
		visit_update(ctx, node->update_stmt);
		return;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		visit_insert(ctx, node->insert_stmt);
		return;
	case PG_QUERY__NODE__NODE_DELETE_STMT:
		if (node->delete_stmt->relation && !node->delete_stmt->where_clause)
			record_move(ctx, node->delete_stmt->relation, NULL, NULL);
		return;
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
		for (size_t i = 0; i < node->truncate_stmt->n_relations; i++)
			if (node->truncate_stmt->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
				record_move(ctx, node->truncate_stmt->relations[i]->range_var, NULL, NULL);
		return;
	default:
		break;
	}
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (!lint_altered_table(ctx, as))
		return;
	struct state *st = get_state(ctx);
	const struct schema_table *t = lint_table(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn && *cmd->name) {
			const struct schema_column *col = t ? schema_column_find(t, cmd->name) : NULL;
			if (col && col->added_in_migration)
				continue; /* added by this migration: no old data */
			struct column_change *c = record(ctx, &st->drops_tail, as->relation, cmd->name);
			if (col && col->type) {
				struct sql_type ty = { .name = col->type, .nmods = col->nmods,
						       .array_dims = col->array_dims };
				memcpy(ty.mods, col->mods, sizeof(ty.mods));
				sql_type_format(&ty, c->type, sizeof(c->type));
			}
		} else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && cmd->def &&
			   cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
			const PgQuery__ColumnDef *cd = cmd->def->column_def;
			struct column_change *c = record(ctx, &st->adds_tail, as->relation, cd->colname);
			struct sql_type ty;
			sql_type_from_node(cd->type_name, &ty);
			if (*ty.name && ty.nmods >= 0)
				sql_type_format(&ty, c->type, sizeof(c->type));
		}
	}
}

static int same_table(const struct column_change *a, const struct column_change *b)
{
	return !strcmp(a->table, b->table) &&
	       (!*a->schema || !*b->schema || !strcmp(a->schema, b->schema));
}

/* Whether the data of the dropped column d was moved into a (or the table emptied) before the
 * DROP. */
static int data_moved(const struct state *st, const struct column_change *d, const struct column_change *a)
{
	for (const struct data_move *m = st->moves; m; m = m->next) {
		int same = !strcmp(m->table, d->table) && (!*m->schema || !*d->schema || !strcmp(m->schema, d->schema));
		if (!same)
			continue;
		if (!m->column) /* emptied, before or after: the data was meant to go */
			return 1;
		if (m->stmt_index <= d->mark.stmt_index && !strcmp(m->column, a->column) &&
		    !strcmp(m->from, d->column))
			return 1;
	}
	return 0;
}

static size_t count_on(const struct column_change *list, const struct column_change *like)
{
	size_t n = 0;
	for (; list; list = list->next)
		n += same_table(list, like);
	return n;
}

static void report(struct lint_ctx *ctx, const struct column_change *d, const struct column_change *a,
		   const char *why)
{
	const char *from = lint_ident(ctx, d->column), *to = lint_ident(ctx, a->column);
	if (!strcmp(d->column, a->column)) {
		lint_report_mark(
			ctx, &rule_rename_via_drop_add, &d->mark,
			lint_printf(ctx,
				    "change the column in place, which keeps the data: ALTER TABLE %s "
				    "ALTER COLUMN %s TYPE %s USING %s::%s; (for a large table, add a new "
				    "column, copy in batches, and switch over in later migrations)",
				    d->rel, from, *a->type ? a->type : "...", from, *a->type ? a->type : "..."),
			"column %s of %s is dropped and added again in the same migration: every value "
			"it holds is lost%s",
			from, d->rel,
			*d->type && *a->type ? lint_printf(ctx, " (%s becomes %s)", d->type, a->type) : "");
		return;
	}
	lint_report_mark(
		ctx, &rule_rename_via_drop_add, &d->mark,
		lint_printf(ctx,
			    "if it is a rename, rename it, which keeps the data: ALTER TABLE %s RENAME "
			    "COLUMN %s TO %s; (the running application still uses the old name: for a "
			    "zero-downtime rename add %s, copy with UPDATE %s SET %s = %s in batches, "
			    "switch the code, and drop %s in a later migration); if the data is really "
			    "meant to go, drop and add in separate migrations",
			    d->rel, from, to, to, d->rel, to, from, from),
		"column %s of %s is dropped and %s is added in the same migration (%s): if this "
		"was meant as a rename, the data in %s is lost",
		from, d->rel, to, why, from);
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_rename_via_drop_add);
	if (!st)
		return;
	for (struct column_change *d = st->drops; d; d = d->next) {
		struct column_change *best = NULL;
		const char *why = NULL;
		for (struct column_change *a = st->adds; a && !best; a = a->next)
			if (!a->paired && same_table(a, d) && !strcmp(a->column, d->column))
				best = a, why = "the same name";
		for (struct column_change *a = st->adds; a && !best; a = a->next)
			if (!a->paired && same_table(a, d) && same_words_reordered(d->column, a->column))
				best = a, why = "the names are the same words in another order";
		for (struct column_change *a = st->adds; a && !best; a = a->next) {
			const char *stem;
			if (!a->paired && same_table(a, d) && (stem = shared_stem(ctx, d->column, a->column)))
				best = a, why = lint_printf(ctx, "the names share the stem \"%s\"", stem);
		}
		if (!best && *d->type && count_on(st->drops, d) == 1 && count_on(st->adds, d) == 1) {
			for (struct column_change *a = st->adds; a && !best; a = a->next)
				if (!a->paired && same_table(a, d) && !strcmp(a->type, d->type))
					best = a, why = lint_printf(ctx, "both %s, the only column dropped "
									 "and the only one added",
								    d->type);
		}
		if (!best)
			continue;
		best->paired = 1;
		if (!data_moved(st, d, best))
			report(ctx, d, best, why);
	}
}
