/* With a schema source (--db or --schema) the model holds the whole database, so a statement
 * that creates what already exists, or alters or drops what does not, fails on that database:
 * PostgreSQL rejects it and the migration stops there. IF [NOT] EXISTS makes the statement a
 * no-op instead, and is not reported. Without a source the model knows only what the migrations
 * made, and the rule says nothing. Names resolve through the search_path the statements set. */
#include <stdio.h>
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_unknown_object = {
	.id = "unknown-object",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "the statement creates an object that already exists, or changes one that does not (schema-aware)",
	.kinds = kinds,
	.visit = visit,
};

static const char *source_name(struct lint_ctx *ctx)
{
	const struct schema_model *m = lint_model(ctx);
	return m->source ? m->source : "the schema";
}

static const char *help_text(struct lint_ctx *ctx, int creating)
{
	const struct schema_model *m = lint_model(ctx);
	char path[300] = "";
	size_t o = 0;
	for (size_t i = 0; i < m->search_path.n && o + 2 < sizeof(path); i++)
		o += (size_t)snprintf(path + o, sizeof(path) - o, "%s%s", i ? ", " : "", m->search_path.items[i]);
	return lint_printf(ctx,
			   "PostgreSQL rejects this statement on %s, so the migration stops here: check the "
			   "name and its schema (an unqualified name is looked up on the search_path: %s); if "
			   "an earlier migration that %s has not seen yet makes the difference, lint against an "
			   "up-to-date schema (pg_dump -s) or lint that migration too; %s",
			   source_name(ctx), o ? path : "empty", source_name(ctx),
			   creating ? "IF NOT EXISTS would make the statement do nothing instead"
				    : "IF EXISTS would make the statement do nothing instead");
}

/* The schema an unqualified or qualified name resolves to, or NULL. */
static const char *rel_schema(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (*rv->schemaname)
		return rv->schemaname;
	return schema_resolve_relation(lint_model(ctx), rv->relname);
}

static int relation_exists(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	const struct schema_model *m = lint_model(ctx);
	if (*rv->schemaname)
		return schema_relation_kind(m, rv->schemaname, rv->relname) != 0;
	if (rv->relpersistence && !strcmp(rv->relpersistence, "t"))
		return 0; /* temporary tables live in their own schema */
	/* a new relation goes to the first schema of the search_path */
	return schema_relation_kind(m, schema_creation_schema(m), rv->relname) != 0;
}

static void report_exists(struct lint_ctx *ctx, const char *command, const PgQuery__RangeVar *rv, const char *what)
{
	const struct schema_model *m = lint_model(ctx);
	const char *schema = *rv->schemaname ? rv->schemaname : schema_creation_schema(m);
	lint_report(ctx, &rule_unknown_object, rv->location, help_text(ctx, 1),
		    "%s %s fails: %s %s.%s already exists in %s", command, lint_rel(ctx, rv), what,
		    lint_ident(ctx, schema), lint_ident(ctx, rv->relname), source_name(ctx));
}

/* Names already reported missing in this migration: PostgreSQL stops at the first statement
 * that fails, so the later ones that name the same missing relation say nothing new. */
struct reported {
	const char *name;
	struct reported *next;
};

static int already_reported(struct lint_ctx *ctx, const char *name)
{
	struct reported **head = (struct reported **)lint_rule_data(ctx, &rule_unknown_object);
	for (const struct reported *r = *head; r; r = r->next)
		if (!strcmp(r->name, name))
			return 1;
	struct reported *r = lint_alloc(ctx, sizeof(*r));
	r->name = name;
	r->next = *head;
	*head = r;
	return 0;
}

static void report_missing(struct lint_ctx *ctx, const char *command, const PgQuery__RangeVar *rv, const char *what)
{
	if (already_reported(ctx, lint_printf(ctx, "%s %s", what, lint_rel(ctx, rv))))
		return;
	lint_report(ctx, &rule_unknown_object, rv->location, help_text(ctx, 0), "%s %s fails: %s has no %s %s%s",
		    command, lint_rel(ctx, rv), source_name(ctx), what, lint_rel(ctx, rv),
		    *rv->schemaname ? "" : " on the search_path");
}

static void check_create(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, int if_not_exists, const char *command)
{
	if (rv && *rv->relname && !if_not_exists && relation_exists(ctx, rv))
		report_exists(ctx, command, rv, "a relation");
}

/* ALTER TABLE subcommands on columns that must (or must not) exist. */
static void check_columns(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as, const struct schema_table *t)
{
	if (t->partial)
		return;
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
			const PgQuery__ColumnDef *cd = cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF
							       ? cmd->def->column_def
							       : NULL;
			if (cd && !cmd->missing_ok && schema_column_find(t, cd->colname))
				lint_report(ctx, &rule_unknown_object, cd->location, help_text(ctx, 1),
					    "ALTER TABLE %s ADD COLUMN %s fails: the column already exists in %s",
					    lint_rel(ctx, as->relation), lint_ident(ctx, cd->colname), source_name(ctx));
			break;
		}
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
			if (*cmd->name && !cmd->missing_ok && !schema_column_find(t, cmd->name))
				lint_report(ctx, &rule_unknown_object, -1, help_text(ctx, 0),
					    "ALTER TABLE %s fails: %s has no column %s in %s", lint_rel(ctx, as->relation),
					    lint_rel(ctx, as->relation), lint_ident(ctx, cmd->name), source_name(ctx));
			break;
		default:
			break;
		}
	}
}

static void check_alter(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	const PgQuery__RangeVar *rv = as->relation;
	if (!rv || !*rv->relname || as->missing_ok)
		return;
	const struct schema_model *m = lint_model(ctx);
	if (as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
		if (!schema_object_find(m, SCHEMA_KIND_INDEX, *rv->schemaname ? rv->schemaname : NULL, rv->relname))
			report_missing(ctx, "ALTER INDEX", rv, "index");
		return;
	}
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	const struct schema_table *t = lint_table(ctx, rv);
	if (t) {
		check_columns(ctx, as, t);
		return;
	}
	/* ALTER TABLE also works on views, sequences and indexes */
	const char *schema = rel_schema(ctx, rv);
	if (!schema || !schema_relation_kind(m, schema, rv->relname))
		report_missing(ctx, "ALTER TABLE", rv, "table");
}

/* DROP of tables, views, indexes and sequences: objects are name lists. */
static void check_drop(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	const char *command, *what;
	char want;
	switch (ds->remove_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		command = "DROP TABLE", what = "table", want = 't';
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		command = "DROP VIEW", what = "view", want = 'v';
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		command = "DROP MATERIALIZED VIEW", what = "materialized view", want = 'm';
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
		command = "DROP INDEX", what = "index", want = 'i';
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
		command = "DROP SEQUENCE", what = "sequence", want = 'S';
		break;
	default:
		return;
	}
	if (ds->missing_ok)
		return;
	const struct schema_model *m = lint_model(ctx);
	for (size_t i = 0; i < ds->n_objects; i++) {
		const PgQuery__Node *obj = ds->objects[i];
		if (obj->node_case != PG_QUERY__NODE__NODE_LIST || !obj->list->n_items || obj->list->n_items > 2)
			continue;
		const PgQuery__List *l = obj->list;
		const char *name = sql_node_str(l->items[l->n_items - 1]);
		const char *schema = l->n_items == 2 ? sql_node_str(l->items[0]) : NULL;
		if (!name)
			continue;
		const char *found = schema ? schema : schema_resolve_relation(m, name);
		char kind = found ? schema_relation_kind(m, found, name) : 0;
		if (kind == want)
			continue;
		PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
		rv.schemaname = (char *)(schema ? schema : ""); /* only read */
		rv.relname = (char *)name;
		rv.location = -1;
		if (!kind) {
			report_missing(ctx, command, &rv, what);
			continue;
		}
		static const struct {
			char kind;
			const char *name;
		} kinds_named[] = { { 't', "table" }, { 'v', "view" }, { 'm', "materialized view" }, { 'i', "index" },
				    { 'S', "sequence" }, { 'c', "composite type" } };
		const char *is = "relation";
		for (size_t k = 0; k < sizeof(kinds_named) / sizeof(kinds_named[0]); k++)
			if (kinds_named[k].kind == kind)
				is = kinds_named[k].name;
		lint_report(ctx, &rule_unknown_object, -1, help_text(ctx, 0), "%s %s fails: %s.%s is a %s in %s, not a %s",
			    command, lint_rel(ctx, &rv), lint_ident(ctx, found), lint_ident(ctx, name), is,
			    source_name(ctx), what);
	}
}

static void check_rename(struct lint_ctx *ctx, const PgQuery__RenameStmt *rs)
{
	if (rs->missing_ok || !rs->relation)
		return;
	const PgQuery__RangeVar *rv = rs->relation;
	const char *schema = rel_schema(ctx, rv);
	const struct schema_model *m = lint_model(ctx);
	switch (rs->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		if (!schema || !schema_relation_kind(m, schema, rv->relname))
			report_missing(ctx, "ALTER TABLE", rv, "table");
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
		const struct schema_table *t = lint_table(ctx, rv);
		if (!t && !(schema && schema_relation_kind(m, schema, rv->relname)))
			report_missing(ctx, "ALTER TABLE", rv, "table");
		else if (t && !t->partial && *rs->subname && !schema_column_find(t, rs->subname))
			lint_report(ctx, &rule_unknown_object, -1, help_text(ctx, 0),
				    "ALTER TABLE %s RENAME COLUMN %s fails: %s has no such column in %s", lint_rel(ctx, rv),
				    lint_ident(ctx, rs->subname), lint_rel(ctx, rv), source_name(ctx));
		break;
	}
	default:
		break;
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (!lint_model(ctx)->complete)
		return;
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		check_create(ctx, node->create_stmt->relation, node->create_stmt->if_not_exists, "CREATE TABLE");
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
		const PgQuery__CreateTableAsStmt *cs = node->create_table_as_stmt;
		if (cs->into)
			check_create(ctx, cs->into->rel, cs->if_not_exists,
				     cs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ? "CREATE MATERIALIZED VIEW"
											  : "CREATE TABLE");
		break;
	}
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		if (!node->view_stmt->replace)
			check_create(ctx, node->view_stmt->view, 0, "CREATE VIEW");
		break;
	case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
		check_create(ctx, node->create_seq_stmt->sequence, node->create_seq_stmt->if_not_exists,
			     "CREATE SEQUENCE");
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT: {
		const PgQuery__IndexStmt *is = node->index_stmt;
		if (!is->relation)
			break;
		const char *schema = rel_schema(ctx, is->relation);
		if (!schema || !schema_relation_kind(lint_model(ctx), schema, is->relation->relname)) {
			report_missing(ctx, "CREATE INDEX ON", is->relation, "table");
		} else if (*is->idxname && !is->if_not_exists &&
			   schema_relation_kind(lint_model(ctx), schema, is->idxname)) {
			PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
			rv.schemaname = (char *)schema; /* only read */
			rv.relname = is->idxname;
			rv.location = -1;
			report_exists(ctx, "CREATE INDEX", &rv, "a relation");
		}
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		check_alter(ctx, node->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		check_drop(ctx, node->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		check_rename(ctx, node->rename_stmt);
		break;
	default:
		break;
	}
}
