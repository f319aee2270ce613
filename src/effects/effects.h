/* What a statement does to the relations it touches, as data: which lock mode it takes on
 * which relation (the table it names, the table a foreign key references, the partitioned
 * parent, the partition, the table of an index), and whether it rewrites that relation, reads
 * every row of it, or validates a constraint against it.
 *
 * The facts come from the PostgreSQL documentation of each command and its "Explicit Locking"
 * chapter (the lock each ALTER TABLE subcommand takes is listed there), cross-checked with
 * AlterTableGetLockLevel() of the server: see the tables in effects.c. Rules and messages read
 * them instead of repeating them; a later check compares them with what a real server does.
 *
 * effects_of() looks at the statement alone: it does not know whether a table exists, is
 * empty, or has a default partition. Where a rewrite or scan depends on facts outside the
 * statement (a default that calls a function pgsieve does not know, a type change that may not
 * be binary-coercible, a CHECK that may already prove NOT NULL), the effect carries
 * EFFECT_MAYBE. Defaults are judged with effects/volatility.h. A relation the statement itself
 * creates (CREATE TABLE x) gets no effect: nobody else can be waiting on it. */
#ifndef PGSIEVE_EFFECTS_H
#define PGSIEVE_EFFECTS_H

#include <stddef.h>

#include <pg_query/pg_query.pb-c.h>

#include "effects/locks.h"

enum effect_flag {
	EFFECT_REWRITE = 1u << 0,  /* writes a new copy of every row (and rebuilds its indexes) */
	EFFECT_SCAN = 1u << 1,     /* reads every row while it holds the lock (index build, check) */
	EFFECT_VALIDATE = 1u << 2, /* checks existing rows against a constraint or partition bound */
	EFFECT_CATALOG = 1u << 3,  /* changes the catalog only: quick once the lock is granted */
	EFFECT_MAYBE = 1u << 4,    /* REWRITE / SCAN happen only in cases the statement cannot show */
	EFFECT_DESTROY = 1u << 5,  /* removes data for good: a table, a column, every row */
	EFFECT_ROWS = 1u << 6,     /* reads or writes rows (DML, COPY), not the table's definition */
};

/* What the effect's relation is. */
enum effect_object {
	EFFECT_OBJ_TABLE,
	EFFECT_OBJ_INDEX,
	EFFECT_OBJ_VIEW,
	EFFECT_OBJ_MATVIEW,
	EFFECT_OBJ_SEQUENCE,
	EFFECT_OBJ_FOREIGN_TABLE,
	EFFECT_OBJ_ALL, /* every table of the database (VACUUM FULL, CLUSTER without a name, ...) */
};

/* Why the statement touches the relation. */
enum effect_role {
	EFFECT_ROLE_TARGET,        /* the relation the statement names */
	EFFECT_ROLE_REFERENCED,    /* the table a new foreign key references */
	EFFECT_ROLE_PARENT,        /* the partitioned (or inheritance) parent */
	EFFECT_ROLE_PARTITION,     /* the partition attached or detached */
	EFFECT_ROLE_INDEX_TABLE,   /* the table of the index that rel / name names: the lock is
				    * taken on that table (and on the index) */
	EFFECT_ROLE_SOURCE,        /* a table read to build the new one (LIKE, INHERITS) */
};

struct effect {
	/* The relation as the user wrote it, when the statement names it with a RangeVar. */
	const PgQuery__RangeVar *rel;
	/* Otherwise (DROP, COMMENT and other name lists): schema (NULL when unqualified) and
	 * name, pointing into the tree. Both NULL for EFFECT_OBJ_ALL. When rel is set, these are
	 * its schemaname (NULL when empty) and relname. */
	const char *schema, *name;
	enum effect_object object;
	enum effect_role role;
	/* The mode the statement holds on the relation until its transaction ends. For ALTER
	 * TABLE this is the strongest over all its subcommands, as PostgreSQL locks the table
	 * once for the whole statement; cmd_lock is what this subcommand alone would need. */
	enum lock_mode lock, cmd_lock;
	unsigned flags; /* enum effect_flag */
	/* The node responsible: an AlterTableCmd node for ALTER TABLE subcommands, otherwise the
	 * statement itself. */
	const PgQuery__Node *cause;
	int location; /* a node location inside the statement that shows it, or -1 */
};

/* Enough for any statement but an ALTER TABLE with dozens of subcommands. */
enum { EFFECTS_MAX = 64 };

/* The effects of stmt (a statement's top node) on a server of major version pg_version, in
 * statement order, at most max of them written to out. Returns how many were written. */
size_t effects_of(const PgQuery__Node *stmt, int pg_version, struct effect *out, size_t max);

/* The tables whose every row a query of stmt reads: the FROM list (not subqueries) of a SELECT,
 * of INSERT ... SELECT, of CREATE TABLE AS / SELECT INTO, when that query has no WHERE and no
 * LIMIT (with either it may read a handful of rows through an index). Each is an EFFECT_ROWS
 * effect with the lock the read takes (ACCESS SHARE, ROW SHARE for FOR UPDATE); role TARGET
 * for a SELECT's own tables, SOURCE for the query of an INSERT or CREATE TABLE AS. Apart from
 * effects_of(), whose entries describe what a statement changes. */
size_t effects_reads(const PgQuery__Node *stmt, struct effect *out, size_t max);

/* The strongest lock stmt takes on any relation (LOCK_NONE when it takes none); when e is not
 * NULL, *e receives the first effect that takes it. */
enum lock_mode effects_strongest(const PgQuery__Node *stmt, int pg_version, struct effect *e);

/* The effect's relation as a RangeVar: e->rel when the statement has one, else *buf filled
 * from schema and name (pointing into the tree, valid as long as it). NULL for
 * EFFECT_OBJ_ALL. Lets rules call lint_rel() and lint_table_is_new() on any effect. */
const PgQuery__RangeVar *effect_rangevar(const struct effect *e, PgQuery__RangeVar *buf);

/* The command's name for messages: "ALTER TABLE", "CREATE INDEX", "VACUUM FULL", "REFRESH
 * MATERIALIZED VIEW", ...; "statement" for kinds the table does not name. */
const char *effects_command(const PgQuery__Node *stmt);

/* "table", "index", "view", ... */
const char *effect_object_name(enum effect_object object);

#endif
