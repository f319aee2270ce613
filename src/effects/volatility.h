/* Function volatility: whether an expression gives the same value for every row of a table.
 *
 * The facts come from pg_proc of a real server (src/effects/volatility.inc, written by
 * src/gen/gen-volatility.sh): PostgreSQL's own functions and those of the uuid-ossp and pgcrypto
 * extensions. ADD COLUMN ... DEFAULT uses them: from PostgreSQL 11 a non-volatile default is
 * evaluated once and stored in the catalog, a volatile one is evaluated per row, which rewrites
 * the table.
 *
 * A function pgsieve does not know (the user's own, or one of an extension it was not generated
 * with) is VOLATILITY_UNKNOWN rather than a guess: rules say that they cannot tell. */
#ifndef PGSIEVE_VOLATILITY_H
#define PGSIEVE_VOLATILITY_H

#include <pg_query/pg_query.pb-c.h>

/* Ordered so that an expression's volatility is the greatest of its parts': one volatile call
 * makes it volatile; short of that, one unknown call makes it unknown. */
enum volatility {
	VOLATILITY_IMMUTABLE,
	VOLATILITY_STABLE,
	VOLATILITY_UNKNOWN,
	VOLATILITY_VOLATILE,
};

/* "immutable", "stable", "unknown", "volatile" */
const char *volatility_name(enum volatility v);

/* The volatility PostgreSQL records for a function name, without schema ("now",
 * "uuid_generate_v4"). A name with several overloads gets its most volatile one. */
enum volatility volatility_of(const char *funcname);
/* Where a known function comes from: "" for the core server, the extension's name
 * ("uuid-ossp") otherwise; NULL for an unknown function. */
const char *volatility_source(const char *funcname);

/* The call that decided an expression's volatility, for messages. */
struct volatility_cause {
	const char *func; /* function name as written (without schema), NULL when no call decided */
	int location;     /* the call's location in the statement, -1 when func is NULL */
};

/* The volatility of a raw (unanalysed) expression such as a column default: the greatest over
 * every function call anywhere inside it. SQL value functions (CURRENT_TIMESTAMP, CURRENT_USER,
 * LOCALTIME, ...) are stable; constants, casts and operators are not volatile (no built-in cast
 * or operator is: checked against pg_cast and pg_operator). NULL is immutable. An expression
 * nested deeper than the walk goes is VOLATILITY_UNKNOWN. cause may be NULL. */
enum volatility expr_volatility(const PgQuery__Node *expr, struct volatility_cause *cause);
/* For functions volatility_of() does not know, such as those the migration creates itself:
 * lookup() returns their volatility, or VOLATILITY_UNKNOWN. Built-in names win, as pg_catalog
 * comes first in the search path. */
struct volatility_resolver {
	enum volatility (*lookup)(void *ud, const char *funcname);
	void *ud;
};
enum volatility expr_volatility_with(const PgQuery__Node *expr, const struct volatility_resolver *r,
				     struct volatility_cause *cause);
/* The volatility a CREATE FUNCTION statement declares (VOLATILE when it says nothing), or
 * VOLATILITY_UNKNOWN for other statements; *name gets the function's name. */
enum volatility volatility_declared(const PgQuery__Node *stmt, const char **name);
/* expr_volatility() == VOLATILITY_VOLATILE. */
int expr_is_volatile(const PgQuery__Node *expr, struct volatility_cause *cause);

#endif
