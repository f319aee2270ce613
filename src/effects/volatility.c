#include "effects/volatility.h"

#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "sql/tree.h"
#include "sql/walk.h"

struct known_function {
	const char *name;
	char volatility; /* pg_proc.provolatile: 'i', 's' or 'v' */
	const char *source;
};

/* Generated from pg_proc by src/gen/gen-volatility.sh, sorted in strcmp() order. */
static const struct known_function functions[] = {
#define VOLATILITY(name, vol, source) { name, vol, source },
#include "effects/volatility.inc"
#undef VOLATILITY
};

/* The SQL-standard "functions" the grammar turns into SQLValueFunction instead of a call. All
 * of them are stable: fixed for a statement (the time ones for the transaction), the same on
 * every row. */
static const char *const sql_value_functions[] = {
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE] = "CURRENT_DATE",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME] = "CURRENT_TIME",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N] = "CURRENT_TIME",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP] = "CURRENT_TIMESTAMP",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N] = "CURRENT_TIMESTAMP",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME] = "LOCALTIME",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N] = "LOCALTIME",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP] = "LOCALTIMESTAMP",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N] = "LOCALTIMESTAMP",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE] = "CURRENT_ROLE",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER] = "CURRENT_USER",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER] = "USER",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER] = "SESSION_USER",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG] = "CURRENT_CATALOG",
	[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA] = "CURRENT_SCHEMA",
};

const char *volatility_name(enum volatility v)
{
	switch (v) {
	case VOLATILITY_IMMUTABLE:
		return "immutable";
	case VOLATILITY_STABLE:
		return "stable";
	case VOLATILITY_VOLATILE:
		return "volatile";
	case VOLATILITY_UNKNOWN:
		break;
	}
	return "unknown";
}

static int compare_function(const void *key, const void *elem)
{
	return strcmp(key, ((const struct known_function *)elem)->name);
}

static const struct known_function *find_function(const char *name)
{
	if (!name || !*name)
		return NULL;
	return bsearch(name, functions, sizeof(functions) / sizeof(functions[0]), sizeof(functions[0]),
		       compare_function);
}

enum volatility volatility_of(const char *funcname)
{
	const struct known_function *f = find_function(funcname);
	if (!f)
		return VOLATILITY_UNKNOWN;
	switch (f->volatility) {
	case 'i':
		return VOLATILITY_IMMUTABLE;
	case 's':
		return VOLATILITY_STABLE;
	default:
		return VOLATILITY_VOLATILE;
	}
}

const char *volatility_source(const char *funcname)
{
	const struct known_function *f = find_function(funcname);
	return f ? f->source : NULL;
}

struct walk {
	enum volatility level;
	struct volatility_cause cause;
	const struct volatility_resolver *resolver;
};

static void note(struct walk *w, enum volatility v, const char *func, int location)
{
	if (v <= w->level)
		return;
	w->level = v;
	w->cause.func = func;
	w->cause.location = func ? location : -1;
}

/* A call can hide in any argument, CASE arm, array element, COALESCE or cast: every Node below
 * the expression is looked at, and listing those node kinds would miss the next one. */
static enum sql_walk_next walk_pre(struct sql_walk *sw, PgQuery__Node **slot)
{
	struct walk *w = sw->ud;
	const PgQuery__Node *n = *slot;
	if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && n->func_call) {
		const PgQuery__FuncCall *fc = n->func_call;
		/* The schema is ignored: extensions live in whatever schema they were installed in
		 * (public, extensions, ...), and pg_catalog.now() is now(). */
		const char *name = sql_names_last(fc->funcname, fc->n_funcname);
		enum volatility v = volatility_of(name);
		if (v == VOLATILITY_UNKNOWN && name && w->resolver && w->resolver->lookup)
			v = w->resolver->lookup(w->resolver->ud, name);
		note(w, v, name, fc->location);
	} else if (n->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION && n->sqlvalue_function) {
		const PgQuery__SQLValueFunction *svf = n->sqlvalue_function;
		size_t op = (size_t)svf->op;
		const char *name = op < sizeof(sql_value_functions) / sizeof(sql_value_functions[0])
					   ? sql_value_functions[op]
					   : NULL;
		note(w, VOLATILITY_STABLE, name ? name : "CURRENT_TIMESTAMP", svf->location);
	}
	return w->level == VOLATILITY_VOLATILE ? SQL_WALK_STOP : SQL_WALK_INTO;
}

/* Past the walk's depth limit the expression is unknown: what lies below is not looked at. */
static void walk_too_deep(struct sql_walk *sw, PgQuery__Node **slot)
{
	(void)slot;
	note(sw->ud, VOLATILITY_UNKNOWN, NULL, -1);
}

enum volatility expr_volatility_with(const PgQuery__Node *expr, const struct volatility_resolver *r,
				     struct volatility_cause *cause)
{
	struct walk w = { VOLATILITY_IMMUTABLE, { NULL, -1 }, r };
	struct sql_walk sw = { .pre = walk_pre, .too_deep = walk_too_deep, .ud = &w };
	PgQuery__Node *top = (PgQuery__Node *)expr; /* only read: no callback replaces a node */
	sql_walk(&sw, &top);
	if (cause)
		*cause = w.cause;
	return w.level;
}

enum volatility expr_volatility(const PgQuery__Node *expr, struct volatility_cause *cause)
{
	return expr_volatility_with(expr, NULL, cause);
}

enum volatility volatility_declared(const PgQuery__Node *stmt, const char **name)
{
	*name = NULL;
	if (!stmt || stmt->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT ||
	    !stmt->create_function_stmt)
		return VOLATILITY_UNKNOWN;
	const PgQuery__CreateFunctionStmt *cf = stmt->create_function_stmt;
	*name = sql_names_last(cf->funcname, cf->n_funcname);
	/* a function that does not say is VOLATILE: CREATE FUNCTION's default */
	enum volatility v = VOLATILITY_VOLATILE;
	for (size_t i = 0; i < cf->n_options; i++) {
		const PgQuery__Node *o = cf->options[i];
		if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM ||
		    strcmp(o->def_elem->defname, "volatility"))
			continue;
		const char *s = sql_node_str(o->def_elem->arg);
		if (s && !strcmp(s, "immutable"))
			v = VOLATILITY_IMMUTABLE;
		else if (s && !strcmp(s, "stable"))
			v = VOLATILITY_STABLE;
		else
			v = VOLATILITY_VOLATILE;
	}
	return v;
}

int expr_is_volatile(const PgQuery__Node *expr, struct volatility_cause *cause)
{
	return expr_volatility(expr, cause) == VOLATILITY_VOLATILE;
}
