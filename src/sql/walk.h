/* One walk over libpg_query's typed tree, for every module that looks at or rewrites a whole
 * subtree: the lint engine (the node kinds rules ask for), schema/norm.c (expression rewrites)
 * and effects/volatility.c (the functions an expression calls).
 *
 * It goes down only the fields that can lead to a Node, in descriptor order, with per-type
 * plans built once from the descriptors (thread-safe), and at most SQL_WALK_MAX_DEPTH Nodes
 * deep: a Node deeper than that is not walked and too_deep() is told, so a deeply nested
 * expression cannot exhaust the stack. (The parser refuses trees nesting more than 3,000
 * messages, sql/parse.c, about 1,500 Nodes; rules and rewrites look near the top.) */
#ifndef PGSIEVE_SQL_WALK_H
#define PGSIEVE_SQL_WALK_H

#include <pg_query/pg_query.pb-c.h>

enum { SQL_WALK_MAX_DEPTH = 1000 };

/* What pre() wants done with a Node. */
enum sql_walk_next {
	SQL_WALK_INTO, /* walk its children, then call post() */
	SQL_WALK_SKIP, /* neither its children nor post() */
	SQL_WALK_STOP, /* end the whole walk now */
};

struct sql_walk {
	/* Before a Node's children (never an unset Node); NULL: SQL_WALK_INTO. */
	enum sql_walk_next (*pre)(struct sql_walk *w, PgQuery__Node **slot);
	/* After a Node's children: may replace *slot. */
	void (*post)(struct sql_walk *w, PgQuery__Node **slot);
	/* After the children of a message that is not a Node (TypeName, RangeVar, ...). */
	void (*msg)(struct sql_walk *w, ProtobufCMessage *msg);
	/* Instead of pre() for a Node deeper than SQL_WALK_MAX_DEPTH: nothing below it is walked. */
	void (*too_deep)(struct sql_walk *w, PgQuery__Node **slot);
	void *ud;
	/* When set (SQL_WALK_MAX_DEPTH entries): the Nodes from the top of the walk to the one
	 * pre() is called for, path[depth - 1] being that one. */
	const PgQuery__Node **path;
	int depth;   /* Nodes from the top of the walk to the current one, itself included */
	int stopped; /* a pre() returned SQL_WALK_STOP */
};

/* Walks the Node in *slot and everything below it (nothing when *slot is NULL or unset). A
 * walk that only reads may pass a const tree cast to PgQuery__Node **: it is written only by
 * post() callbacks that replace their slot. */
void sql_walk(struct sql_walk *w, PgQuery__Node **slot);

#endif
