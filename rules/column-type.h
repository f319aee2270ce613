/* Where the column-type rules (prefer-identity, prefer-text, prefer-timestamptz, ban-char,
 * prefer-jsonb) find the types users choose: a column of CREATE TABLE, of ALTER TABLE ... ADD
 * COLUMN, or the new type of ALTER COLUMN ... TYPE, on a table. Types of views, composite
 * types, foreign tables (which mirror a remote table) and temporary tables (scratch space of the
 * migration) are not design decisions about stored data, so they are left out.
 *
 * Each of those rules asks for PG_QUERY__NODE__NODE_COLUMN_DEF, so every column is visited once
 * per rule, and calls coltype_of() on it. Header-only: it is small, and the rules are the only
 * users. */
#ifndef PGSIEVE_RULES_COLUMN_TYPE_H
#define PGSIEVE_RULES_COLUMN_TYPE_H

#include <string.h>

#include "lint/rule.h"

enum coltype_site {
	COLTYPE_CREATE, /* CREATE TABLE t (col type ...) */
	COLTYPE_ADD,    /* ALTER TABLE t ADD COLUMN col type */
	COLTYPE_ALTER,  /* ALTER TABLE t ALTER COLUMN col TYPE type */
};

struct coltype {
	enum coltype_site site;
	const PgQuery__RangeVar *rel;
	const char *column;            /* as the parser folded it */
	const PgQuery__TypeName *node; /* its location is where findings point */
	struct sql_type type;          /* canonical name and modifiers */
};

static inline int coltype_temporary(const PgQuery__RangeVar *rv)
{
	return rv && !strcmp(rv->relpersistence, "t");
}

/* Fills *out and returns 1 when the ColumnDef node being visited sets a column's type on a
 * table; returns 0 for every other ColumnDef. */
static inline int coltype_of(const struct lint_ctx *ctx, const PgQuery__Node *node,
			     struct coltype *out)
{
	const PgQuery__ColumnDef *cd = node->column_def;
	const PgQuery__Node *parent = lint_parent(ctx, 0);
	if (!cd->type_name || !parent) /* PARTITION OF and OF type columns only add options */
		return 0;
	memset(out, 0, sizeof(*out));
	if (parent->node_case == PG_QUERY__NODE__NODE_CREATE_STMT) {
		/* CREATE FOREIGN TABLE holds its CreateStmt as a message, not a node: not here */
		out->site = COLTYPE_CREATE;
		out->rel = parent->create_stmt->relation;
		out->column = cd->colname;
	} else if (parent->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) {
		const PgQuery__AlterTableCmd *cmd = parent->alter_table_cmd;
		const PgQuery__Node *stmt = lint_parent(ctx, 1);
		if (!stmt || stmt->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT ||
		    stmt->alter_table_stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			return 0;
		out->rel = stmt->alter_table_stmt->relation;
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn) {
			out->site = COLTYPE_ADD;
			out->column = cd->colname;
		} else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType) {
			out->site = COLTYPE_ALTER;
			out->column = cmd->name;
		} else {
			return 0;
		}
	} else {
		return 0;
	}
	if (!out->rel || !out->column || !*out->column || coltype_temporary(out->rel))
		return 0;
	out->node = cd->type_name;
	sql_type_from_node(cd->type_name, &out->type);
	return 1;
}

/* `column "email" of "public"."users"`, for messages. */
static inline const char *coltype_subject(struct lint_ctx *ctx, const struct coltype *ct)
{
	return lint_printf(ctx, "column %s of %s", lint_ident(ctx, ct->column), lint_rel(ctx, ct->rel));
}

/* The user's column written with another type, as SQL to put in the statement's place:
 * `"email" text` in CREATE TABLE, `ADD COLUMN "email" text` or
 * `ALTER COLUMN "email" TYPE text` in ALTER TABLE. */
static inline const char *coltype_rewrite(struct lint_ctx *ctx, const struct coltype *ct,
					  const char *type)
{
	const char *col = lint_ident(ctx, ct->column);
	switch (ct->site) {
	case COLTYPE_CREATE:
		return lint_printf(ctx, "%s %s", col, type);
	case COLTYPE_ADD:
		return lint_printf(ctx, "ALTER TABLE %s ADD COLUMN %s %s", lint_rel(ctx, ct->rel), col, type);
	case COLTYPE_ALTER:
		return lint_printf(ctx, "ALTER TABLE %s ALTER COLUMN %s TYPE %s", lint_rel(ctx, ct->rel),
				   col, type);
	}
	return "";
}

/* "[]" once per array dimension of the column's type, to keep it in a suggested type. */
static inline const char *coltype_array_suffix(const struct coltype *ct)
{
	static const char brackets[] = "[][][][][][]";
	int dims = ct->type.array_dims;
	if (dims <= 0)
		return "";
	if (dims > 6)
		dims = 6;
	return brackets + sizeof(brackets) - 1 - 2 * (size_t)dims;
}

#endif
