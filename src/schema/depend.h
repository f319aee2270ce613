/* What in the model depends on an object, the way PostgreSQL's pg_depend decides whether a DROP
 * goes through: the objects that make a plain DROP (RESTRICT) fail, and so the objects DROP ...
 * CASCADE takes along, transitively (a view on a view on the table).
 *
 * Only "normal" dependencies are listed: what PostgreSQL drops along without CASCADE is not a
 * dependent here (a table's own indexes, constraints, triggers, policies and owned sequences;
 * the indexes and constraints of the table that use a dropped column; the partitions of a
 * partitioned table), since it never makes the DROP fail. What counts, checked against a real
 * server (tests/schema/rules.py):
 *
 *   table, view   views and materialized views reading it; foreign keys of other tables
 *                 referencing it; policies of other tables reading it; tables inheriting from
 *                 it (INHERITS, not PARTITION OF); and, for its row type, what a type has
 *   column        views reading the column; foreign keys (of any table) referencing it;
 *                 triggers of its table with UPDATE OF it or a WHEN reading it; policies of its
 *                 table reading it, and of other tables reading it in a subquery of its table;
 *                 generated columns computed from it
 *   type, domain  columns (of tables and composite types) of the type or an array of it;
 *                 domains over it; functions taking or returning it
 *   function      triggers executing it; column defaults and generated columns, CHECK
 *                 constraints, indexes, views and policies calling it
 *                 (a call by name matches only when the model has one overload of it)
 *   schema        every table, view, sequence, type and function in it, and what depends on
 *                 those from outside
 *
 * The model keeps no pg_depend, so this is read off what the model has: view dependencies,
 * foreign keys, and the expressions as stored (relations and functions as written there, after
 * normalisation). Not seen: dependencies hidden in function bodies (PostgreSQL does not record
 * those either), sequences used by defaults (DROP SEQUENCE), rules, publications and statistics
 * objects. A column named without its table in a policy's subquery is taken to be the
 * subquery's table's when that has such a column. */
#ifndef PGSIEVE_DEPEND_H
#define PGSIEVE_DEPEND_H

#include <stddef.h>

#include "schema/model.h"

/* What is dropped, or what depends on it. */
enum schema_dep_kind {
	SCHEMA_DEP_TABLE = 't',      /* key "schema.name" */
	SCHEMA_DEP_VIEW = 'v',       /* key "schema.name" (views and materialized views) */
	SCHEMA_DEP_COLUMN = 'c',     /* key "schema.table", sub the column */
	SCHEMA_DEP_TYPE = 'T',       /* key "schema.name" (enum, domain, composite type) */
	SCHEMA_DEP_FUNCTION = 'F',   /* key "schema.name(argtypes)" */
	SCHEMA_DEP_SCHEMA = 'n',     /* key "name" */
	SCHEMA_DEP_SEQUENCE = 'S',   /* key "schema.name" (only as a member of a dropped schema) */
	/* dependents only, and nothing depends on them in turn: */
	SCHEMA_DEP_CONSTRAINT = 'k', /* key "schema.table", sub the constraint */
	SCHEMA_DEP_TRIGGER = 'g',    /* key "schema.table", sub the trigger */
	SCHEMA_DEP_POLICY = 'p',     /* key "schema.table", sub the policy */
	SCHEMA_DEP_INDEX = 'i',      /* key "schema.name" */
	SCHEMA_DEP_DEFAULT = 'd',    /* key "schema.table", sub the column whose default it is */
};

struct schema_dep_object {
	char kind;         /* enum schema_dep_kind */
	const char *key;
	const char *sub;   /* column, constraint, trigger or policy name; NULL otherwise */
};

struct schema_dependent {
	char kind;
	char *key, *sub;
	/* As PostgreSQL names it in its messages: "view public.v", "constraint c_fkey on table
	 * public.c", "column m of table public.t", "function public.f(int4)". */
	char *what;
	/* The object it depends on, named the same way (the target, or an earlier dependent). */
	char *on;
	int depth;         /* 1: on a target itself; 2: on a dependent of depth 1; ... */
};

struct schema_dependents {
	struct schema_dependent *items;
	size_t n, cap;
};

/* Appends to out what depends on the targets (the objects one statement drops), breadth
 * first: every dependent once, dependents of dependents after them. Objects among the
 * targets, and objects that belong to a target table (its constraints, triggers, policies and
 * columns), are not listed: they go with the statement anyway. The caller releases out. */
void schema_dependents(const struct schema_model *m, const struct schema_dep_object *targets, size_t ntargets,
		       struct schema_dependents *out);
void schema_dependents_release(struct schema_dependents *d);

/* An object named as PostgreSQL names it ("table public.t", "column c of table public.t"), for
 * messages; malloc'd. */
char *schema_dep_describe(const struct schema_model *m, char kind, const char *key, const char *sub);

#endif
