/* prefer-robust-statements: in a migration known to run outside a transaction, statements
 * that fail when the migration is run a second time: CREATE TABLE and CREATE INDEX without IF
 * NOT EXISTS, ADD COLUMN without IF NOT EXISTS, DROP ... without IF EXISTS. Without a
 * transaction, a migration that fails half way stays half applied, and the runner retries it
 * from the top; the statements that already ran must then do nothing instead of failing.
 *
 * "Known to run outside a transaction": the runner says so (LINT_TX_NONE), or the migration
 * holds a statement PostgreSQL refuses in a transaction block (effects/notx.h: CREATE INDEX
 * CONCURRENTLY, VACUUM, ...) outside any BEGIN. A plain SQL file without such a statement is not
 * assumed to be non-transactional: most runners wrap migrations, and reporting every CREATE
 * TABLE of every file would bury the findings that matter. That statement may come last, so
 * the candidates are collected and reported in finish().
 *
 * The last statement doing work is left out too: a statement is atomic, so when it fails nothing
 * of it remains, and a retry starts clean. A concurrent index build is the exception: it commits
 * along the way, and a failed one leaves an INVALID index that makes the retry fail.
 *
 * Creating an object that a DROP ... IF EXISTS removed earlier in the migration is re-runnable
 * as it stands (DROP TABLE IF EXISTS t; CREATE TABLE t ...), and is left out as well.
 *
 * Statements a DO block runs are left out: DO blocks usually guard them with IF NOT EXISTS
 * (SELECT ...) checks the rule cannot read. */
#include <string.h>

#include "effects/notx.h"
#include "lint/rule.h"
#include "lint/run.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_prefer_robust_statements = {
	.id = "prefer-robust-statements",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a statement in a migration that runs outside a transaction is not safe to re-run",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
	.fix = "IF [NOT] EXISTS: CREATE TABLE, CREATE INDEX with a name, ADD COLUMN, DROP COLUMN, DROP CONSTRAINT, DROP of any object",
};

struct candidate {
	struct lint_mark mark;
	const char *what; /* CREATE TABLE "t" */
	const char *fails; /* what a second run does */
	const char *help;
	int concurrent_index;
	int work;           /* how many statements doing work came before it */
	struct lint_fix *fix; /* the IF [NOT] EXISTS form, where it is mechanical; NULL */
	struct candidate *next;
};

/* An object a DROP ... IF EXISTS cleared earlier in the migration: creating it again after that
 * is re-runnable as it stands (DROP TABLE IF EXISTS t; CREATE TABLE t ...). */
struct cleared {
	char kind;         /* 't' table, 'i' index, 'c' column (of table) */
	const char *table; /* relation name: the table, or the column's table */
	const char *name;  /* index or column name; NULL for a table */
	struct cleared *next;
};

struct state {
	struct cleared *cleared;
	const char *notx;    /* why the migration runs outside a transaction; NULL: not known */
	int do_index;        /* statement index of the last DO block, -1 before any */
	int work;            /* statements doing work so far (not SET, not transaction control) */
	struct candidate *list, **tail;
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_prefer_robust_statements, sizeof(*st), &fresh);
	if (fresh) {
		st->do_index = -1;
		st->tail = &st->list;
	}
	return st;
}

static void clear(struct lint_ctx *ctx, struct state *st, char kind, const char *table,
		  const char *name)
{
	struct cleared *c = lint_alloc(ctx, sizeof(*c));
	c->kind = kind;
	c->table = lint_keep(ctx, table);
	c->name = name ? lint_keep(ctx, name) : NULL;
	c->next = st->cleared;
	st->cleared = c;
}

static int was_cleared(const struct state *st, char kind, const char *table, const char *name)
{
	for (const struct cleared *c = st->cleared; c; c = c->next)
		if (c->kind == kind && (!table || !strcmp(c->table, table)) &&
		    (!name || (c->name && !strcmp(c->name, name))))
			return 1;
	return 0;
}

static struct candidate *add(struct lint_ctx *ctx, struct state *st, const char *what, const char *help,
		int concurrent_index)
{
	struct candidate *c = lint_alloc(ctx, sizeof(*c));
	c->mark = lint_mark_here(ctx, -1);
	c->what = what;
	c->help = help;
	c->concurrent_index = concurrent_index;
	c->work = st->work;
	c->fails = "fails when the migration is run again";
	*st->tail = c;
	st->tail = &c->next;
	return c;
}

/* The fix: `words` inserted after the token that starts at or after `from`, after `skip`
 * further tokens (DROP's object type words, CONCURRENTLY); none when the tokens are not there. */
static void fix_after(struct lint_ctx *ctx, struct candidate *c, uint32_t from, int skip, const char *words)
{
	uint32_t start, end = from;
	for (int i = 0; i <= skip; i++)
		if (lint_token_after(ctx, i ? end : from, &start, &end) < 0)
			return;
	if (!lint_fix_possible(ctx))
		return;
	c->fix = lint_fix_new(ctx, lint_printf(ctx, "add %s, so that running the migration again does nothing", words + 1));
	lint_fix_replace(ctx, c->fix, end, 0, words);
}

/* The fix of an ALTER TABLE with one command `DROP [COLUMN|CONSTRAINT] name`: IF EXISTS after
 * the word that precedes the name. */
static void fix_alter_drop(struct lint_ctx *ctx, struct candidate *c, const PgQuery__AlterTableStmt *as, int keyword)
{
	uint32_t start, end;
	if (as->n_cmds != 1 || lint_find_token(ctx, PG_QUERY__TOKEN__DROP, lint_mark_here(ctx, -1).offset, &start, &end) != 0)
		return;
	uint32_t nstart, nend;
	int next = lint_token_after(ctx, end, &nstart, &nend);
	if (next == keyword)
		fix_after(ctx, c, nstart, 0, " IF EXISTS");
	else if (keyword == PG_QUERY__TOKEN__COLUMN)
		fix_after(ctx, c, start, 0, " IF EXISTS");
}

/* The word DROP takes for each object type, for messages and help. */
static const struct {
	PgQuery__ObjectType type;
	const char *word;
} drop_words[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "TABLE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, "INDEX" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "SEQUENCE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "VIEW" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "MATERIALIZED VIEW" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, "FOREIGN TABLE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA, "SCHEMA" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TYPE, "TYPE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN, "DOMAIN" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION, "EXTENSION" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION, "FUNCTION" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, "PROCEDURE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE, "ROUTINE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE, "AGGREGATE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, "TRIGGER" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, "POLICY" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_RULE, "RULE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION, "COLLATION" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_PUBLICATION, "PUBLICATION" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_STATISTIC_EXT, "STATISTICS" },
};

static const char *drop_word(PgQuery__ObjectType type)
{
	for (size_t i = 0; i < sizeof(drop_words) / sizeof(drop_words[0]); i++)
		if (drop_words[i].type == type)
			return drop_words[i].word;
	return NULL;
}

/* A list of String nodes items[from..to) as a dotted, quoted name; NULL when one is not a string. */
static const char *dotted(struct lint_ctx *ctx, PgQuery__Node *const *items, size_t from, size_t to)
{
	const char *s = NULL;
	for (size_t i = from; i < to; i++) {
		const char *part = sql_node_str(items[i]);
		if (!part)
			return NULL;
		s = s ? lint_printf(ctx, "%s.%s", s, lint_ident(ctx, part)) : lint_ident(ctx, part);
	}
	return s;
}

/* A DROP object as text: "public"."t"; "trg" ON "t" for triggers, policies and rules. */
static const char *drop_object(struct lint_ctx *ctx, const PgQuery__DropStmt *ds, const PgQuery__Node *obj)
{
	const char *s = NULL;
	if (obj->node_case == PG_QUERY__NODE__NODE_STRING) {
		s = lint_ident(ctx, obj->string->sval);
	} else if (obj->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
		s = dotted(ctx, obj->object_with_args->objname, 0, obj->object_with_args->n_objname);
	} else if (obj->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
		s = dotted(ctx, obj->type_name->names, 0, obj->type_name->n_names);
	} else if (obj->node_case == PG_QUERY__NODE__NODE_LIST && obj->list->n_items) {
		PgQuery__Node *const *items = obj->list->items;
		size_t n = obj->list->n_items;
		int on_table = ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER ||
			       ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY ||
			       ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE;
		if (on_table && n >= 2) {
			const char *name = dotted(ctx, items, n - 1, n), *table = dotted(ctx, items, 0, n - 1);
			if (name && table)
				s = lint_printf(ctx, "%s ON %s", name, table);
		} else {
			s = dotted(ctx, items, 0, n);
		}
	}
	return s ? s : "...";
}

static void drop_stmt(struct lint_ctx *ctx, struct state *st, const PgQuery__DropStmt *ds)
{
	if (ds->missing_ok) {
		for (size_t i = 0; i < ds->n_objects; i++) {
			const PgQuery__Node *obj = ds->objects[i];
			if (obj->node_case != PG_QUERY__NODE__NODE_LIST || !obj->list->n_items)
				continue;
			const char *last = sql_node_str(obj->list->items[obj->list->n_items - 1]);
			if (!last)
				continue;
			if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
				clear(ctx, st, 't', last, NULL);
			else if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
				clear(ctx, st, 'i', "", last);
		}
		return;
	}
	const char *word = drop_word(ds->remove_type);
	if (!word)
		return;
	const char *names = "";
	for (size_t i = 0; i < ds->n_objects; i++) {
		const char *one = drop_object(ctx, ds, ds->objects[i]);
		names = i ? lint_printf(ctx, "%s, %s", names, one) : one;
	}
	const char *conc = ds->concurrent ? "CONCURRENTLY " : "";
	struct candidate *c = add(ctx, st, lint_printf(ctx, "DROP %s %s%s", word, conc, names),
				  lint_printf(ctx, "write DROP %s %sIF EXISTS %s, which does nothing once it is gone",
					      word, conc, names),
				  0);
	/* IF EXISTS after DROP, the type's words and CONCURRENTLY */
	int skip = 1 + ds->concurrent;
	for (const char *w = word; *w; w++)
		skip += *w == ' ';
	fix_after(ctx, c, lint_mark_here(ctx, -1).offset, skip, " IF EXISTS");
}

static void alter_table(struct lint_ctx *ctx, struct state *st, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation)
		return;
	const char *rel = lint_rel(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		if (cmd->missing_ok) {
			if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn)
				clear(ctx, st, 'c', as->relation->relname, cmd->name);
			continue;
		}
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
			if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
				break;
			if (was_cleared(st, 'c', as->relation->relname, cmd->def->column_def->colname))
				break;
			const char *col = lint_ident(ctx, cmd->def->column_def->colname);
			struct candidate *c = add(ctx, st, lint_printf(ctx, "ALTER TABLE %s ADD COLUMN %s", rel, col),
						  lint_printf(ctx, "write ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s ..., "
								   "which does nothing once the column is there",
							      rel, col),
						  0);
			/* IF NOT EXISTS just before the column's name */
			if (cmd->def->column_def->location >= 0 && lint_fix_possible(ctx)) {
				c->fix = lint_fix_new(ctx, "add IF NOT EXISTS, so that running the migration again does nothing");
				lint_fix_replace(ctx, c->fix, lint_mark_here(ctx, cmd->def->column_def->location).offset, 0,
						 "IF NOT EXISTS ");
			}
			break;
		}
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: {
			int column = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn;
			const char *word = column ? "COLUMN" : "CONSTRAINT", *name = lint_ident(ctx, cmd->name);
			struct candidate *c = add(ctx, st, lint_printf(ctx, "ALTER TABLE %s DROP %s %s", rel, word, name),
						  lint_printf(ctx, "write ALTER TABLE %s DROP %s IF EXISTS %s, which "
								   "does nothing once it is gone",
							      rel, word, name),
						  0);
			fix_alter_drop(ctx, c, as, column ? PG_QUERY__TOKEN__COLUMN : PG_QUERY__TOKEN__CONSTRAINT);
			break;
		}
		default:
			break;
		}
	}
}

static void index_stmt(struct lint_ctx *ctx, struct state *st, const PgQuery__IndexStmt *is)
{
	if (is->if_not_exists || !is->relation)
		return;
	const char *rel = lint_rel(ctx, is->relation);
	const char *conc = is->concurrent ? "CONCURRENTLY " : "";
	const char *uniq = is->unique ? "UNIQUE " : "";
	if (!*is->idxname) {
		struct candidate *c = add(
			ctx, st, lint_printf(ctx, "CREATE %sINDEX %son %s without a name", uniq, conc, rel),
			lint_printf(ctx,
				    "name the index and write CREATE %sINDEX %sIF NOT EXISTS %s_..._idx "
				    "ON %s (...), which does nothing once it is there",
				    uniq, conc, is->relation->relname, rel),
			is->concurrent);
		c->fails = "builds one more copy of the index each time the migration is run again";
		return;
	}
	if (was_cleared(st, 'i', NULL, is->idxname))
		return;
	const char *name = lint_ident(ctx, is->idxname);
	struct candidate *c = add(ctx, st, lint_printf(ctx, "CREATE %sINDEX %s%s", uniq, conc, name),
	    lint_printf(ctx, "write CREATE %sINDEX %sIF NOT EXISTS %s ON %s ...%s", uniq, conc, name, rel,
			is->concurrent
				? lint_printf(ctx,
					      "; IF NOT EXISTS alone is not enough: a failed concurrent "
					      "build leaves %s behind INVALID, and IF NOT EXISTS would "
					      "then skip it, so run DROP INDEX CONCURRENTLY IF EXISTS %s "
					      "before it when pg_index.indisvalid is false for it",
					      name, name)
				: ""),
	    is->concurrent);
	/* IF NOT EXISTS after INDEX [CONCURRENTLY] */
	uint32_t start, end;
	if (lint_find_token(ctx, PG_QUERY__TOKEN__INDEX, lint_mark_here(ctx, -1).offset, &start, &end) == 0)
		fix_after(ctx, c, start, is->concurrent, " IF NOT EXISTS");
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct state *st = get_state(ctx);
	struct lint_mark here = lint_mark_here(ctx, -1);
	if (node->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
		st->do_index = here.stmt_index;
		return;
	}
	if (here.stmt_index == st->do_index)
		return; /* run by the DO block before it */
	int is_work = node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT &&
		      node->node_case != PG_QUERY__NODE__NODE_VARIABLE_SET_STMT &&
		      node->node_case != PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT;
	st->work += is_work;
	/* A runner that sends statements one by one still runs the ones between the script's own
	 * BEGIN and COMMIT atomically (Sqitch scripts carry theirs): only work done outside one
	 * makes the migration non-atomic. SET and transaction control are not work. */
	if (!st->notx && lint_framework_tx_kind(ctx) == LINT_TX_NONE && !lint_in_transaction(ctx) &&
	    is_work)
		st->notx = "the migration runner runs it without a transaction";
	struct notx_info info;
	if (!st->notx && !lint_in_transaction(ctx) && notx_check(node, lint_pg_version(ctx), &info))
		st->notx = lint_printf(ctx, "%s cannot run inside a transaction", info.command);
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT: {
		const PgQuery__CreateStmt *cs = node->create_stmt;
		if (cs->if_not_exists || !cs->relation || lint_table_is_new(ctx, cs->relation) ||
		    was_cleared(st, 't', cs->relation->relname, NULL))
			break; /* a temporary table, one created twice, or one just dropped IF EXISTS */
		const char *rel = lint_rel(ctx, cs->relation);
		struct candidate *c = add(ctx, st, lint_printf(ctx, "CREATE TABLE %s", rel),
					  lint_printf(ctx, "write CREATE TABLE IF NOT EXISTS %s (...), which does "
							   "nothing once the table is there",
						      rel),
					  0);
		uint32_t start, end;
		if (lint_find_token(ctx, PG_QUERY__TOKEN__TABLE, lint_mark_here(ctx, -1).offset, &start, &end) == 0)
			fix_after(ctx, c, start, 0, " IF NOT EXISTS");
		break;
	}
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		index_stmt(ctx, st, node->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(ctx, st, node->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop_stmt(ctx, st, node->drop_stmt);
		break;
	default:
		break;
	}
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_prefer_robust_statements);
	if (!st || !st->notx)
		return;
	for (const struct candidate *c = st->list; c; c = c->next) {
		/* The last statement doing work leaves nothing half done when it fails, since a
		 * statement is atomic on its own; except a concurrent index build, which commits
		 * along the way and leaves an INVALID index behind. */
		int last = c->work == st->work;
		if (last && !c->concurrent_index)
			continue;
		lint_fix_attach(ctx, c->fix);
		if (last) {
			lint_report_mark(ctx, &rule_prefer_robust_statements, &c->mark, c->help,
					 "%s %s after a failed build: a concurrent build that fails "
					 "leaves an INVALID index behind, which no transaction rolls back",
					 c->what, c->fails);
			continue;
		}
		lint_report_mark(ctx, &rule_prefer_robust_statements, &c->mark, c->help,
				 "%s %s: the migration runs outside a transaction (%s), so after a "
				 "failure part of it is already applied%s",
				 c->what, c->fails, st->notx,
				 c->concurrent_index ? ", and a failed concurrent build leaves an INVALID "
						       "index behind"
						     : "");
	}
}
