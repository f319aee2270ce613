/* Canonical text for what the model stores of expressions, types and view queries, so that the
 * same schema read from a migration, from pg_dump output or from the catalog (pg_get_expr and
 * friends, which print the analysed expression) gives the same text.
 *
 * An expression is copied, rewritten and deparsed by libpg_query. The rewrites (docs/schema.md
 * lists them):
 *   - casts of constants are dropped ('a'::text, (0)::numeric, '-1'::integer are 'a', 0, -1),
 *     and casts to text or varchar of a column or a non-empty ARRAY[...] (which PostgreSQL
 *     prints for varchar columns compared with text); the model keeps the text with its
 *     casts beside the normalised one for what a plan writes (schema_norm_expr_sql);
 *   - x IN (a, b) is x = ANY (ARRAY[a, b]), NOT IN is <> ALL, BETWEEN is >= AND <=, LIKE and
 *     ILIKE are the operators ~~ and ~~*;
 *   - functions and types of pg_catalog are unqualified; other names are qualified with the
 *     schema they resolve to through the model's search_path (the first one when unknown);
 *   - the relation named in nextval('seq') and 'x'::regclass is qualified the same way;
 *   - in view queries, relations are qualified, columns are qualified with their relation's
 *     name or alias only when the query reads more than one relation, * is expanded to the
 *     columns the model knows, and every output column gets an explicit name.
 * What it cannot make equal: constants the server rewrites in its own format (a timestamptz
 * bound or default is printed in the server's time zone), and GROUP BY or ORDER BY by output
 * position. */
#ifndef PGSIEVE_NORM_H
#define PGSIEVE_NORM_H

#include <pg_query/pg_query.pb-c.h>

#include "schema/model.h"

/* A type reference resolved against the model: schema NULL for pg_catalog's types. */
struct schema_typeref {
	char name[128];
	char schema[128]; /* "" for a built-in type */
	int32_t mods[2];
	int nmods;
	int array_dims;   /* 0 or 1: PostgreSQL does not keep the number of dimensions */
};

void schema_type_resolve(const struct schema_model *m, const PgQuery__TypeName *tn,
			 struct schema_typeref *out);
/* "varchar(20)", "public.mood[]" into buf. */
const char *schema_typeref_text(const struct schema_typeref *t, char *buf, size_t size);
/* Whether name is one of pg_catalog's types (canonical name, as sql_type_from_node gives). */
int schema_type_is_builtin(const char *name);

/* The normalised text of an expression (malloc'd), or NULL when expr is NULL or cannot be
 * deparsed. */
char *schema_norm_expr(const struct schema_model *m, const PgQuery__Node *expr);
/* The same, and in *sql the text a plan writes: the same rewrites with every cast kept (a
 * cast can change the meaning: '90 days'::interval, 7::bigint * 86400000000, a citext column
 * ::text); NULL when no cast was left out, so the normalised text is the plan's too. */
char *schema_norm_expr_sql(const struct schema_model *m, const PgQuery__Node *expr, char **sql);

/* The same for an expression given as SQL text (as the catalog prints it). */
char *schema_norm_expr_text(const struct schema_model *m, const char *text);
/* A normalised expression with the column old_name renamed (malloc'd; NULL when it does not
 * parse). */
char *schema_expr_rename_column(const char *text, const char *old_name, const char *new_name);
/* The columns a normalised expression reads. */
void schema_expr_text_columns(const char *text, struct schema_strlist *out);

/* What a stored (normalised) expression, or a view's query when query is nonzero, refers to,
 * each once, as written there: the functions it calls ("app.f"; pg_catalog's unqualified),
 * the relations it reads ("app.t", or "t" when unqualified) and the columns ("c", "t.c",
 * "new.c"). Any list may be NULL; nothing is added when the text does not parse. */
/* Frees what schema_text_refs() remembers on this thread (main() does it at exit). */
void schema_norm_release_caches(void);
void schema_text_refs(const char *text, int query, struct schema_strlist *functions,
		      struct schema_strlist *relations, struct schema_strlist *columns);

/* The columns a (raw) expression reads, each once, in order of appearance. */
void schema_expr_columns(const PgQuery__Node *expr, struct schema_strlist *out);

/* The name PostgreSQL gives a select-list expression without AS (FigureColname): "count",
 * "lower", the column's name, "?column?". */
const char *schema_figure_colname(const PgQuery__Node *expr);

/* A view query normalised: the query's text, its output column names (aliases, when given,
 * rename the first ones), and the relations and columns it reads. */
struct schema_view_query {
	char *definition;
	char *definition_sql; /* with its casts, as a plan writes it; NULL when the same */
	struct schema_strlist columns, depends_on, depends_on_columns;
};

int schema_norm_view(const struct schema_model *m, const PgQuery__Node *query,
		     PgQuery__Node *const *aliases, size_t naliases, struct schema_view_query *out);
void schema_view_query_release(struct schema_view_query *q);

/* A qualified name ("public.t", "\"My\".\"T\"", "t") parsed into schema and name (schema ""
 * when unqualified); returns 0, or -1 when it is not a name. */
int schema_parse_qualified(const char *text, char *schema, size_t ssize, char *name, size_t nsize);

#endif
