/* Small readers over libpg_query's typed tree, shared by rules, the schema model and effects.
 * libpg_query omits zero values from its protobuf output, so an absent field reads as 0, "" or
 * NULL: these helpers make the absent case explicit instead of guessing. */
#ifndef PGSIEVE_TREE_H
#define PGSIEVE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <pg_query/pg_query.pb-c.h>

/* JsonTable is in the PostgreSQL 17 tree only: an older pg_query.pb-c.h found first on the
 * include path (a system libpg_query 15 beside the private build) fails here, not as a tree
 * that silently misses fields. */
#ifndef PG_QUERY__JSON_TABLE__INIT
#error "pg_query/pg_query.pb-c.h is older than libpg_query 17; see README.md, Building"
#endif

/* A type as written, canonicalised: `integer`, `int` and `int4` are all "int4",
 * `character varying(20)` is "varchar" with mods {20}, `serial` stays "serial". */
struct sql_type {
	const char *name;  /* canonical name, without schema; static or owned by the tree */
	int32_t mods[2];
	int nmods;         /* -1 when a modifier is not a plain integer */
	int array_dims;
	int location;
};

void sql_type_from_node(const PgQuery__TypeName *tn, struct sql_type *out);
/* "varchar(20)", "numeric(10,2)", "int4[]" into buf; returns buf. */
const char *sql_type_format(const struct sql_type *t, char *buf, size_t size);

/* The string of a String node (or NULL). */
const char *sql_node_str(const PgQuery__Node *n);
/* The source position of the node's own message (its field named "location"), or -1 when the
 * message has none: for places in the generic code that do not know the node's kind. */
int sql_node_location(const PgQuery__Node *n);
/* The last element of a list of String nodes ("pg_catalog"."now" -> "now"), or NULL. */
const char *sql_names_last(PgQuery__Node *const *names, size_t n);
/* An integer constant (A_Const ival, or a non-negative numeric literal); 0 and *ok=0 otherwise. */
long sql_node_int(const PgQuery__Node *n, int *ok);

/* An expression as SQL text ("now() + '1 day'::interval"), heap-allocated; NULL when
 * libpg_query cannot deparse it. Implemented in sql/deparse.c. */
char *sql_deparse_expr(const PgQuery__Node *expr);
/* A type name as SQL text ("varchar(20)[]", "\"My\".\"Type\""), heap-allocated, or NULL. */
char *sql_deparse_type(const PgQuery__TypeName *tn);
/* Frees what the two above cached on this thread (sql_shutdown() does it for the main one). */
void sql_deparse_cache_release(void);

/* The next subcommand of an ALTER TABLE from *i on whose subtype is `subtype` (any subtype
 * when it is 0), advancing *i past it; NULL when there is none:
 *   size_t i = 0; const PgQuery__AlterTableCmd *cmd;
 *   while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn))) ... */
const PgQuery__AlterTableCmd *sql_alter_next(const PgQuery__AlterTableStmt *as, size_t *i,
					     PgQuery__AlterTableType subtype);

/* The object a DROP's (or COMMENT's) name list names, ["schema",] "name", as a RangeVar in buf
 * pointing into the tree (schemaname "" when unqualified); NULL when obj is no such list. */
const PgQuery__RangeVar *sql_name_list_rangevar(const PgQuery__Node *obj, PgQuery__RangeVar *buf);
/* A relation name as the user wrote it, for messages: "orders", "public"."orders". */
const char *sql_rangevar_display(const PgQuery__RangeVar *rv, char *buf, size_t size);

#endif
