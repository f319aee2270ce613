/* REINDEX without CONCURRENTLY takes SHARE on the table (writes wait) and ACCESS EXCLUSIVE on
 * each index it rebuilds; since the planner locks every index of a table it plans a query
 * for, nearly every query on the table waits too. REINDEX ... CONCURRENTLY exists from
 * PostgreSQL 12 on, and never for system catalogs (REINDEX SYSTEM), so those are not
 * reported. */
#include <ctype.h>
#include <string.h>

#include "effects/notx.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_REINDEX_STMT, LINT_KINDS_END };

const struct rule rule_reindex_blocking = {
	.id = "reindex-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "REINDEX without CONCURRENTLY blocks writes to the table and reads through the index",
	.kinds = kinds,
	.visit = visit,
	.fix = "CONCURRENTLY, alone in its migration (with dbmate's or sqlx's no-transaction marker; PostgreSQL 12+)",
};

enum { CONCURRENTLY_SINCE = 12 };

/* Whether the index REINDEX INDEX names, or the table of REINDEX TABLE, is new in this
 * migration. */
static int target_is_new(struct lint_ctx *ctx, const PgQuery__ReindexStmt *rs)
{
	if (rs->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE)
		return lint_table_is_new(ctx, rs->relation);
	if (rs->kind != PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX)
		return 0;
	struct schema_model *m = lint_model(ctx);
	const PgQuery__RangeVar *rv = rs->relation;
	const struct schema_index *ix =
		schema_object_find(m, SCHEMA_KIND_INDEX, *rv->schemaname ? rv->schemaname : NULL, rv->relname);
	if (!ix)
		return 0;
	if (ix->created_in_migration)
		return 1;
	const struct schema_table *t = strmap_get(&m->tables, ix->table_key);
	return t && t->created_in_migration;
}

/* The user's other options with CONCURRENTLY added: "(VERBOSE, TABLESPACE "fast", CONCURRENTLY) ",
 * or "" when there are none (the keyword form is used then). */
static const char *options_with_concurrently(struct lint_ctx *ctx, const PgQuery__ReindexStmt *rs)
{
	const char *s = "";
	for (size_t i = 0; i < rs->n_params; i++) {
		const PgQuery__Node *p = rs->params[i];
		if (p->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !strcmp(p->def_elem->defname, "concurrently"))
			continue;
		char *name = lint_printf(ctx, "%s", p->def_elem->defname);
		for (char *c = name; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		const char *v = sql_node_str(p->def_elem->arg);
		if (v && !strcmp(p->def_elem->defname, "tablespace"))
			v = lint_ident(ctx, v);
		s = lint_printf(ctx, "%s%s%s%s, ", s, name, v ? " " : "", v ? v : "");
	}
	return *s ? lint_printf(ctx, "(%sCONCURRENTLY) ", s) : "";
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__ReindexStmt *rs = node->reindex_stmt;
	if (lint_pg_version(ctx) < CONCURRENTLY_SINCE || notx_reindex_concurrently(rs))
		return;
	const char *what, *shown, *lock;
	switch (rs->kind) {
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
		if (!rs->relation)
			return;
		what = "INDEX";
		shown = lint_rel(ctx, rs->relation);
		lock = lint_printf(ctx,
				   "takes an %s lock on the index and a %s lock on its table: writes wait, and "
				   "so do queries that plan to use the index, until it is rebuilt",
				   lock_mode_name(LOCK_ACCESS_EXCLUSIVE), lock_mode_name(LOCK_SHARE));
		break;
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
		if (!rs->relation)
			return;
		what = "TABLE";
		shown = lint_rel(ctx, rs->relation);
		lock = lint_printf(ctx,
				   "takes a %s lock on the table and an %s lock on each of its indexes: writes "
				   "wait, and so does nearly every query (planning locks all of the table's "
				   "indexes), until every index is rebuilt",
				   lock_mode_name(LOCK_SHARE), lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
		break;
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
		what = rs->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA ? "SCHEMA" : "DATABASE";
		shown = lint_ident(ctx, rs->name);
		lock = lint_printf(ctx,
				   "rebuilds every index of every table in it, taking a %s lock on each table "
				   "and %s on its indexes in turn: writes and nearly every query on each table "
				   "wait while its indexes are rebuilt",
				   lock_mode_name(LOCK_SHARE), lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
		break;
	default: /* SYSTEM: system catalogs cannot be reindexed concurrently */
		return;
	}
	if (target_is_new(ctx, rs))
		return;
	/* The fix: CONCURRENTLY after the object's keyword (the options in parentheses come
	 * before it), where it can run as it stands */
	static const struct {
		PgQuery__ReindexObjectType kind;
		int token;
	} keywords[] = {
		{ PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX, PG_QUERY__TOKEN__INDEX },
		{ PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE, PG_QUERY__TOKEN__TABLE },
		{ PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA, PG_QUERY__TOKEN__SCHEMA },
		{ PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE, PG_QUERY__TOKEN__DATABASE },
	};
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		uint32_t at, end;
		if (keywords[i].kind == rs->kind && lint_fix_runs_alone(ctx) &&
		    lint_find_token(ctx, keywords[i].token, lint_mark_here(ctx, -1).offset, &at, &end) == 0) {
			struct lint_fix *fix = lint_fix_new(ctx, "rebuild with REINDEX CONCURRENTLY");
			lint_fix_replace(ctx, fix, end, 0, " CONCURRENTLY");
			lint_fix_notx_marker(ctx, fix);
			lint_fix_attach(ctx, fix);
		}
	}
	const char *opts = options_with_concurrently(ctx, rs);
	const char *sql = lint_printf(ctx, "REINDEX %s%s%s %s", opts, what, *opts ? "" : " CONCURRENTLY", shown);
	lint_report(ctx, &rule_reindex_blocking, -1,
		    lint_printf(ctx,
				"rebuild without blocking, outside a transaction block (in a migration of "
				"its own that runs without one): %s; it takes %s, so reads and writes go on. "
				"A failed or cancelled REINDEX CONCURRENTLY leaves an INVALID index named "
				"after the old one with a _ccnew suffix: drop it with DROP INDEX CONCURRENTLY "
				"before retrying",
				sql, lock_mode_name(LOCK_SHARE_UPDATE_EXCLUSIVE)),
		    "REINDEX %s %s %s", what, shown, lock);
}
