/* Normalised expressions, types and view queries: see norm.h for what is rewritten and why.
 * The tree is copied into an arena, rewritten in place bottom-up, and
 * deparsed by libpg_query; the caller's tree is never changed. */
#include "schema/norm.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effects/volatility.h"
#include "sql/pbtree.h"
#include "sql/sql.h"
#include "sql/tree.h"
#include "sql/walk.h"
#include "util/arena.h"
#include "util/ident.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* pg_catalog's types in PostgreSQL 15 (SELECT typname FROM pg_type WHERE typnamespace =
 * 'pg_catalog'::regnamespace AND typrelid = 0 AND typname !~ '^_'), sorted for bsearch. */
static const char *const builtin_types[] = {
	"aclitem", "any", "anyarray", "anycompatible", "anycompatiblearray",
	"anycompatiblemultirange", "anycompatiblenonarray", "anycompatiblerange", "anyelement",
	"anyenum", "anymultirange", "anynonarray", "anyrange", "bit", "bool", "box", "bpchar",
	"bytea", "char", "cid", "cidr", "circle", "cstring", "date", "datemultirange", "daterange",
	"event_trigger", "fdw_handler", "float4", "float8", "gtsvector", "index_am_handler", "inet",
	"int2", "int2vector", "int4", "int4multirange", "int4range", "int8", "int8multirange",
	"int8range", "internal", "interval", "json", "jsonb", "jsonpath", "language_handler", "line",
	"lseg", "macaddr", "macaddr8", "money", "name", "numeric", "nummultirange", "numrange",
	"oid", "oidvector", "path", "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary",
	"pg_ddl_command", "pg_dependencies", "pg_lsn", "pg_mcv_list", "pg_ndistinct",
	"pg_node_tree", "pg_snapshot", "point", "polygon", "record", "refcursor", "regclass",
	"regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator",
	"regproc", "regprocedure", "regrole", "regtype", "table_am_handler", "text", "tid", "time",
	"timestamp", "timestamptz", "timetz", "trigger", "tsm_handler", "tsmultirange", "tsquery",
	"tsrange", "tstzmultirange", "tstzrange", "tsvector", "txid_snapshot", "unknown", "uuid",
	"varbit", "varchar", "void", "xid", "xid8", "xml",
};

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

int schema_type_is_builtin(const char *name)
{
	return name && bsearch(name, builtin_types, sizeof(builtin_types) / sizeof(builtin_types[0]),
			       sizeof(builtin_types[0]), cmp_name) != NULL;
}

/* Types extensions commonly install, and the extension: an unqualified one resolves to the
 * extension's schema when the model knows the extension. */
static const struct {
	const char *type, *extension;
} extension_types[] = {
	{ "citext", "citext" },	    { "hstore", "hstore" },	   { "ltree", "ltree" },
	{ "vector", "vector" },	    { "halfvec", "vector" },	   { "sparsevec", "vector" },
	{ "geometry", "postgis" },  { "geography", "postgis" },	   { "cube", "cube" },
	{ "earth", "earthdistance" }, { "isbn", "isn" },	   { "ean13", "isn" },
};

int schema_parse_qualified(const char *text, char *schema, size_t ssize, char *name, size_t nsize)
{
	char parts[3][256];
	int np = 0;
	const char *p = text;
	while (np < 3) {
		size_t n = 0;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				if (n + 1 < sizeof(parts[0]))
					parts[np][n++] = *p;
			}
			if (*p != '"')
				return -1;
			p++;
		} else {
			for (; *p && *p != '.'; p++)
				if (n + 1 < sizeof(parts[0]))
					parts[np][n++] = (char)tolower((unsigned char)*p);
		}
		parts[np][n] = '\0';
		if (!n)
			return -1;
		np++;
		if (*p != '.')
			break;
		p++;
	}
	if (*p || np == 0 || np > 2)
		return -1;
	snprintf(schema, ssize, "%s", np == 2 ? parts[0] : "");
	snprintf(name, nsize, "%s", parts[np - 1]);
	return 0;
}

/* ---- types ---- */

static const char *extension_schema_of_type(const struct schema_model *m, const char *name)
{
	for (size_t i = 0; i < sizeof(extension_types) / sizeof(extension_types[0]); i++) {
		if (strcmp(extension_types[i].type, name))
			continue;
		const struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, extension_types[i].extension);
		return e ? e->schema : NULL;
	}
	return NULL;
}

void schema_type_resolve(const struct schema_model *m, const PgQuery__TypeName *tn,
			 struct schema_typeref *out)
{
	memset(out, 0, sizeof(*out));
	struct sql_type st;
	sql_type_from_node(tn, &st);
	snprintf(out->name, sizeof(out->name), "%s", st.name);
	out->nmods = st.nmods;
	out->mods[0] = st.mods[0];
	out->mods[1] = st.mods[1];
	out->array_dims = st.array_dims > 0;
	if (!tn || !*st.name)
		return;
	const char *schema = NULL;
	if (tn->n_names >= 2)
		schema = sql_node_str(tn->names[tn->n_names - 2]);
	if (schema && !strcmp(schema, "pg_catalog"))
		return;
	if (schema) {
		snprintf(out->schema, sizeof(out->schema), "%s", schema);
		return;
	}
	if (schema_type_is_builtin(out->name) || !strcmp(out->name, "serial") ||
	    !strcmp(out->name, "bigserial") || !strcmp(out->name, "smallserial"))
		return;
	/* a user type, or a table's row type; else an extension's; else the first schema */
	const struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, NULL, out->name);
	const char *s = t ? t->schema : NULL;
	if (!s)
		s = schema_resolve_relation(m, out->name);
	if (!s)
		s = extension_schema_of_type(m, out->name);
	if (!s)
		s = schema_creation_schema(m);
	snprintf(out->schema, sizeof(out->schema), "%s", s);
}

const char *schema_typeref_text(const struct schema_typeref *t, char *buf, size_t size)
{
	char q[300];
	int n = 0;
	if (t->schema[0])
		n = snprintf(buf, size, "%s.", ident_quote(t->schema, q, sizeof(q)));
	n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%s",
		      t->schema[0] ? ident_quote(t->name, q, sizeof(q)) : t->name);
	if (t->nmods == 1)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d)", t->mods[0]);
	else if (t->nmods == 2)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d,%d)", t->mods[0],
			      t->mods[1]);
	if (t->array_dims && (size_t)n + 3 < size)
		snprintf(buf + n, size - (size_t)n, "[]");
	return buf;
}

/* A copy to rewrite: the caller's tree is never changed. */
static PgQuery__Node *copy_node(struct arena *a, const PgQuery__Node *n)
{
	return n ? sql_tree_copy(a, &n->base, SIZE_MAX, NULL) : NULL;
}

static char *astr(struct arena *a, const char *s)
{
	return arena_strdup(a, s);
}

static PgQuery__Node *new_string(struct arena *a, const char *s)
{
	PgQuery__Node *n = arena_zalloc(a, sizeof(*n));
	pg_query__node__init(n);
	PgQuery__String *str = arena_zalloc(a, sizeof(*str));
	pg_query__string__init(str);
	str->sval = astr(a, s);
	n->node_case = PG_QUERY__NODE__NODE_STRING;
	n->string = str;
	return n;
}

/* ---- expression rewrites ---- */

struct norm {
	const struct schema_model *m;
	struct arena *a;
	/* view queries */
	struct scope *scope;
	struct schema_strlist *deps, *dep_columns;
	struct schema_strlist ctes;
	/* The text a plan writes: the rewrites, but every cast kept, since a cast can change
	 * what an expression means ('90 days'::interval, 7::bigint * 86400000000, ARRAY[]::text[],
	 * citext_column::text). */
	int keep_casts;
	int casts_dropped; /* a cast was left out: the plan's text differs from the normalised */
	/* the names of the FROM items of the enclosing query levels (rtable_names) */
	struct schema_strlist level_names;
	/* FROM items given another name by name_level(), and what the query called them */
	struct renamed_item {
		const void *node;
		const char *orig;
	} *renamed;
	size_t nrenamed, renamed_cap;
};

static int type_is(const PgQuery__TypeName *tn, const char *const *names)
{
	if (!tn || !tn->n_names)
		return 0;
	struct sql_type st;
	sql_type_from_node(tn, &st);
	const char *schema = tn->n_names >= 2 ? sql_node_str(tn->names[tn->n_names - 2]) : NULL;
	if (schema && strcmp(schema, "pg_catalog"))
		return 0;
	for (; *names; names++)
		if (!strcmp(st.name, *names))
			return 1;
	return 0;
}

static const char *const numeric_types[] = { "int2", "int4", "int8", "numeric", "float4", "float8",
					     "oid", NULL };
static const char *const text_types[] = { "text", "varchar", "bpchar", NULL };
static const char *const regclass_type[] = { "regclass", NULL };

/* Whether s is a number literal: digits, at most one '.', an optional sign and exponent. */
static int numeric_text(const char *s, int *is_int)
{
	const char *p = s;
	int digits = 0, dot = 0, exp = 0;
	if (*p == '-' || *p == '+')
		p++;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			digits++;
		} else if (*p == '.' && !dot && !exp) {
			dot = 1;
		} else if ((*p == 'e' || *p == 'E') && digits && !exp) {
			exp = 1;
			if (p[1] == '-' || p[1] == '+')
				p++;
		} else {
			return 0;
		}
	}
	*is_int = !dot && !exp;
	return digits > 0;
}

/* A string constant cast to a number type becomes the number ('-1'::integer is -1). */
static void const_to_number(struct norm *nc, PgQuery__AConst *c)
{
	int is_int;
	if (c->val_case != PG_QUERY__A__CONST__VAL_SVAL || !c->sval || !numeric_text(c->sval->sval, &is_int))
		return;
	const char *s = c->sval->sval;
	if (*s == '+')
		s++;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (is_int && !*end && v >= INT32_MIN && v <= INT32_MAX) {
		PgQuery__Integer *i = arena_zalloc(nc->a, sizeof(*i));
		pg_query__integer__init(i);
		i->ival = (int32_t)v;
		c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
		c->ival = i;
	} else {
		PgQuery__Float *f = arena_zalloc(nc->a, sizeof(*f));
		pg_query__float__init(f);
		f->fval = astr(nc->a, s);
		c->val_case = PG_QUERY__A__CONST__VAL_FVAL;
		c->fval = f;
	}
}

/* The relation a string names ('orders_id_seq', 'public."T"'), qualified the way
 * PostgreSQL prints a regclass with an empty search_path. */
static void qualify_relation_string(struct norm *nc, PgQuery__AConst *c)
{
	if (c->val_case != PG_QUERY__A__CONST__VAL_SVAL || !c->sval)
		return;
	char schema[256], name[256];
	if (schema_parse_qualified(c->sval->sval, schema, sizeof(schema), name, sizeof(name)) != 0)
		return;
	if (!schema[0]) {
		const char *s = schema_resolve_relation(nc->m, name);
		snprintf(schema, sizeof(schema), "%s", s ? s : schema_creation_schema(nc->m));
	}
	char a[300], b[300];
	c->sval->sval = arena_printf(nc->a, "%s.%s", ident_quote(schema, a, sizeof(a)),
				     ident_quote(name, b, sizeof(b)));
}

static void norm_type_cast(struct norm *nc, PgQuery__Node **slot)
{
	PgQuery__TypeCast *tc = (*slot)->type_cast;
	PgQuery__Node *arg = tc->arg;
	if (!arg || !tc->type_name)
		return;
	int array = tc->type_name->n_array_bounds > 0;
	if (nc->keep_casts) {
		if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST && !array && type_is(tc->type_name, regclass_type))
			qualify_relation_string(nc, arg->a_const);
		return;
	}
	PgQuery__Node *out = NULL;
	switch (arg->node_case) {
	case PG_QUERY__NODE__NODE_A_CONST:
		if (!array && type_is(tc->type_name, numeric_types))
			const_to_number(nc, arg->a_const);
		else if (!array && type_is(tc->type_name, regclass_type))
			qualify_relation_string(nc, arg->a_const);
		out = arg;
		break;
	case PG_QUERY__NODE__NODE_COLUMN_REF:
		if (!array && type_is(tc->type_name, text_types))
			out = arg;
		break;
	case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
		/* ARRAY[] has no type without its cast: PostgreSQL prints that one */
		if (array && type_is(tc->type_name, text_types) && arg->a_array_expr->n_elements)
			out = arg;
		break;
	default:
		break;
	}
	if (out) {
		*slot = out;
		nc->casts_dropped = 1;
	}
}

static PgQuery__Node *new_aexpr(struct norm *nc, PgQuery__AExprKind kind, const char *op,
				PgQuery__Node *l, PgQuery__Node *r)
{
	PgQuery__Node *n = arena_zalloc(nc->a, sizeof(*n));
	pg_query__node__init(n);
	PgQuery__AExpr *e = arena_zalloc(nc->a, sizeof(*e));
	pg_query__a__expr__init(e);
	e->kind = kind;
	e->n_name = 1;
	e->name = arena_zalloc(nc->a, sizeof(PgQuery__Node *));
	e->name[0] = new_string(nc->a, op);
	e->lexpr = l;
	e->rexpr = r;
	e->location = -1;
	n->node_case = PG_QUERY__NODE__NODE_A_EXPR;
	n->a_expr = e;
	return n;
}

static void norm_aexpr(struct norm *nc, PgQuery__Node **slot)
{
	PgQuery__AExpr *e = (*slot)->a_expr;
	const char *op = e->n_name ? sql_node_str(e->name[e->n_name - 1]) : NULL;
	if (!op)
		return;
	/* OPERATOR(schema.op): PostgreSQL prints the schema of an operator outside pg_catalog
	 * (citext's ~); the operand types pick the operator, so the schema is left out */
	if (e->n_name == 2) {
		e->name = &e->name[1];
		e->n_name = 1;
	}
	switch (e->kind) {
	case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
		if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
			PgQuery__Node *arr = arena_zalloc(nc->a, sizeof(*arr));
			pg_query__node__init(arr);
			PgQuery__AArrayExpr *ae = arena_zalloc(nc->a, sizeof(*ae));
			pg_query__a__array_expr__init(ae);
			ae->n_elements = e->rexpr->list->n_items;
			ae->elements = e->rexpr->list->items;
			ae->location = -1;
			arr->node_case = PG_QUERY__NODE__NODE_A_ARRAY_EXPR;
			arr->a_array_expr = ae;
			e->kind = strcmp(op, "=") ? PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL
						  : PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
			e->rexpr = arr;
		}
		break;
	case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
	case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
		if (e->rexpr && e->rexpr->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) /* not ESCAPE */
			e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
		break;
	case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
	case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
		if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
		    e->rexpr->list->n_items != 2)
			break;
		int not = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN;
		PgQuery__Node *lo = e->rexpr->list->items[0], *hi = e->rexpr->list->items[1];
		PgQuery__Node *n = arena_zalloc(nc->a, sizeof(*n));
		pg_query__node__init(n);
		PgQuery__BoolExpr *b = arena_zalloc(nc->a, sizeof(*b));
		pg_query__bool_expr__init(b);
		b->boolop = not ? PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR : PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
		b->n_args = 2;
		b->args = arena_zalloc(nc->a, 2 * sizeof(PgQuery__Node *));
		b->args[0] = new_aexpr(nc, PG_QUERY__A__EXPR__KIND__AEXPR_OP, not ? "<" : ">=", e->lexpr, lo);
		b->args[1] = new_aexpr(nc, PG_QUERY__A__EXPR__KIND__AEXPR_OP, not ? ">" : "<=", e->lexpr, hi);
		b->location = -1;
		n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
		n->bool_expr = b;
		*slot = n;
		break;
	}
	default:
		break;
	}
}

/* The schema of a function called without one: none for PostgreSQL's own; the model's
 * function; an extension's, when the model knows the extension; the first schema. */
static const char *function_schema(const struct schema_model *m, const char *name)
{
	const char *source = volatility_source(name);
	if (source && !*source)
		return NULL;
	const struct schema_function *f = schema_function_find_any(m, NULL, name);
	if (f)
		return f->schema;
	if (source) {
		const struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, source);
		if (e)
			return e->schema;
	}
	return schema_creation_schema(m);
}

static void norm_func_call(struct norm *nc, PgQuery__FuncCall *fc)
{
	if (fc->n_funcname == 2 && !strcmp(sql_node_str(fc->funcname[0]) ?: "", "pg_catalog") &&
	    fc->funcformat != PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX) {
		fc->funcname = &fc->funcname[1];
		fc->n_funcname = 1;
	}
	const char *name = fc->n_funcname == 1 ? sql_node_str(fc->funcname[0]) : NULL;
	if (!name || fc->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX)
		return;
	if ((!strcmp(name, "nextval") || !strcmp(name, "currval") || !strcmp(name, "setval")) &&
	    fc->n_args >= 1 && fc->args[0]->node_case == PG_QUERY__NODE__NODE_A_CONST)
		qualify_relation_string(nc, fc->args[0]->a_const);
	const char *schema = function_schema(nc->m, name);
	if (schema) {
		PgQuery__Node **names = arena_zalloc(nc->a, 2 * sizeof(PgQuery__Node *));
		names[0] = new_string(nc->a, schema);
		names[1] = fc->funcname[0];
		fc->funcname = names;
		fc->n_funcname = 2;
	}
}

/* TypeName: pg_catalog's types by their canonical name, other types qualified. */
static void norm_type_name(struct norm *nc, PgQuery__TypeName *tn)
{
	if (!tn->n_names || tn->pct_type)
		return;
	struct schema_typeref ref;
	schema_type_resolve(nc->m, tn, &ref);
	if (!ref.name[0])
		return;
	PgQuery__Node **names = arena_zalloc(nc->a, 2 * sizeof(PgQuery__Node *));
	/* pg_catalog stays written out: the deparser prints its types in SQL spelling
	 * (integer, character varying(20), interval fields) only when qualified */
	names[0] = new_string(nc->a, ref.schema[0] ? ref.schema : "pg_catalog");
	names[1] = new_string(nc->a, ref.name);
	tn->names = names;
	tn->n_names = 2;
	if (tn->n_array_bounds > 1)
		tn->n_array_bounds = 1;
}

static void norm_post(struct sql_walk *w, PgQuery__Node **slot)
{
	struct norm *nc = w->ud;
	switch ((*slot)->node_case) {
	case PG_QUERY__NODE__NODE_TYPE_CAST:
		norm_type_cast(nc, slot);
		break;
	case PG_QUERY__NODE__NODE_A_EXPR:
		norm_aexpr(nc, slot);
		break;
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		norm_func_call(nc, (*slot)->func_call);
		break;
	default:
		break;
	}
}

static void norm_msg(struct sql_walk *w, ProtobufCMessage *msg)
{
	if (msg->descriptor == &pg_query__type_name__descriptor)
		norm_type_name(w->ud, (PgQuery__TypeName *)msg);
}

/* The expression rewritten; *casts_dropped (may be NULL) says whether a cast was left out. */
static char *norm_expr(const struct schema_model *m, const PgQuery__Node *expr, int keep_casts, int *casts_dropped)
{
	if (!expr)
		return NULL;
	struct arena a;
	arena_init(&a);
	PgQuery__Node *copy = copy_node(&a, expr);
	char *out = NULL;
	struct norm nc = { .m = m, .a = &a, .keep_casts = keep_casts };
	if (copy) {
		struct sql_walk w = { .post = norm_post, .msg = norm_msg, .ud = &nc };
		sql_walk(&w, &copy);
		out = copy ? sql_deparse_expr(copy) : NULL; /* cached by content (sql/deparse.c) */
	}
	if (casts_dropped)
		*casts_dropped = nc.casts_dropped;
	arena_release(&a);
	return out;
}

char *schema_norm_expr(const struct schema_model *m, const PgQuery__Node *expr)
{
	return norm_expr(m, expr, 0, NULL);
}

char *schema_norm_expr_sql(const struct schema_model *m, const PgQuery__Node *expr, char **sql)
{
	int dropped = 0;
	char *out = norm_expr(m, expr, 0, &dropped);
	*sql = out && dropped ? norm_expr(m, expr, 1, NULL) : NULL;
	return out;
}

/* ---- columns an expression reads ---- */

static enum sql_walk_next collect_columns(struct sql_walk *w, PgQuery__Node **slot)
{
	const PgQuery__Node *n = *slot;
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		const PgQuery__ColumnRef *cr = n->column_ref;
		const char *name = cr->n_fields ? sql_node_str(cr->fields[cr->n_fields - 1]) : NULL;
		struct schema_strlist *out = w->ud;
		if (name && schema_strlist_find(out, name) < 0)
			schema_strlist_add(out, name);
		return SQL_WALK_SKIP;
	}
	return SQL_WALK_INTO;
}

void schema_expr_columns(const PgQuery__Node *expr, struct schema_strlist *out)
{
	if (!expr)
		return;
	struct sql_walk w = { .pre = collect_columns, .ud = out };
	PgQuery__Node *n = (PgQuery__Node *)expr; /* only read: collect_columns never replaces */
	sql_walk(&w, &n);
}

/* ---- output column names ---- */

/* PostgreSQL's FigureColnameInternal(): the name and how sure it is (0 none, 1 a guess from a
 * type or keyword, 2 a column or function name). */
static int figure_colname(const PgQuery__Node *n, const char **name)
{
	if (!n)
		return 0;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_COLUMN_REF: {
		const PgQuery__ColumnRef *cr = n->column_ref;
		const char *last = cr->n_fields ? sql_node_str(cr->fields[cr->n_fields - 1]) : NULL;
		if (last) {
			*name = last;
			return 2;
		}
		return 0;
	}
	case PG_QUERY__NODE__NODE_A_INDIRECTION: {
		const PgQuery__AIndirection *ind = n->a_indirection;
		for (size_t i = ind->n_indirection; i > 0; i--) {
			const char *s = sql_node_str(ind->indirection[i - 1]);
			if (s) {
				*name = s;
				return 2;
			}
		}
		return figure_colname(ind->arg, name);
	}
	case PG_QUERY__NODE__NODE_FUNC_CALL: {
		const PgQuery__FuncCall *fc = n->func_call;
		*name = sql_names_last(fc->funcname, fc->n_funcname);
		return *name ? 2 : 0;
	}
	case PG_QUERY__NODE__NODE_A_EXPR:
		if (n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) {
			*name = "nullif";
			return 2;
		}
		return 0;
	case PG_QUERY__NODE__NODE_TYPE_CAST: {
		int strength = figure_colname(n->type_cast->arg, name);
		if (strength <= 1 && n->type_cast->type_name) {
			const PgQuery__TypeName *tn = n->type_cast->type_name;
			const char *t = sql_names_last(tn->names, tn->n_names);
			if (t) {
				*name = t;
				return 1;
			}
		}
		return strength;
	}
	case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
		return figure_colname(n->collate_clause->arg, name);
	case PG_QUERY__NODE__NODE_GROUPING_FUNC:
		*name = "grouping";
		return 2;
	case PG_QUERY__NODE__NODE_SUB_LINK: {
		const PgQuery__SubLink *sl = n->sub_link;
		if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) {
			*name = "exists";
			return 2;
		}
		if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK) {
			*name = "array";
			return 2;
		}
		if ((sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK ||
		     sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__MULTIEXPR_SUBLINK) &&
		    sl->subselect && sl->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
			const PgQuery__SelectStmt *s = sl->subselect->select_stmt;
			if (s->n_target_list && s->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
				const PgQuery__ResTarget *rt = s->target_list[0]->res_target;
				if (*rt->name) {
					*name = rt->name;
					return 2;
				}
			}
		}
		return 0;
	}
	case PG_QUERY__NODE__NODE_CASE_EXPR:
		{
			int strength = figure_colname(n->case_expr->defresult, name);
			if (strength <= 1) {
				*name = "case";
				return 1;
			}
			return strength;
		}
	case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
		*name = "array";
		return 2;
	case PG_QUERY__NODE__NODE_ROW_EXPR:
		*name = "row";
		return 2;
	case PG_QUERY__NODE__NODE_COALESCE_EXPR:
		*name = "coalesce";
		return 2;
	case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
		*name = n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
		return 2;
	case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
		static const char *const names[] = {
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE] = "current_date",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME] = "current_time",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N] = "current_time",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP] = "current_timestamp",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N] = "current_timestamp",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME] = "localtime",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N] = "localtime",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP] = "localtimestamp",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N] = "localtimestamp",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE] = "current_role",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER] = "current_user",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER] = "user",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER] = "session_user",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG] = "current_catalog",
			[PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA] = "current_schema",
		};
		unsigned op = (unsigned)n->sqlvalue_function->op;
		if (op < sizeof(names) / sizeof(names[0]) && names[op]) {
			*name = names[op];
			return 2;
		}
		return 0;
	}
	default:
		return 0;
	}
}

const char *schema_figure_colname(const PgQuery__Node *expr)
{
	const char *name = NULL;
	if (figure_colname(expr, &name) && name)
		return name;
	return "?column?";
}

/* ---- view queries ---- */

struct scope_item {
	const char *refname; /* alias, or the relation's name */
	const char *orig;    /* the same as the query wrote it, before name_level() */
	char *key;           /* "schema.name" of a relation, NULL for a subquery or function */
	struct schema_strlist columns; /* known output columns */
};

struct scope {
	struct scope_item *items;
	size_t n, cap;
	struct scope *outer; /* the enclosing query level's */
};

static void scope_release(struct scope *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].key);
		schema_strlist_clear(&s->items[i].columns);
	}
	free(s->items);
}

static void relation_columns(const struct schema_model *m, const char *schema, const char *name,
			     struct schema_strlist *out)
{
	const struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
	if (t) {
		for (size_t i = 0; i < t->ncolumns; i++)
			schema_strlist_add(out, t->columns[i].name);
		return;
	}
	const struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
	if (v)
		schema_strlist_copy(out, &v->columns);
}

static void norm_select(struct norm *nc, PgQuery__SelectStmt *s, struct schema_strlist *columns);

static PgQuery__SelectStmt *as_select(PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT ? n->select_stmt : NULL;
}

/* ---- the names PostgreSQL gives FROM items ----
 *
 * pg_get_viewdef() prints every FROM item of a query level under a name unique among the
 * names of that level and of the levels around it (ruleutils.c, set_rtable_names()): a CTE
 * read in the main query and again inside another CTE is printed "up" there and "up up_1" in
 * the CTE, whose query is printed inside the main one. Names are chosen level by level from
 * the outside in, each level's in FROM order; a name in use gets "_1", "_2", ... from a
 * counter kept per name. The normaliser names FROM items the same way, so a query as written
 * and as the catalog prints it compare equal. */

/* The name an item is known by in its level: its alias, or the relation's or function's name. */
static const char *from_item_name(const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_RANGE_VAR:
		return n->range_var->alias && *n->range_var->alias->aliasname ? n->range_var->alias->aliasname
									       : n->range_var->relname;
	case PG_QUERY__NODE__NODE_RANGE_SUBSELECT:
		return n->range_subselect->alias ? n->range_subselect->alias->aliasname : NULL;
	case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
		const PgQuery__RangeFunction *rf = n->range_function;
		if (rf->alias)
			return rf->alias->aliasname;
		/* functions: a List of (FuncCall, column definitions) */
		const PgQuery__Node *f = rf->n_functions ? rf->functions[0] : NULL;
		if (f && f->node_case == PG_QUERY__NODE__NODE_LIST && f->list->n_items &&
		    f->list->items[0]->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
			const PgQuery__FuncCall *fc = f->list->items[0]->func_call;
			return fc->n_funcname ? sql_node_str(fc->funcname[fc->n_funcname - 1]) : NULL;
		}
		return NULL;
	}
	case PG_QUERY__NODE__NODE_JOIN_EXPR:
		return n->join_expr->alias ? n->join_expr->alias->aliasname : NULL;
	default:
		return NULL;
	}
}

struct level {
	struct schema_strlist names;
	int *counters;
	size_t cap;
};

static void level_add(struct level *l, const char *name)
{
	XGROW(l->counters, l->names.n + 1, l->cap);
	l->counters[l->names.n] = 0;
	schema_strlist_add(&l->names, name);
}

/* Gives the item its unique name, recording what the query called it when that changes. */
static void name_item(struct norm *nc, struct level *l, PgQuery__Node *n)
{
	if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
		if (n->join_expr->larg)
			name_item(nc, l, n->join_expr->larg);
		if (n->join_expr->rarg)
			name_item(nc, l, n->join_expr->rarg);
	}
	const char *name = from_item_name(n);
	if (!name || !*name)
		return;
	int at = schema_strlist_find(&l->names, name);
	if (at < 0) {
		level_add(l, name);
		return;
	}
	char *unique;
	do {
		unique = arena_printf(nc->a, "%s_%d", name, ++l->counters[at]);
	} while (schema_strlist_find(&l->names, unique) >= 0);
	level_add(l, unique);
	PgQuery__Alias **alias = n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR	      ? &n->range_var->alias
				 : n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT ? &n->range_subselect->alias
											  : NULL;
	if (!alias)
		return; /* functions and joins keep their names: PostgreSQL prints them as given */
	if (!*alias) {
		*alias = arena_zalloc(nc->a, sizeof(**alias));
		pg_query__alias__init(*alias);
	}
	(*alias)->aliasname = unique;
	XGROW(nc->renamed, nc->nrenamed + 1, nc->renamed_cap);
	nc->renamed[nc->nrenamed++] = (struct renamed_item){ n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR
								     ? (const void *)n->range_var
								     : (const void *)n->range_subselect,
							     name };
}

/* Names the FROM items of a query level and adds the names to the enclosing levels' for the
 * levels inside it; returns how many it added (taken off again by the caller). */
static size_t name_level(struct norm *nc, PgQuery__SelectStmt *s)
{
	struct level l = { 0 };
	for (size_t i = 0; i < nc->level_names.n; i++)
		level_add(&l, nc->level_names.items[i]);
	size_t outer = l.names.n;
	for (size_t i = 0; i < s->n_from_clause; i++)
		name_item(nc, &l, s->from_clause[i]);
	for (size_t i = outer; i < l.names.n; i++)
		schema_strlist_add(&nc->level_names, l.names.items[i]);
	size_t added = l.names.n - outer;
	schema_strlist_clear(&l.names);
	free(l.counters);
	return added;
}

static const char *orig_name(const struct norm *nc, const void *node, const char *refname)
{
	for (size_t i = 0; i < nc->nrenamed; i++)
		if (nc->renamed[i].node == node)
			return nc->renamed[i].orig;
	return refname;
}

/* Adds the FROM item to the scope: relations are qualified and recorded as dependencies. */
static void scope_add_from(struct norm *nc, struct scope *sc, PgQuery__Node *n)
{
	if (!n)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		PgQuery__RangeVar *rv = n->range_var;
		XGROW(sc->items, sc->n + 1, sc->cap);
		struct scope_item *it = &sc->items[sc->n++];
		memset(it, 0, sizeof(*it));
		it->refname = rv->alias && *rv->alias->aliasname ? rv->alias->aliasname : rv->relname;
		it->orig = orig_name(nc, rv, it->refname);
		if (!*rv->schemaname && schema_strlist_find(&nc->ctes, rv->relname) >= 0)
			return; /* a WITH query of the statement */
		if (!*rv->schemaname) {
			const char *s = schema_resolve_relation(nc->m, rv->relname);
			rv->schemaname = astr(nc->a, s ? s : schema_creation_schema(nc->m));
		}
		char key[600];
		it->key = xstrdup(schema_key(key, sizeof(key), rv->schemaname, rv->relname));
		relation_columns(nc->m, rv->schemaname, rv->relname, &it->columns);
		if (schema_strlist_find(nc->deps, it->key) < 0)
			schema_strlist_add(nc->deps, it->key);
	} else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
		scope_add_from(nc, sc, n->join_expr->larg);
		scope_add_from(nc, sc, n->join_expr->rarg);
	} else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
		PgQuery__RangeSubselect *rs = n->range_subselect;
		XGROW(sc->items, sc->n + 1, sc->cap);
		struct scope_item *it = &sc->items[sc->n++];
		memset(it, 0, sizeof(*it));
		it->refname = rs->alias ? rs->alias->aliasname : "";
		it->orig = orig_name(nc, rs, it->refname);
		PgQuery__SelectStmt *sub = as_select(rs->subquery);
		if (sub)
			norm_select(nc, sub, &it->columns);
	} else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION) {
		PgQuery__RangeFunction *rf = n->range_function;
		XGROW(sc->items, sc->n + 1, sc->cap);
		struct scope_item *it = &sc->items[sc->n++];
		memset(it, 0, sizeof(*it));
		it->refname = rf->alias ? rf->alias->aliasname : "";
		it->orig = it->refname;
	}
}

static void add_dep_column(struct norm *nc, const struct scope_item *it, const char *col)
{
	if (!it->key)
		return;
	char *k = xasprintf("%s.%s", it->key, col);
	if (schema_strlist_find(nc->dep_columns, k) < 0)
		schema_strlist_add(nc->dep_columns, k);
	free(k);
}

/* Columns: qualified only when the query reads several relations. */
static void resolve_column_ref(struct norm *nc, PgQuery__ColumnRef *cr)
{
	struct scope *sc = nc->scope;
	if (!sc || !cr->n_fields || cr->fields[cr->n_fields - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
		return;
	const char *col = sql_node_str(cr->fields[cr->n_fields - 1]);
	if (cr->n_fields == 1) {
		struct scope_item *found = NULL;
		int count = 0;
		for (size_t i = 0; i < sc->n; i++)
			if (schema_strlist_find(&sc->items[i].columns, col) >= 0) {
				found = &sc->items[i];
				count++;
			}
		if (sc->n == 1 && !found)
			found = &sc->items[0];
		if (found)
			add_dep_column(nc, found, col);
		if (count == 1 && sc->n > 1 && *found->refname) {
			PgQuery__Node **f = arena_zalloc(nc->a, 2 * sizeof(PgQuery__Node *));
			f[0] = new_string(nc->a, found->refname);
			f[1] = cr->fields[0];
			cr->fields = f;
			cr->n_fields = 2;
		}
		return;
	}
	const char *q = sql_node_str(cr->fields[cr->n_fields - 2]);
	if (!q)
		return;
	/* the nearest level with an item of that name: this one, or one around it (a correlated
	 * subquery); the qualifier is the item's name as name_level() chose it */
	for (const struct scope *level = sc; level; level = level->outer)
		for (size_t i = 0; i < level->n; i++) {
			const struct scope_item *it = &level->items[i];
			if (strcmp(it->orig ? it->orig : it->refname, q))
				continue;
			if (level == sc)
				add_dep_column(nc, it, col);
			if (level == sc && sc->n == 1) {
				cr->fields = &cr->fields[cr->n_fields - 1];
				cr->n_fields = 1;
			} else if (strcmp(it->refname, q)) {
				cr->fields[cr->n_fields - 2] = new_string(nc->a, it->refname);
			}
			return;
		}
}

static enum sql_walk_next view_pre(struct sql_walk *w, PgQuery__Node **slot)
{
	struct norm *nc = w->ud;
	PgQuery__Node *n = *slot;
	if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
		norm_select(nc, n->select_stmt, NULL);
		return SQL_WALK_SKIP;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT)
		return SQL_WALK_SKIP; /* normalised when its scope item was made */
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
		resolve_column_ref(nc, n->column_ref);
	return SQL_WALK_INTO;
}

static void view_walk(struct norm *nc, PgQuery__Node **slot)
{
	struct sql_walk w = { .pre = view_pre, .post = norm_post, .msg = norm_msg, .ud = nc };
	sql_walk(&w, slot);
}

static void view_walk_list(struct norm *nc, PgQuery__Node **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		view_walk(nc, &items[i]);
}

static PgQuery__Node *new_res_target(struct norm *nc, const char *refname, const char *col, int qualify)
{
	PgQuery__Node *ref = arena_zalloc(nc->a, sizeof(*ref));
	pg_query__node__init(ref);
	PgQuery__ColumnRef *cr = arena_zalloc(nc->a, sizeof(*cr));
	pg_query__column_ref__init(cr);
	cr->n_fields = qualify ? 2 : 1;
	cr->fields = arena_zalloc(nc->a, 2 * sizeof(PgQuery__Node *));
	if (qualify)
		cr->fields[0] = new_string(nc->a, refname);
	cr->fields[qualify ? 1 : 0] = new_string(nc->a, col);
	cr->location = -1;
	ref->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
	ref->column_ref = cr;
	PgQuery__Node *n = arena_zalloc(nc->a, sizeof(*n));
	pg_query__node__init(n);
	PgQuery__ResTarget *rt = arena_zalloc(nc->a, sizeof(*rt));
	pg_query__res_target__init(rt);
	rt->val = ref;
	rt->name = astr(nc->a, col);
	rt->location = -1;
	n->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
	n->res_target = rt;
	return n;
}

/* SELECT * and SELECT t.* become the columns the model knows, as PostgreSQL stores them. */
static void expand_stars(struct norm *nc, PgQuery__SelectStmt *s, struct scope *sc)
{
	size_t cap = s->n_target_list + 1;
	for (size_t i = 0; i < sc->n; i++)
		cap += sc->items[i].columns.n;
	PgQuery__Node **out = arena_zalloc(nc->a, cap * sizeof(PgQuery__Node *));
	size_t n = 0;
	int changed = 0;
	for (size_t i = 0; i < s->n_target_list; i++) {
		PgQuery__Node *t = s->target_list[i];
		const PgQuery__ResTarget *rt = t->node_case == PG_QUERY__NODE__NODE_RES_TARGET ? t->res_target : NULL;
		const PgQuery__ColumnRef *cr = rt && rt->val && rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF
						       ? rt->val->column_ref
						       : NULL;
		if (!cr || !cr->n_fields || cr->fields[cr->n_fields - 1]->node_case != PG_QUERY__NODE__NODE_A_STAR) {
			out[n++] = t;
			continue;
		}
		const char *q = cr->n_fields >= 2 ? sql_node_str(cr->fields[cr->n_fields - 2]) : NULL;
		int all_known = 1;
		for (size_t k = 0; k < sc->n; k++)
			if ((!q || !strcmp(sc->items[k].refname, q)) && !sc->items[k].columns.n)
				all_known = 0;
		if (!all_known) {
			out[n++] = t;
			continue;
		}
		for (size_t k = 0; k < sc->n; k++) {
			if (q && strcmp(sc->items[k].refname, q))
				continue;
			for (size_t c = 0; c < sc->items[k].columns.n; c++)
				out[n++] = new_res_target(nc, sc->items[k].refname, sc->items[k].columns.items[c],
							  sc->n > 1);
		}
		changed = 1;
	}
	if (changed) {
		s->target_list = out;
		s->n_target_list = n;
	}
}

/* The output columns of a set operation are named by its first arm; PostgreSQL prints every
 * other arm's columns with those names (ruleutils.c passes the result's names down), whatever
 * the arm called them. */
static void setop_names(struct norm *nc, PgQuery__SelectStmt *s, const struct schema_strlist *names)
{
	if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE && s->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED) {
		if (s->larg)
			setop_names(nc, s->larg, names);
		if (s->rarg)
			setop_names(nc, s->rarg, names);
		return;
	}
	for (size_t i = 0; i < s->n_target_list && i < names->n; i++)
		if (s->target_list[i]->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
			s->target_list[i]->res_target->name = astr(nc->a, names->items[i]);
}

static void norm_select(struct norm *nc, PgQuery__SelectStmt *s, struct schema_strlist *columns)
{
	int setop = s->op != PG_QUERY__SET_OPERATION__SETOP_NONE && s->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED;
	/* this level's FROM items are named before the levels inside it, its WITH queries too */
	size_t named = setop ? 0 : name_level(nc, s);
	/* the WITH queries first: a WITH over a UNION names relations of both arms, which are not
	 * tables to qualify (WITH x AS (...) SELECT ... FROM x UNION SELECT ... FROM x) */
	size_t nctes = nc->ctes.n;
	if (s->with_clause)
		for (size_t i = 0; i < s->with_clause->n_ctes; i++) {
			PgQuery__Node *c = s->with_clause->ctes[i];
			if (c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
				continue;
			schema_strlist_add(&nc->ctes, c->common_table_expr->ctename);
			PgQuery__SelectStmt *q = as_select(c->common_table_expr->ctequery);
			if (q)
				norm_select(nc, q, NULL);
		}
	if (setop) {
		struct schema_strlist names = { 0 };
		if (s->larg)
			norm_select(nc, s->larg, &names);
		if (s->rarg) {
			norm_select(nc, s->rarg, NULL);
			setop_names(nc, s->rarg, &names);
		}
		for (size_t i = 0; columns && i < names.n; i++)
			schema_strlist_add(columns, names.items[i]);
		schema_strlist_clear(&names);
		while (nc->ctes.n > nctes)
			schema_strlist_remove(&nc->ctes, nc->ctes.n - 1);
		return;
	}
	struct scope *outer = nc->scope;
	struct scope sc = { .outer = outer };
	for (size_t i = 0; i < s->n_from_clause; i++)
		scope_add_from(nc, &sc, s->from_clause[i]);
	expand_stars(nc, s, &sc);
	/* every output column gets its name written out, as PostgreSQL prints it */
	for (size_t i = 0; i < s->n_target_list; i++) {
		PgQuery__Node *t = s->target_list[i];
		if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
			continue;
		PgQuery__ResTarget *rt = t->res_target;
		if (!*rt->name)
			rt->name = astr(nc->a, schema_figure_colname(rt->val));
		if (columns)
			schema_strlist_add(columns, rt->name);
	}
	nc->scope = &sc;
	view_walk_list(nc, s->target_list, s->n_target_list);
	for (size_t i = 0; i < s->n_from_clause; i++)
		view_walk(nc, &s->from_clause[i]);
	if (s->where_clause)
		view_walk(nc, &s->where_clause);
	view_walk_list(nc, s->group_clause, s->n_group_clause);
	if (s->having_clause)
		view_walk(nc, &s->having_clause);
	view_walk_list(nc, s->sort_clause, s->n_sort_clause);
	view_walk_list(nc, s->window_clause, s->n_window_clause);
	view_walk_list(nc, s->distinct_clause, s->n_distinct_clause);
	view_walk_list(nc, s->values_lists, s->n_values_lists);
	nc->scope = outer;
	scope_release(&sc);
	while (nc->ctes.n > nctes)
		schema_strlist_remove(&nc->ctes, nc->ctes.n - 1);
	for (; named; named--)
		schema_strlist_remove(&nc->level_names, nc->level_names.n - 1);
}

/* A RangeSubselect's query is normalised by scope_add_from; the walk over FROM must not do it
 * a second time, so view_pre stops at SELECTs, and FROM items other than subqueries only hold
 * join conditions and function calls. */

/* A normalised query as text: libpg_query deparses whole statements, and a subquery
 * expression prints "(SELECT ...)". */
static char *query_text(PgQuery__Node *query)
{
	PgQuery__SubLink sl = PG_QUERY__SUB_LINK__INIT;
	sl.sub_link_type = PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK;
	sl.subselect = query;
	sl.location = -1;
	PgQuery__Node wrap = PG_QUERY__NODE__INIT;
	wrap.node_case = PG_QUERY__NODE__NODE_SUB_LINK;
	wrap.sub_link = &sl;
	char *text = sql_deparse_expr(&wrap);
	if (text) {
		size_t len = strlen(text);
		if (len >= 2 && text[0] == '(' && text[len - 1] == ')') {
			memmove(text, text + 1, len - 2);
			text[len - 2] = '\0';
		}
	}
	return text;
}

/* One pass of the view normaliser over a copy of query; NULL when it cannot be copied. */
static char *norm_view_pass(struct norm *nc, const PgQuery__Node *query, PgQuery__Node *const *aliases,
			    size_t naliases, struct schema_strlist *columns)
{
	PgQuery__Node *copy = copy_node(nc->a, query);
	if (!copy)
		return NULL;
	PgQuery__SelectStmt *s = copy->select_stmt;
	/* column aliases of CREATE VIEW v (a, b) name the first output columns */
	if (naliases && s->op == PG_QUERY__SET_OPERATION__SETOP_NONE) {
		for (size_t i = 0; i < naliases && i < s->n_target_list; i++) {
			const char *alias = sql_node_str(aliases[i]);
			if (alias && s->target_list[i]->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
				s->target_list[i]->res_target->name = astr(nc->a, alias);
		}
	}
	norm_select(nc, s, columns);
	schema_strlist_clear(&nc->ctes);
	schema_strlist_clear(&nc->level_names);
	free(nc->renamed);
	nc->renamed = NULL;
	nc->nrenamed = nc->renamed_cap = 0;
	return query_text(copy);
}

int schema_norm_view(const struct schema_model *m, const PgQuery__Node *query,
		     PgQuery__Node *const *aliases, size_t naliases, struct schema_view_query *out)
{
	memset(out, 0, sizeof(*out));
	if (!query || query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return -1;
	struct arena a;
	arena_init(&a);
	struct norm nc = { .m = m, .a = &a, .deps = &out->depends_on, .dep_columns = &out->depends_on_columns };
	out->definition = norm_view_pass(&nc, query, aliases, naliases, &out->columns);
	for (size_t i = 0; i < naliases && i < out->columns.n; i++) {
		const char *alias = sql_node_str(aliases[i]);
		if (alias) {
			free(out->columns.items[i]);
			out->columns.items[i] = xstrdup(alias);
		}
	}
	schema_strlist_sort(&out->depends_on);
	schema_strlist_sort(&out->depends_on_columns);
	if (nc.casts_dropped) {
		struct schema_strlist deps = { 0 }, dep_columns = { 0 };
		struct norm keep = { .m = m, .a = &a, .deps = &deps, .dep_columns = &dep_columns, .keep_casts = 1 };
		out->definition_sql = norm_view_pass(&keep, query, aliases, naliases, NULL);
		schema_strlist_clear(&deps);
		schema_strlist_clear(&dep_columns);
	}
	arena_release(&a);
	return 0;
}

void schema_view_query_release(struct schema_view_query *q)
{
	free(q->definition);
	free(q->definition_sql);
	schema_strlist_clear(&q->columns);
	schema_strlist_clear(&q->depends_on);
	schema_strlist_clear(&q->depends_on_columns);
}

/* ---- expressions given as text ---- */

struct parsed_expr {
	char *(*fn)(void *ud, const PgQuery__Node *expr);
	void *ud;
	char *result;
};

static int on_select(void *ud, const struct sql_stmt *st)
{
	struct parsed_expr *pe = ud;
	if (pe->result || !st->node || st->node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return 1;
	const PgQuery__SelectStmt *s = st->node->select_stmt;
	if (s->n_target_list != 1 || s->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
		return 1;
	pe->result = pe->fn(pe->ud, s->target_list[0]->res_target->val);
	return 0;
}

/* Parses "SELECT <text>" and hands the expression to fn. */
static char *with_parsed_expr(const char *text, char *(*fn)(void *ud, const PgQuery__Node *expr), void *ud)
{
	char *sql = xasprintf("SELECT %s", text);
	struct parsed_expr pe = { fn, ud, NULL };
	struct sql_callbacks cb = { &pe, NULL, on_select };
	sql_parse(sql, strlen(sql), &cb);
	free(sql);
	return pe.result;
}

static char *norm_cb(void *ud, const PgQuery__Node *expr)
{
	return schema_norm_expr(ud, expr);
}

char *schema_norm_expr_text(const struct schema_model *m, const char *text)
{
	return with_parsed_expr(text, norm_cb, (void *)m);
}

struct rename_col {
	const char *old_name, *new_name;
	struct arena *a;
};

static enum sql_walk_next rename_pre(struct sql_walk *w, PgQuery__Node **slot)
{
	struct rename_col *rc = w->ud;
	if ((*slot)->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return SQL_WALK_INTO;
	PgQuery__ColumnRef *cr = (*slot)->column_ref;
	if (cr->n_fields == 1 && !strcmp(sql_node_str(cr->fields[0]) ?: "", rc->old_name))
		cr->fields[0] = new_string(rc->a, rc->new_name);
	return SQL_WALK_SKIP;
}

static char *rename_cb(void *ud, const PgQuery__Node *expr)
{
	struct rename_col *rc = ud;
	struct arena a;
	arena_init(&a);
	rc->a = &a;
	PgQuery__Node *copy = copy_node(&a, expr);
	char *out = NULL;
	if (copy) {
		struct sql_walk w = { .pre = rename_pre, .ud = rc };
		sql_walk(&w, &copy);
		out = sql_deparse_expr(copy);
	}
	arena_release(&a);
	return out;
}

char *schema_expr_rename_column(const char *text, const char *old_name, const char *new_name)
{
	struct rename_col rc = { old_name, new_name, NULL };
	return with_parsed_expr(text, rename_cb, &rc);
}

static char *columns_cb(void *ud, const PgQuery__Node *expr)
{
	schema_expr_columns(expr, ud);
	return xstrdup("");
}

void schema_expr_text_columns(const char *text, struct schema_strlist *out)
{
	free(with_parsed_expr(text, columns_cb, out));
}

/* ---- what a stored expression or query refers to ---- */

struct refs {
	struct schema_strlist *functions, *relations, *columns;
};

/* Names of a list of String nodes joined with dots ("app.f"); "" when one is not a string. */
static void dotted(PgQuery__Node *const *names, size_t n, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(names[i]);
		if (!s) {
			buf[0] = '\0';
			return;
		}
		o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", i ? "." : "", s);
	}
}

static void add_once(struct schema_strlist *l, const char *s)
{
	if (l && *s && schema_strlist_find(l, s) < 0)
		schema_strlist_add(l, s);
}

static enum sql_walk_next collect_refs(struct sql_walk *w, PgQuery__Node **slot)
{
	const PgQuery__Node *n = *slot;
	struct refs *r = w->ud;
	char buf[300];
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		dotted(n->func_call->funcname, n->func_call->n_funcname, buf, sizeof(buf));
		add_once(r->functions, buf);
		return SQL_WALK_INTO; /* its arguments may call or read more */
	case PG_QUERY__NODE__NODE_RANGE_VAR: {
		const PgQuery__RangeVar *rv = n->range_var;
		snprintf(buf, sizeof(buf), "%s%s%s", rv->schemaname, *rv->schemaname ? "." : "", rv->relname);
		add_once(r->relations, buf);
		return SQL_WALK_SKIP;
	}
	case PG_QUERY__NODE__NODE_COLUMN_REF: {
		/* a.* and * name no column */
		const PgQuery__ColumnRef *cr = n->column_ref;
		dotted(cr->fields, cr->n_fields, buf, sizeof(buf));
		add_once(r->columns, buf);
		return SQL_WALK_SKIP;
	}
	default:
		return SQL_WALK_INTO;
	}
}

static void walk_refs(const PgQuery__Node *node, struct refs *r)
{
	struct sql_walk w = { .pre = collect_refs, .ud = r };
	PgQuery__Node *n = (PgQuery__Node *)node; /* only read: collect_refs never replaces */
	sql_walk(&w, &n);
}

static int on_refs_statement(void *ud, const struct sql_stmt *st)
{
	if (st->node)
		walk_refs(st->node, ud);
	return 0;
}

/* What a text refers to, parsed once: dependents are looked up on every DROP, through every
 * view, policy and trigger of the model, and the same texts come up again and again. */
struct refs_memo {
	struct schema_strlist functions, relations, columns;
};

enum { REFS_MEMO_MAX = 8192 };
static _Thread_local struct strmap refs_memo;

void schema_norm_release_caches(void)
{
	size_t it = 0;
	const char *key;
	void *value;
	while (strmap_next(&refs_memo, &it, &key, &value)) {
		struct refs_memo *r = value;
		schema_strlist_clear(&r->functions);
		schema_strlist_clear(&r->relations);
		schema_strlist_clear(&r->columns);
		free(r);
	}
	strmap_release(&refs_memo);
}

static void copy_refs(struct schema_strlist *to, const struct schema_strlist *from)
{
	for (size_t i = 0; to && i < from->n; i++)
		schema_strlist_add(to, from->items[i]);
}

void schema_text_refs(const char *text, int query, struct schema_strlist *functions,
		      struct schema_strlist *relations, struct schema_strlist *columns)
{
	if (!text)
		return;
	char *key = xasprintf("%c%s", query ? 'Q' : 'E', text);
	struct refs_memo *memo = strmap_get(&refs_memo, key);
	if (!memo) {
		memo = xcalloc(1, sizeof(*memo));
		struct refs r = { &memo->functions, &memo->relations, &memo->columns };
		char *sql = query ? xstrdup(text) : xasprintf("SELECT %s", text);
		struct sql_callbacks cb = { &r, NULL, on_refs_statement };
		sql_parse(sql, strlen(sql), &cb);
		free(sql);
		if (refs_memo.count >= REFS_MEMO_MAX)
			schema_norm_release_caches();
		strmap_put(&refs_memo, key, memo);
	}
	free(key);
	copy_refs(functions, &memo->functions);
	copy_refs(relations, &memo->relations);
	copy_refs(columns, &memo->columns);
}
