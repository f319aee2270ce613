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

#include <stdint.h>
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

/* Whether the column has a DEFAULT (a fix that changes its type would change what the default
 * expression is cast to). */
static inline int coltype_has_default(const PgQuery__ColumnDef *cd)
{
	if (cd->raw_default)
		return 1;
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
		    (cd->constraints[i]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT ||
		     cd->constraints[i]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED))
			return 1;
	return 0;
}

/* Whether a token ends a column's type at the outer level: what may follow the type in a
 * column definition (its constraints, COLLATE, ...) or ends the definition. */
static inline int coltype_token_ends(int kind)
{
	static const int ends[] = {
		PG_QUERY__TOKEN__ASCII_44, PG_QUERY__TOKEN__ASCII_59, PG_QUERY__TOKEN__NOT,
		PG_QUERY__TOKEN__NULL_P, PG_QUERY__TOKEN__DEFAULT, PG_QUERY__TOKEN__PRIMARY,
		PG_QUERY__TOKEN__REFERENCES, PG_QUERY__TOKEN__CHECK, PG_QUERY__TOKEN__UNIQUE,
		PG_QUERY__TOKEN__CONSTRAINT, PG_QUERY__TOKEN__COLLATE, PG_QUERY__TOKEN__GENERATED,
		PG_QUERY__TOKEN__COMPRESSION, PG_QUERY__TOKEN__STORAGE, PG_QUERY__TOKEN__USING,
		PG_QUERY__TOKEN__DEFERRABLE, PG_QUERY__TOKEN__INITIALLY, PG_QUERY__TOKEN__OPTIONS,
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (kind == ends[i])
			return 1;
	return 0;
}

/* The bytes of the column's type as written ("character varying(20)", "timestamp(3) without
 * time zone", "integer[]"): its tokens from the type's location up to what ends it. 0 when
 * found. */
static inline int coltype_span(const struct lint_ctx *ctx, const PgQuery__TypeName *tn, uint32_t *start,
			       uint32_t *end)
{
	if (tn->location < 0)
		return -1;
	uint32_t at = lint_mark_here(ctx, tn->location).offset, s, e;
	int depth = 0, n = 0;
	*start = *end = at;
	for (;;) {
		int kind = lint_token_after(ctx, at, &s, &e);
		if (kind < 0 || (depth == 0 && coltype_token_ends(kind)))
			break;
		if (kind == PG_QUERY__TOKEN__ASCII_40 || kind == PG_QUERY__TOKEN__ASCII_91) {
			depth++;
		} else if (kind == PG_QUERY__TOKEN__ASCII_41 || kind == PG_QUERY__TOKEN__ASCII_93) {
			if (depth == 0)
				break; /* the parenthesis that ends CREATE TABLE's list */
			depth--;
		}
		if (n == 0)
			*start = s;
		*end = e;
		at = e;
		n++;
	}
	return n && depth == 0 ? 0 : -1;
}

/* The type fixes of one rule in the migration part, by column: a later ALTER COLUMN ... TYPE of
 * the column voids them (what that statement does depends on the type it starts from). A hash
 * table by table and column in the run's memory (a list walked per ALTER COLUMN ... TYPE made a
 * migration of 20,000 statements quadratic); a full table is replaced by one twice the size,
 * the old one left to the arena. Zeroed is empty. */
struct coltype_fixed {
	const char *table, *column;
	uint64_t hash;
	struct lint_fix *fix;
	struct coltype_fixed *next; /* in its bucket */
};

struct coltype_fixes {
	struct coltype_fixed **buckets;
	size_t nbuckets, count;
};

/* The fixes of `rule` in the part, kept in its lint_rule_data() slot. */
static inline struct coltype_fixes *coltype_fixes_of(struct lint_ctx *ctx, const struct rule *rule)
{
	void **data = lint_rule_data(ctx, rule);
	if (!*data)
		*data = lint_alloc(ctx, sizeof(struct coltype_fixes));
	return *data;
}

static inline uint64_t coltype_fix_hash(const char *table, const char *column)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull; /* a byte no name has, between the parts */
	for (const char *p = column; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

/* Remembers a fix made for the column. */
static inline void coltype_fix_remember(struct lint_ctx *ctx, struct coltype_fixes *fixes, const struct coltype *ct,
					struct lint_fix *fix)
{
	if (!fix)
		return;
	if (fixes->count + 1 > fixes->nbuckets / 2) {
		size_t n = fixes->nbuckets ? fixes->nbuckets * 2 : 16;
		struct coltype_fixed **b = lint_alloc(ctx, n * sizeof(*b));
		for (size_t i = 0; i < fixes->nbuckets; i++)
			for (struct coltype_fixed *x = fixes->buckets[i], *next; x; x = next) {
				next = x->next;
				x->next = b[x->hash & (n - 1)];
				b[x->hash & (n - 1)] = x;
			}
		fixes->buckets = b;
		fixes->nbuckets = n;
	}
	struct coltype_fixed *f = lint_alloc(ctx, sizeof(*f));
	f->table = lint_printf(ctx, "%s", ct->rel->relname);
	f->column = lint_printf(ctx, "%s", ct->column);
	f->hash = coltype_fix_hash(f->table, f->column);
	f->fix = fix;
	f->next = fixes->buckets[f->hash & (fixes->nbuckets - 1)];
	fixes->buckets[f->hash & (fixes->nbuckets - 1)] = f;
	fixes->count++;
}

/* For ALTER COLUMN ... TYPE (site COLTYPE_ALTER): voids the fixes made for that column,
 * whatever their schemas (voiding one too many is harmless). */
static inline void coltype_fix_altered(const struct coltype_fixes *fixes, const struct coltype *ct)
{
	if (ct->site != COLTYPE_ALTER || !fixes->nbuckets)
		return;
	uint64_t h = coltype_fix_hash(ct->rel->relname, ct->column);
	for (const struct coltype_fixed *f = fixes->buckets[h & (fixes->nbuckets - 1)]; f; f = f->next)
		if (f->hash == h && !strcmp(f->column, ct->column) && !strcmp(f->table, ct->rel->relname))
			lint_fix_void(f->fix);
}

/* The start of a column-type rule's visit: fills ct from node and returns the rule's list of
 * fixes, those an ALTER COLUMN ... TYPE of the column undoes voided; NULL when node declares or
 * changes no column type. */
static inline struct coltype_fixes *coltype_visit(struct lint_ctx *ctx, const PgQuery__Node *node,
						  const struct rule *rule, struct coltype *ct)
{
	if (!coltype_of(ctx, node, ct))
		return NULL;
	struct coltype_fixes *fixed = coltype_fixes_of(ctx, rule);
	coltype_fix_altered(fixed, ct);
	return fixed;
}

/* The fix of a column-type rule: the column's type as written replaced by `type`, for a new
 * column (CREATE TABLE, ADD COLUMN: nothing is stored in it yet; ALTER COLUMN ... TYPE rewrites
 * whatever type it gets). NULL when there is none. */
static inline struct lint_fix *coltype_fix(struct lint_ctx *ctx, const struct coltype *ct, const char *title,
					   const char *type)
{
	uint32_t s, e;
	if (ct->site == COLTYPE_ALTER || !lint_fix_possible(ctx) || coltype_span(ctx, ct->node, &s, &e) != 0)
		return NULL;
	struct lint_fix *fix = lint_fix_new(ctx, title);
	lint_fix_replace(ctx, fix, s, e - s, type);
	return fix;
}

#endif
