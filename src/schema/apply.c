/* Advancing the model by one statement, whichever source it comes from: a migration, a schema
 * file, or the DDL the catalog source writes for a live database. What a statement changes is
 * what PostgreSQL would change, including the objects it makes implicitly (the sequence of a
 * serial column, the index of a PRIMARY KEY, the names it chooses) and what goes away with a
 * dropped object. Statements the model has nothing to say about leave it as it is. */
#include "schema/apply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effects/types.h"
#include "schema/norm.h"
#include "sql/tree.h"
#include "util/ident.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

enum { KEY_MAX = 600 };

static const char *rv_schema(const PgQuery__RangeVar *rv)
{
	return rv && rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
}

/* The schema a relation named by rv lives in: as written, else where the name resolves, else
 * where it would be created. */
static const char *rel_schema(const struct schema_model *m, const PgQuery__RangeVar *rv)
{
	const char *s = rv_schema(rv);
	if (s)
		return s;
	s = schema_resolve_relation(m, rv->relname);
	return s ? s : schema_creation_schema(m);
}

static const char *rel_key(const struct schema_model *m, const PgQuery__RangeVar *rv, char *buf, size_t size)
{
	return schema_key(buf, size, rel_schema(m, rv), rv->relname);
}

static const char *table_key(const struct schema_table *t, char *buf, size_t size)
{
	return schema_key(buf, size, t->schema, t->name);
}

/* [schema,] name from a list of String nodes. */
static int name_list(PgQuery__Node *const *items, size_t n, const char **schema, const char **name)
{
	*schema = *name = NULL;
	if (n == 0 || n > 3)
		return -1;
	*name = sql_node_str(items[n - 1]);
	if (n >= 2)
		*schema = sql_node_str(items[n - 2]);
	return *name ? 0 : -1;
}

static int object_name(const PgQuery__Node *obj, const char **schema, const char **name)
{
	*schema = *name = NULL;
	if (!obj)
		return -1;
	if (obj->node_case == PG_QUERY__NODE__NODE_LIST)
		return name_list(obj->list->items, obj->list->n_items, schema, name);
	if (obj->node_case == PG_QUERY__NODE__NODE_STRING) {
		*name = obj->string->sval;
		return 0;
	}
	if (obj->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
		return name_list(obj->type_name->names, obj->type_name->n_names, schema, name);
	return -1;
}

/* value may be *field itself or point into it: copied before the old string goes */
static void set_str(char **field, const char *value)
{
	char *copy = value ? xstrdup(value) : NULL;
	free(*field);
	*field = copy;
}

static void set_owned(char **field, char *value)
{
	free(*field);
	*field = value;
}

/* Sets an expression of the model: its normalised text and, when that left a cast out, its
 * text with the casts, which is what a plan writes (model.h); expr NULL clears both. */
static void set_expr(const struct schema_model *m, char **norm, char **sql, const PgQuery__Node *expr)
{
	char *with_casts = NULL;
	set_owned(norm, expr ? schema_norm_expr_sql(m, expr, &with_casts) : NULL);
	set_owned(sql, with_casts);
}

static char *quoted_qualified(const char *schema, const char *name)
{
	char a[300], b[300];
	return xasprintf("%s.%s", ident_quote(schema, a, sizeof(a)), ident_quote(name, b, sizeof(b)));
}

/* A collation's name, always qualified ("pg_catalog"."C", as the catalog prints it): one written
 * without its schema is the model's collation of that name on the search_path (CREATE
 * COLLATION), else pg_catalog's. */
static char *collation_name_text(const struct schema_model *m, PgQuery__Node *const *items, size_t n)
{
	const char *schema, *name;
	if (name_list(items, n, &schema, &name) != 0)
		return NULL;
	if (!schema) {
		const struct schema_collation *c = schema_collation_find(m, NULL, name);
		schema = c ? c->schema : "pg_catalog";
	}
	return quoted_qualified(schema, name);
}

/* Operator classes extensions install: one written without its schema is in its extension's
 * schema when the model knows the extension. */
static const struct {
	const char *opclass, *extension;
} extension_opclasses[] = {
	{ "gin_trgm_ops", "pg_trgm" },	    { "gist_trgm_ops", "pg_trgm" },
	{ "gin_hstore_ops", "hstore" },	    { "gist_hstore_ops", "hstore" },
	{ "gist_ltree_ops", "ltree" },	    { "vector_l2_ops", "vector" },
	{ "vector_ip_ops", "vector" },	    { "vector_cosine_ops", "vector" },
	{ "vector_l1_ops", "vector" },	    { "halfvec_l2_ops", "vector" },
	{ "halfvec_ip_ops", "vector" },	    { "halfvec_cosine_ops", "vector" },
};

/* An index element's operator class: with its schema unless that is pg_catalog or public,
 * which the catalog prints and a migration leaves out ("public.gin_trgm_ops" and
 * "gin_trgm_ops" are one), so that the plan finds it through the default search_path. */
static char *opclass_text(const struct schema_model *m, PgQuery__Node *const *items, size_t n)
{
	const char *schema, *name;
	if (name_list(items, n, &schema, &name) != 0)
		return NULL;
	for (size_t i = 0; !schema && i < sizeof(extension_opclasses) / sizeof(extension_opclasses[0]); i++)
		if (!strcmp(extension_opclasses[i].opclass, name)) {
			const struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, extension_opclasses[i].extension);
			schema = e ? e->schema : NULL;
		}
	char b[300];
	if (!schema || !strcmp(schema, "pg_catalog") || !strcmp(schema, "public"))
		return xstrdup(ident_quote(name, b, sizeof(b)));
	return quoted_qualified(schema, name);
}

/* An operator of EXCLUDE (... WITH op) as SQL takes it: an operator is not an identifier, so
 * never quoted ("=" is a syntax error there); one of another schema than pg_catalog is written
 * OPERATOR(schema.op). */
static char *operator_text(PgQuery__Node *const *items, size_t n)
{
	const char *schema, *name;
	if (name_list(items, n, &schema, &name) != 0)
		return NULL;
	if (!schema || !strcmp(schema, "pg_catalog"))
		return xstrdup(name);
	char b[300];
	return xasprintf("OPERATOR(%s.%s)", ident_quote(schema, b, sizeof(b)), name);
}

/* ---- option lists ---- */

static char *node_value_text(const PgQuery__Node *n)
{
	if (!n)
		return xstrdup("true");
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_STRING:
		return xstrdup(n->string->sval);
	case PG_QUERY__NODE__NODE_INTEGER:
		return xasprintf("%d", n->integer->ival);
	case PG_QUERY__NODE__NODE_FLOAT:
		return xstrdup(n->float_->fval);
	case PG_QUERY__NODE__NODE_BOOLEAN:
		return xstrdup(n->boolean->boolval ? "true" : "false");
	case PG_QUERY__NODE__NODE_TYPE_NAME: {
		char *s = sql_deparse_type(n->type_name);
		return s ? s : xstrdup("?");
	}
	case PG_QUERY__NODE__NODE_A_CONST: {
		const PgQuery__AConst *c = n->a_const;
		if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
			return xstrdup(c->sval->sval);
		if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
			return xasprintf("%d", c->ival ? c->ival->ival : 0);
		if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL)
			return xstrdup(c->fval->fval);
		if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL)
			return xstrdup(c->boolval->boolval ? "true" : "false");
		return xstrdup("");
	}
	case PG_QUERY__NODE__NODE_LIST: {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n->list->n_items; i++) {
			char *v = node_value_text(n->list->items[i]);
			strbuf_addf(&sb, "%s%s", i ? "." : "", v);
			free(v);
		}
		return strbuf_detach(&sb);
	}
	default:
		return xstrdup("?");
	}
}

static void lower_in_place(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Storage parameters and view options as "name=value", sorted. */
static void apply_options(struct schema_strlist *list, PgQuery__Node *const *opts, size_t n, int reset)
{
	for (size_t i = 0; i < n; i++) {
		if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const PgQuery__DefElem *d = opts[i]->def_elem;
		char *name = *d->defnamespace ? xasprintf("%s.%s", d->defnamespace, d->defname) : xstrdup(d->defname);
		lower_in_place(name);
		size_t len = strlen(name);
		for (size_t k = 0; k < list->n;) {
			if (!strncmp(list->items[k], name, len) && list->items[k][len] == '=')
				schema_strlist_remove(list, k);
			else
				k++;
		}
		if (!reset) {
			char *v = node_value_text(d->arg);
			if (!strcmp(name, "check_option") || !strcmp(name, "security_barrier") ||
			    !strcmp(name, "security_invoker") || !strcmp(name, "autovacuum_enabled"))
				lower_in_place(v);
			char *item = xasprintf("%s=%s", name, v);
			schema_strlist_add(list, item);
			free(item);
			free(v);
		}
		free(name);
	}
	schema_strlist_sort(list);
}

static const PgQuery__DefElem *find_option(PgQuery__Node *const *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && !strcmp(opts[i]->def_elem->defname, name))
			return opts[i]->def_elem;
	return NULL;
}

/* ---- sequences ---- */

static int64_t option_int(const PgQuery__Node *arg, int64_t fallback)
{
	if (!arg)
		return fallback;
	if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
		return arg->integer->ival;
	if (arg->node_case == PG_QUERY__NODE__NODE_FLOAT)
		return strtoll(arg->float_->fval, NULL, 10);
	if (arg->node_case == PG_QUERY__NODE__NODE_STRING)
		return strtoll(arg->string->sval, NULL, 10);
	return fallback;
}

static void set_owned_by(struct schema_model *m, struct schema_sequence *s, const PgQuery__Node *arg)
{
	if (!arg || arg->node_case != PG_QUERY__NODE__NODE_LIST)
		return;
	const PgQuery__List *l = arg->list;
	if (l->n_items == 1 && !strcmp(sql_node_str(l->items[0]) ?: "", "none")) {
		set_str(&s->owned_table, NULL);
		set_str(&s->owned_column, NULL);
		s->owner_kind = 0;
		return;
	}
	if (l->n_items < 2)
		return;
	const char *col = sql_node_str(l->items[l->n_items - 1]);
	const char *schema, *table;
	if (name_list(l->items, l->n_items - 1, &schema, &table) != 0 || !col)
		return;
	const struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, table);
	char key[KEY_MAX];
	schema_key(key, sizeof(key), t ? t->schema : schema ? schema : s->schema, table);
	set_str(&s->owned_table, key);
	set_str(&s->owned_column, col);
	s->owner_kind = 'a';
}

/* CREATE/ALTER SEQUENCE options (and an identity column's). */
static void apply_sequence_options(struct schema_model *m, struct schema_sequence *s, PgQuery__Node *const *opts,
				   size_t n, int creating)
{
	const char *old_type = s->type;
	int64_t old_min = s->min, old_max = s->max;
	struct schema_sequence defaults = { .increment = s->increment };
	schema_sequence_set_type(&defaults, old_type, 0, 0);
	int min_custom = !creating && old_min != defaults.min, max_custom = !creating && old_max != defaults.max;
	free(defaults.type);
	int have_start = 0;
	char *type = xstrdup(old_type);
	for (size_t i = 0; i < n; i++) {
		if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const PgQuery__DefElem *d = opts[i]->def_elem;
		if (!strcmp(d->defname, "as") && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
			struct sql_type st;
			sql_type_from_node(d->arg->type_name, &st);
			set_str(&type, st.name);
		} else if (!strcmp(d->defname, "increment")) {
			s->increment = option_int(d->arg, 1);
		} else if (!strcmp(d->defname, "minvalue")) {
			min_custom = d->arg != NULL;
			s->min = option_int(d->arg, s->min);
		} else if (!strcmp(d->defname, "maxvalue")) {
			max_custom = d->arg != NULL;
			s->max = option_int(d->arg, s->max);
		} else if (!strcmp(d->defname, "start")) {
			have_start = 1;
			s->start = option_int(d->arg, s->start);
		} else if (!strcmp(d->defname, "cache")) {
			s->cache = option_int(d->arg, 1);
		} else if (!strcmp(d->defname, "cycle")) {
			s->cycle = !d->arg || (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN && d->arg->boolean->boolval) ||
				   option_int(d->arg, 0);
		} else if (!strcmp(d->defname, "owned_by")) {
			set_owned_by(m, s, d->arg);
		}
	}
	schema_sequence_set_type(s, type, min_custom, max_custom);
	free(type);
	if (creating && !have_start)
		s->start = s->increment > 0 ? s->min : s->max;
}

/* ---- columns ---- */

static void set_column_type(struct schema_column *col, const struct schema_typeref *ref)
{
	schema_column_set_type(col, ref->name[0] ? ref->name : NULL, ref->mods, ref->nmods, ref->array_dims);
	set_str(&col->type_schema, ref->schema[0] ? ref->schema : NULL);
}

static char *collation_text(const struct schema_model *m, const PgQuery__CollateClause *cc)
{
	if (!cc || !cc->n_collname)
		return NULL;
	return collation_name_text(m, cc->collname, cc->n_collname);
}

/* nextval('schema.seq') as the normaliser writes a serial column's default. */
static char *nextval_text(const char *schema, const char *name)
{
	char *q = quoted_qualified(schema, name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "nextval('");
	for (const char *p = q; *p; p++) {
		if (*p == '\'')
			strbuf_addch(&sb, '\'');
		strbuf_addch(&sb, *p);
	}
	strbuf_addstr(&sb, "')");
	free(q);
	return strbuf_detach(&sb);
}

/* The sequence a serial or identity column gets: <table>_<column>_seq, unless named. */
static struct schema_sequence *implicit_sequence(struct schema_model *m, const struct schema_table *t,
						 const char *column, const char *type,
						 const PgQuery__Node *name_opt)
{
	const char *schema = t->schema;
	char *name = NULL;
	if (name_opt && name_opt->node_case == PG_QUERY__NODE__NODE_LIST) {
		const char *s, *nm;
		if (name_list(name_opt->list->items, name_opt->list->n_items, &s, &nm) == 0) {
			name = xstrdup(nm);
			if (s)
				schema = s;
		}
	}
	if (!name)
		name = schema_choose_relation_name(m, schema, t->name, column, "seq");
	struct schema_sequence *s = schema_object_add(m, SCHEMA_KIND_SEQUENCE, schema, name);
	if (type) { /* PostgreSQL's defaults for the type */
		schema_sequence_set_type(s, type, 0, 0);
		s->start = s->min;
	}
	free(name);
	char key[KEY_MAX];
	set_str(&s->owned_table, table_key(t, key, sizeof(key)));
	set_str(&s->owned_column, column);
	s->owner_kind = 'a';
	s->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_SEQUENCE, s);
	return s;
}

static void add_identity(struct schema_model *m, struct schema_table *t, struct schema_column *col,
			 const PgQuery__Constraint *con)
{
	col->identity = con->generated_when && *con->generated_when == 'a' ? 'a' : 'd';
	col->not_null = 1;
	const PgQuery__DefElem *named = find_option(con->options, con->n_options, "sequence_name");
	const char *type = col->type && type_int_width(col->type) ? col->type : "int8";
	struct schema_sequence *s = implicit_sequence(m, t, col->name, type, named ? named->arg : NULL);
	s->owner_kind = 'i';
	apply_sequence_options(m, s, con->options, con->n_options, 1);
}

static struct schema_sequence *identity_sequence(const struct schema_model *m, const struct schema_table *t,
						 const char *column)
{
	char key[KEY_MAX];
	table_key(t, key, sizeof(key));
	size_t it = 0;
	void *v;
	while (strmap_next(&m->sequences, &it, NULL, &v)) {
		struct schema_sequence *s = v;
		if (s->owner_kind == 'i' && s->owned_table && !strcmp(s->owned_table, key) &&
		    !strcmp(s->owned_column, column))
			return s;
	}
	return NULL;
}

static void apply_constraint(struct schema_model *m, struct schema_table *t, const PgQuery__Constraint *con,
			     struct schema_column *col, struct schema_constraint **last);

static void apply_column_def(struct schema_model *m, struct schema_table *t, const PgQuery__ColumnDef *cd,
			     int added)
{
	if (!cd || !*cd->colname)
		return;
	struct schema_column *col = schema_column_add(t, cd->colname);
	size_t col_index = (size_t)(col - t->columns);
	struct schema_typeref ref;
	schema_type_resolve(m, cd->type_name, &ref);
	const char *serial = !ref.schema[0] ? type_serial_base(ref.name) : NULL;
	if (serial)
		snprintf(ref.name, sizeof(ref.name), "%s", serial);
	set_column_type(col, &ref);
	col->added_in_migration = added;
	if (added)
		schema_mark_new(m, SCHEMA_KIND_TABLE, t);
	col->not_null = cd->is_not_null;
	set_owned(&col->collation, collation_text(m, cd->coll_clause));
	if (cd->raw_default)
		set_expr(m, &col->default_expr, &col->default_sql, cd->raw_default);
	if (serial) {
		struct schema_sequence *s = implicit_sequence(m, t, cd->colname, serial, NULL);
		col = &t->columns[col_index];
		set_owned(&col->default_expr, nextval_text(s->schema, s->name));
		set_owned(&col->default_sql, NULL);
		col->not_null = 1;
	}
	struct schema_constraint *last = NULL;
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(m, t, cd->constraints[i]->constraint, &t->columns[col_index], &last);
}

/* ---- constraints ---- */

static char *join_names(const struct schema_strlist *l)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		strbuf_addf(&sb, "%s%s", i ? "_" : "", l->items[i]);
		if (sb.len >= SCHEMA_NAME_MAX)
			break;
	}
	return strbuf_detach(&sb);
}

static void string_list(PgQuery__Node *const *items, size_t n, struct schema_strlist *out)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(items[i]);
		if (s)
			schema_strlist_add(out, s);
	}
}

static void index_elem_from(const struct schema_model *m, const PgQuery__IndexElem *ie, struct schema_index_elem *e)
{
	memset(e, 0, sizeof(*e));
	if (*ie->name) {
		e->column = xstrdup(ie->name);
	} else if (ie->expr && ie->expr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
		   ie->expr->column_ref->n_fields == 1 && sql_node_str(ie->expr->column_ref->fields[0])) {
		/* "(col)" is the column itself, as PostgreSQL treats it */
		e->column = xstrdup(sql_node_str(ie->expr->column_ref->fields[0]));
	} else {
		e->expr = schema_norm_expr_sql(m, ie->expr, &e->expr_sql);
	}
	if (ie->n_opclass)
		e->opclass = opclass_text(m, ie->opclass, ie->n_opclass);
	if (ie->n_collation)
		e->collation = collation_name_text(m, ie->collation, ie->n_collation);
	e->desc = ie->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
	e->nulls = ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST  ? 1
		   : ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST ? 2
										       : 0;
	/* the default: NULLS LAST ascending, NULLS FIRST descending */
	if ((e->desc && e->nulls == 1) || (!e->desc && e->nulls == 2))
		e->nulls = 0;
}

/* The name part PostgreSQL builds an index name from: columns, or "expr" for expressions. */
static void index_name_parts(const struct schema_index_elem *elems, size_t n, struct schema_strlist *out)
{
	for (size_t i = 0; i < n; i++)
		schema_strlist_add(out, elems[i].column ? elems[i].column : "expr");
}

static struct schema_index *add_constraint_index(struct schema_model *m, struct schema_table *t, const char *name,
						 const struct schema_constraint *c)
{
	struct schema_index *ix = schema_index_add(m, t->schema, name, t->schema, t->name);
	ix->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_INDEX, ix);
	ix->unique = c->type != SCHEMA_CON_EXCLUDE;
	ix->nulls_not_distinct = c->nulls_not_distinct;
	set_str(&ix->constraint, c->name);
	if (c->type == SCHEMA_CON_EXCLUDE) {
		set_str(&ix->method, c->method ? c->method : "gist");
		ix->elems = xcalloc(c->nelems + 1, sizeof(*ix->elems));
		for (size_t i = 0; i < c->nelems; i++) {
			const struct schema_index_elem *s = &c->elems[i];
			struct schema_index_elem *d = &ix->elems[i];
			d->column = s->column ? xstrdup(s->column) : NULL;
			d->expr = s->expr ? xstrdup(s->expr) : NULL;
			d->expr_sql = s->expr_sql ? xstrdup(s->expr_sql) : NULL;
			d->opclass = s->opclass ? xstrdup(s->opclass) : NULL;
			d->collation = s->collation ? xstrdup(s->collation) : NULL;
			d->desc = s->desc;
			d->nulls = s->nulls;
		}
		ix->nelems = c->nelems;
		set_str(&ix->predicate, c->predicate);
		set_str(&ix->predicate_sql, c->predicate_sql);
	} else {
		ix->elems = xcalloc(c->columns.n + 1, sizeof(*ix->elems));
		for (size_t i = 0; i < c->columns.n; i++)
			ix->elems[i].column = xstrdup(c->columns.items[i]);
		ix->nelems = c->columns.n;
		schema_strlist_copy(&ix->include, &c->include);
	}
	return ix;
}

/* ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's, under its name. */
static void adopt_index(struct schema_model *m, struct schema_table *t, struct schema_constraint *c,
			const char *index_name)
{
	struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, t->schema, index_name);
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nelems; i++)
		if (ix->elems[i].column)
			schema_strlist_add(&c->columns, ix->elems[i].column);
	schema_strlist_copy(&c->include, &ix->include);
	c->nulls_not_distinct = ix->nulls_not_distinct;
	set_str(&ix->constraint, c->name);
	if (strcmp(ix->name, c->name)) {
		char old[KEY_MAX], nk[KEY_MAX];
		schema_key(old, sizeof(old), ix->schema, ix->name);
		schema_key(nk, sizeof(nk), ix->schema, c->name);
		strmap_remove(&m->indexes, old);
		schema_index_bytable_remove(m, ix->table_key, old);
		set_str(&ix->name, c->name);
		strmap_put(&m->indexes, nk, ix);
		schema_index_bytable_add(m, ix->table_key, nk);
	}
}

static char fk_action(const char *s)
{
	return s && *s ? *s : 'a';
}

static void apply_constraint(struct schema_model *m, struct schema_table *t, const PgQuery__Constraint *con,
			     struct schema_column *col, struct schema_constraint **last)
{
	char key[KEY_MAX];
	const char *given = con->conname && *con->conname ? con->conname : NULL;
	struct schema_constraint *c = NULL;
	size_t col_index = col ? (size_t)(col - t->columns) : 0;
	const char *colname = col ? col->name : NULL;
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		if (col)
			col->not_null = 1;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
		if (col)
			col->not_null = 0;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
		if (col) {
			int null_default = con->raw_expr && con->raw_expr->node_case == PG_QUERY__NODE__NODE_A_CONST &&
					   con->raw_expr->a_const->isnull;
			set_expr(m, &col->default_expr, &col->default_sql, null_default ? NULL : con->raw_expr);
		}
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		if (col)
			add_identity(m, t, col, con);
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
		if (col) {
			col->generated = 's';
			set_expr(m, &col->default_expr, &col->default_sql, con->raw_expr);
		}
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
		if (*last)
			(*last)->deferrable = 1;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
		if (*last)
			(*last)->deferrable = 0;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
		if (*last)
			(*last)->deferred = (*last)->deferrable = 1;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE:
		if (*last)
			(*last)->deferred = 0;
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
		struct schema_strlist cols = { 0 };
		schema_expr_columns(con->raw_expr, &cols);
		char *name = given ? xstrdup(given)
				   : schema_choose_constraint_name(t->constraints, t->nconstraints, t->name,
								   cols.n == 1 ? cols.items[0] : NULL, "check");
		c = schema_constraint_add(t, name, SCHEMA_CON_CHECK);
		c->columns = cols;
		c->expr = schema_norm_expr_sql(m, con->raw_expr, &c->expr_sql);
		c->validated = !con->skip_validation;
		c->no_inherit = con->is_no_inherit;
		const char *nn = schema_notnull_check_column(con->raw_expr);
		if (nn)
			schema_check_add(t, name, nn, c->validated);
		free(name);
		break;
	}
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
		int pk = con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
		struct schema_strlist cols = { 0 };
		if (colname)
			schema_strlist_add(&cols, colname);
		string_list(con->keys, con->n_keys, &cols);
		char *name;
		if (given) {
			name = xstrdup(given);
		} else if (*con->indexname) {
			name = xstrdup(con->indexname);
		} else {
			char *part = join_names(&cols);
			name = schema_choose_relation_name(m, t->schema, t->name, pk ? NULL : part, pk ? "pkey" : "key");
			free(part);
		}
		c = schema_constraint_add(t, name, pk ? SCHEMA_CON_PRIMARY : SCHEMA_CON_UNIQUE);
		free(name);
		c->nulls_not_distinct = con->nulls_not_distinct;
		if (*con->indexname) {
			schema_strlist_clear(&cols);
			adopt_index(m, t, c, con->indexname);
		} else {
			c->columns = cols;
			string_list(con->including, con->n_including, &c->include);
			struct schema_index *ix = add_constraint_index(m, t, c->name, c);
			apply_options(&ix->options, con->options, con->n_options, 0);
		}
		if (pk)
			for (size_t i = 0; i < c->columns.n; i++) {
				struct schema_column *k = schema_column_find(t, c->columns.items[i]);
				if (k)
					k->not_null = 1;
			}
		break;
	}
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
		struct schema_index_elem *elems = xcalloc(con->n_exclusions + 1, sizeof(*elems));
		size_t ne = 0;
		for (size_t i = 0; i < con->n_exclusions; i++) {
			const PgQuery__Node *pair = con->exclusions[i];
			if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items != 2 ||
			    pair->list->items[0]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM)
				continue;
			index_elem_from(m, pair->list->items[0]->index_elem, &elems[ne]);
			const PgQuery__Node *ops = pair->list->items[1];
			if (ops->node_case == PG_QUERY__NODE__NODE_LIST)
				elems[ne].op = operator_text(ops->list->items, ops->list->n_items);
			ne++;
		}
		char *name;
		if (given) {
			name = xstrdup(given);
		} else {
			struct schema_strlist parts = { 0 };
			index_name_parts(elems, ne, &parts);
			char *part = join_names(&parts);
			name = schema_choose_relation_name(m, t->schema, t->name, part, "excl");
			free(part);
			schema_strlist_clear(&parts);
		}
		c = schema_constraint_add(t, name, SCHEMA_CON_EXCLUDE);
		free(name);
		c->elems = elems;
		c->nelems = ne;
		c->method = xstrdup(*con->access_method ? con->access_method : "gist");
		c->predicate = schema_norm_expr_sql(m, con->where_clause, &c->predicate_sql);
		add_constraint_index(m, t, c->name, c);
		break;
	}
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
		struct schema_strlist cols = { 0 };
		if (colname)
			schema_strlist_add(&cols, colname);
		string_list(con->fk_attrs, con->n_fk_attrs, &cols);
		char *name;
		if (given) {
			name = xstrdup(given);
		} else {
			char *part = join_names(&cols);
			name = schema_choose_constraint_name(t->constraints, t->nconstraints, t->name, part, "fkey");
			free(part);
		}
		c = schema_constraint_add(t, name, SCHEMA_CON_FOREIGN);
		free(name);
		c->columns = cols;
		if (con->pktable) {
			const struct schema_table *ref =
				schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(con->pktable), con->pktable->relname);
			c->ref_table = xstrdup(ref ? table_key(ref, key, sizeof(key)) : rel_key(m, con->pktable, key, sizeof(key)));
			string_list(con->pk_attrs, con->n_pk_attrs, &c->ref_columns);
			/* REFERENCES t without columns means t's primary key */
			const struct schema_constraint *pkey = !c->ref_columns.n && ref ? schema_table_primary_key(ref) : NULL;
			if (!c->ref_columns.n && !ref && !strcmp(t->schema, con->pktable->schemaname[0] ? con->pktable->schemaname : t->schema) &&
			    !strcmp(t->name, con->pktable->relname))
				pkey = schema_table_primary_key(t);
			if (pkey)
				schema_strlist_copy(&c->ref_columns, &pkey->columns);
		}
		c->on_update = fk_action(con->fk_upd_action);
		c->on_delete = fk_action(con->fk_del_action);
		c->match = con->fk_matchtype && *con->fk_matchtype ? *con->fk_matchtype : 's';
		c->validated = !con->skip_validation;
		break;
	}
	default:
		return;
	}
	if (c) {
		if (con->deferrable)
			c->deferrable = 1;
		if (con->initdeferred)
			c->deferred = c->deferrable = 1;
		*last = c;
		if (col) /* the array may have moved: keep the caller's pointer valid */
			(void)col_index;
	}
}

/* A CREATE of a relation that exists: skipped with IF NOT EXISTS, and when the model holds the
 * whole database, where PostgreSQL rejects it and the database stays as it was. (Without a
 * source, a second CREATE replaces what the model had, which is all it knows.) */
static int fails_as_existing(const struct schema_model *m, const char *schema, const char *name, int if_not_exists)
{
	return (if_not_exists || m->complete) && schema_relation_kind(m, schema, name);
}

/* ---- CREATE TABLE ---- */

static char *partition_key_text(const struct schema_model *m, const PgQuery__PartitionSpec *ps)
{
	struct strbuf sb = STRBUF_INIT;
	switch (ps->strategy) {
	case PG_QUERY__PARTITION_STRATEGY__PARTITION_STRATEGY_LIST:
		strbuf_addstr(&sb, "LIST (");
		break;
	case PG_QUERY__PARTITION_STRATEGY__PARTITION_STRATEGY_HASH:
		strbuf_addstr(&sb, "HASH (");
		break;
	case PG_QUERY__PARTITION_STRATEGY__PARTITION_STRATEGY_RANGE:
	default: /* the grammar always sets one of the three */
		strbuf_addstr(&sb, "RANGE (");
		break;
	}
	for (size_t i = 0; i < ps->n_part_params; i++) {
		if (ps->part_params[i]->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM)
			continue;
		const PgQuery__PartitionElem *pe = ps->part_params[i]->partition_elem;
		if (i)
			strbuf_addstr(&sb, ", ");
		if (*pe->name) {
			strbuf_addstr(&sb, pe->name);
		} else {
			char *e = schema_norm_expr(m, pe->expr);
			strbuf_addf(&sb, "(%s)", e ? e : "?");
			free(e);
		}
		if (pe->n_collation) {
			char *c = collation_name_text(m, pe->collation, pe->n_collation);
			strbuf_addf(&sb, " COLLATE %s", c);
			free(c);
		}
		if (pe->n_opclass) {
			char *c = opclass_text(m, pe->opclass, pe->n_opclass);
			strbuf_addf(&sb, " %s", c);
			free(c);
		}
	}
	strbuf_addch(&sb, ')');
	return strbuf_detach(&sb);
}

static void datums_text(const struct schema_model *m, struct strbuf *sb, PgQuery__Node *const *d, size_t n)
{
	strbuf_addch(sb, '(');
	for (size_t i = 0; i < n; i++) {
		char *e = schema_norm_expr(m, d[i]);
		strbuf_addf(sb, "%s%s", i ? ", " : "", e ? e : "?");
		free(e);
	}
	strbuf_addch(sb, ')');
}

static char *partition_bound_text(const struct schema_model *m, const PgQuery__PartitionBoundSpec *b)
{
	if (b->is_default)
		return xstrdup("DEFAULT");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "FOR VALUES ");
	if (b->n_listdatums) {
		strbuf_addstr(&sb, "IN ");
		datums_text(m, &sb, b->listdatums, b->n_listdatums);
	} else if (b->n_lowerdatums) {
		strbuf_addstr(&sb, "FROM ");
		datums_text(m, &sb, b->lowerdatums, b->n_lowerdatums);
		strbuf_addstr(&sb, " TO ");
		datums_text(m, &sb, b->upperdatums, b->n_upperdatums);
	} else {
		strbuf_addf(&sb, "WITH (modulus %d, remainder %d)", b->modulus, b->remainder);
	}
	return strbuf_detach(&sb);
}

static void copy_columns(struct schema_table *to, const struct schema_table *from, int defaults)
{
	for (size_t i = 0; i < from->ncolumns; i++) {
		const struct schema_column *s = &from->columns[i];
		struct schema_column *d = schema_column_add(to, s->name);
		schema_column_set_type(d, s->type, s->mods, s->nmods, s->array_dims);
		set_str(&d->type_schema, s->type_schema);
		set_str(&d->collation, s->collation);
		d->not_null = d->not_null || s->not_null;
		d->added_in_migration = 1;
		if (defaults && !s->identity) {
			set_str(&d->default_expr, s->default_expr);
			set_str(&d->default_sql, s->default_sql);
			d->generated = s->generated;
		}
	}
}

/* LIKE options (TableLikeOption bits of parsenodes.h): DEFAULTS 1 << 3, GENERATED 1 << 5, ALL. */
enum { LIKE_DEFAULTS = 1u << 3, LIKE_ALL = 0x7FFFFFFF };

static void apply_create(struct schema_model *m, const PgQuery__CreateStmt *cs, int foreign)
{
	const PgQuery__RangeVar *rv = cs->relation;
	if (!rv || !*rv->relname)
		return;
	const char *schema = rv_schema(rv) ? rv_schema(rv) : schema_creation_schema(m);
	if (fails_as_existing(m, schema, rv->relname, cs->if_not_exists))
		return;
	struct schema_table *t = schema_object_add(m, SCHEMA_KIND_TABLE, schema, rv->relname);
	t->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_TABLE, t);
	if (rv->relpersistence && *rv->relpersistence)
		t->persistence = *rv->relpersistence;
	if (foreign)
		t->kind = 'f';
	if (cs->partspec) {
		t->kind = 'p';
		t->partition_key = partition_key_text(m, cs->partspec);
	}
	char key[KEY_MAX];
	for (size_t i = 0; i < cs->n_inh_relations; i++) {
		const PgQuery__Node *n = cs->inh_relations[i];
		if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		const PgQuery__RangeVar *prv = n->range_var;
		const struct schema_table *parent = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(prv), prv->relname);
		const char *pkey = parent ? table_key(parent, key, sizeof(key)) : rel_key(m, prv, key, sizeof(key));
		if (cs->partbound)
			set_str(&t->partition_of, pkey);
		else
			schema_strlist_add(&t->inherits, pkey);
		if (parent)
			copy_columns(t, parent, 1);
	}
	if (cs->partbound)
		t->partition_bound = partition_bound_text(m, cs->partbound);
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
			/* a partition's column entry only adds constraints or a default to the
			 * parent's column */
			struct schema_column *existing = schema_column_find(t, e->column_def->colname);
			if (existing && (!e->column_def->type_name || cs->partbound)) {
				struct schema_constraint *last = NULL;
				if (e->column_def->raw_default)
					set_expr(m, &existing->default_expr, &existing->default_sql,
						 e->column_def->raw_default);
				for (size_t k = 0; k < e->column_def->n_constraints; k++)
					if (e->column_def->constraints[k]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
						apply_constraint(m, t, e->column_def->constraints[k]->constraint, existing, &last);
				continue;
			}
			apply_column_def(m, t, e->column_def, 1);
		} else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
			const PgQuery__TableLikeClause *lc = e->table_like_clause;
			const struct schema_table *src = lc->relation
								 ? schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(lc->relation), lc->relation->relname)
								 : NULL;
			if (src)
				copy_columns(t, src, (lc->options & LIKE_DEFAULTS) != 0);
		}
	}
	struct schema_constraint *last = NULL;
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(m, t, e->constraint, NULL, &last);
	}
	for (size_t i = 0; i < cs->n_constraints; i++)
		if (cs->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(m, t, cs->constraints[i]->constraint, NULL, &last);
	apply_options(&t->options, cs->options, cs->n_options, 0);
}

/* ---- ALTER TABLE ---- */

static void set_trigger_state(struct schema_model *m, const struct schema_table *t, const char *name, char state,
			      int only_user)
{
	char key[KEY_MAX];
	table_key(t, key, sizeof(key));
	if (name && *name) {
		struct schema_trigger *tr = schema_object_find(m, SCHEMA_KIND_TRIGGER, key, name);
		if (tr)
			tr->enabled = state;
		return;
	}
	size_t it = 0;
	void *v;
	while (strmap_next(&m->triggers, &it, NULL, &v)) {
		struct schema_trigger *tr = v;
		if (!strcmp(tr->table_key, key) && (!only_user || !tr->is_constraint))
			tr->enabled = state;
	}
}

static void alter_column_type(struct schema_model *m, struct schema_table *t, struct schema_column *col,
			      const PgQuery__ColumnDef *cd)
{
	struct schema_typeref ref;
	schema_type_resolve(m, cd->type_name, &ref);
	set_column_type(col, &ref);
	/* without COLLATE the column takes the new type's default collation */
	set_owned(&col->collation, collation_text(m, cd->coll_clause));
	/* an identity column's sequence follows an integer type change */
	struct schema_sequence *s = col->identity ? identity_sequence(m, t, col->name) : NULL;
	if (s && type_int_width(ref.name))
		schema_sequence_set_type(s, ref.name, 0, 0);
}

static void attach_partition(struct schema_model *m, struct schema_table *parent, const PgQuery__PartitionCmd *pc)
{
	if (!pc->name)
		return;
	struct schema_table *part = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(pc->name), pc->name->relname);
	if (!part)
		return;
	char key[KEY_MAX];
	set_str(&part->partition_of, table_key(parent, key, sizeof(key)));
	if (pc->bound)
		set_owned(&part->partition_bound, partition_bound_text(m, pc->bound));
}

static void apply_alter_cmd(struct schema_model *m, struct schema_table *t, const PgQuery__AlterTableCmd *cmd)
{
	struct schema_column *col = *cmd->name ? schema_column_find(t, cmd->name) : NULL;
	char key[KEY_MAX];
	switch (cmd->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
		    !((cmd->missing_ok || m->complete) && schema_column_find(t, cmd->def->column_def->colname)))
			apply_column_def(m, t, cmd->def->column_def, 1);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		if (col) {
			schema_column_drop(t, cmd->name);
			schema_model_drop_column_refs(m, table_key(t, key, sizeof(key)), cmd->name);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
		if (col && cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			alter_column_type(m, t, col, cmd->def->column_def);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
		if (col)
			set_expr(m, &col->default_expr, &col->default_sql, cmd->def);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
		if (col)
			col->not_null = 1;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
		if (col)
			col->not_null = 0;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
			struct schema_constraint *last = NULL;
			apply_constraint(m, t, cmd->def->constraint, NULL, &last);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint: {
		struct schema_constraint *c = schema_constraint_find(t, cmd->name);
		if (c)
			c->validated = 1;
		schema_check_validate(t, cmd->name);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: {
		struct schema_constraint *c = schema_constraint_find(t, cmd->name);
		if (c && (c->type == SCHEMA_CON_PRIMARY || c->type == SCHEMA_CON_UNIQUE || c->type == SCHEMA_CON_EXCLUDE))
			schema_object_drop(m, SCHEMA_KIND_INDEX, t->schema, cmd->name);
		schema_constraint_drop(t, cmd->name);
		schema_check_drop(t, cmd->name);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
			const PgQuery__Constraint *con = cmd->def->constraint;
			struct schema_constraint *c = schema_constraint_find(t, con->conname);
			if (c) {
				c->deferrable = con->deferrable;
				c->deferred = con->initdeferred;
			}
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
		if (col && cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			add_identity(m, t, col, cmd->def->constraint);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
		if (col && cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_LIST) {
			const PgQuery__List *l = cmd->def->list;
			const PgQuery__DefElem *gen = find_option(l->items, l->n_items, "generated");
			if (gen && gen->arg && gen->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
				col->identity = gen->arg->integer->ival == 'a' ? 'a' : 'd';
			struct schema_sequence *s = identity_sequence(m, t, col->name);
			if (s)
				apply_sequence_options(m, s, l->items, l->n_items, 0);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
		if (col) {
			struct schema_sequence *s = identity_sequence(m, t, col->name);
			if (s)
				schema_object_drop(m, SCHEMA_KIND_SEQUENCE, s->schema, s->name);
			col->identity = 0;
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetExpression: /* PostgreSQL 17 */
		if (col && col->generated && cmd->def)
			set_expr(m, &col->default_expr, &col->default_sql, cmd->def);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
		if (col && col->generated) {
			col->generated = 0;
			set_expr(m, &col->default_expr, &col->default_sql, NULL);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
		t->rls_enabled = 1;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
		t->rls_enabled = 0;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
		t->rls_forced = 1;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
		t->rls_forced = 0;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
		set_trigger_state(m, t, cmd->name, 'O', 0);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
		set_trigger_state(m, t, cmd->name, 'A', 0);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
		set_trigger_state(m, t, cmd->name, 'R', 0);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
		set_trigger_state(m, t, cmd->name, 'D', 0);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
		set_trigger_state(m, t, NULL, 'O', cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
		set_trigger_state(m, t, NULL, 'D', cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_LIST)
			apply_options(&t->options, cmd->def->list->items, cmd->def->list->n_items,
				      cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD)
			attach_partition(m, t, cmd->def->partition_cmd);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD && cmd->def->partition_cmd->name) {
			const PgQuery__RangeVar *prv = cmd->def->partition_cmd->name;
			struct schema_table *part = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(prv), prv->relname);
			if (part) {
				set_str(&part->partition_of, NULL);
				set_str(&part->partition_bound, NULL);
			}
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
			const PgQuery__RangeVar *prv = cmd->def->range_var;
			const struct schema_table *parent = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(prv), prv->relname);
			const char *pkey = parent ? table_key(parent, key, sizeof(key)) : rel_key(m, prv, key, sizeof(key));
			int at = schema_strlist_find(&t->inherits, pkey);
			if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit && at < 0)
				schema_strlist_add(&t->inherits, pkey);
			else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit && at >= 0)
				schema_strlist_remove(&t->inherits, (size_t)at);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
		t->persistence = 'p';
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
		t->persistence = 'u';
		break;
	default:
		break;
	}
}

/* ALTER INDEX ... ATTACH PARTITION: the partition's index is now the parent index's copy,
 * which the model does not keep (PostgreSQL makes and drops it with the parent's). */
static void attach_index(struct schema_model *m, const PgQuery__AlterTableCmd *cmd)
{
	if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD || !cmd->def->partition_cmd->name)
		return;
	const PgQuery__RangeVar *irv = cmd->def->partition_cmd->name;
	struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, rv_schema(irv), irv->relname);
	if (!ix)
		return;
	if (ix->constraint) {
		struct schema_table *t = strmap_get(&m->tables, ix->table_key);
		if (t)
			schema_constraint_drop(t, ix->constraint);
	}
	schema_object_drop(m, SCHEMA_KIND_INDEX, ix->schema, ix->name);
}

static void apply_alter(struct schema_model *m, const PgQuery__AlterTableStmt *as)
{
	const PgQuery__RangeVar *rv = as->relation;
	if (!rv || !*rv->relname)
		return;
	if (as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
		struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, rv_schema(rv), rv->relname);
		for (size_t i = 0; i < as->n_cmds; i++) {
			if (as->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
				continue;
			const PgQuery__AlterTableCmd *cmd = as->cmds[i]->alter_table_cmd;
			if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition)
				attach_index(m, cmd);
			else if (ix && (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions ||
					cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions) &&
				 cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_LIST)
				apply_options(&ix->options, cmd->def->list->items, cmd->def->list->n_items,
					      cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions);
		}
		return;
	}
	if (as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW || as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) {
		struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, rv_schema(rv), rv->relname);
		for (size_t i = 0; v && i < as->n_cmds; i++) {
			if (as->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
				continue;
			const PgQuery__AlterTableCmd *cmd = as->cmds[i]->alter_table_cmd;
			if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions ||
			     cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions) &&
			    cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_LIST)
				apply_options(&v->options, cmd->def->list->items, cmd->def->list->n_items,
					      cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions);
		}
		return;
	}
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE)
		return;
	struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(rv), rv->relname);
	if (!t) {
		if (as->missing_ok || schema_resolve_relation(m, rv->relname) ||
		    (rv_schema(rv) && schema_relation_kind(m, rv_schema(rv), rv->relname)))
			return; /* IF EXISTS, or another kind of relation (ALTER TABLE works on all) */
		/* a table that existed before what the model read: known from now on, partially;
		 * unless the model holds the whole database, where the statement fails */
		if (m->complete)
			return;
		t = schema_object_add(m, SCHEMA_KIND_TABLE, rv_schema(rv), rv->relname);
		t->partial = 1;
	}
	for (size_t i = 0; i < as->n_cmds; i++)
		if (as->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			apply_alter_cmd(m, t, as->cmds[i]->alter_table_cmd);
}

/* ---- CREATE INDEX ---- */

static void apply_index(struct schema_model *m, const PgQuery__IndexStmt *is)
{
	const PgQuery__RangeVar *rv = is->relation;
	if (!rv || !*rv->relname)
		return;
	const char *tschema = rel_schema(m, rv);
	struct schema_index_elem *elems = xcalloc(is->n_index_params + 1, sizeof(*elems));
	size_t ne = 0;
	for (size_t i = 0; i < is->n_index_params; i++)
		if (is->index_params[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
			index_elem_from(m, is->index_params[i]->index_elem, &elems[ne++]);
	char *name;
	if (*is->idxname) {
		name = xstrdup(is->idxname);
	} else {
		struct schema_strlist parts = { 0 };
		for (size_t i = 0; i < is->n_index_params; i++) {
			if (is->index_params[i]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM)
				continue;
			const PgQuery__IndexElem *ie = is->index_params[i]->index_elem;
			/* PostgreSQL names an expression column after what the expression would be
			 * called in a select list, or "expr" */
			const char *part = *ie->name ? ie->name : NULL;
			if (!part) {
				const char *fig = NULL;
				part = schema_figure_colname(ie->expr);
				if (!strcmp(part, "?column?"))
					part = "expr";
				(void)fig;
			}
			schema_strlist_add(&parts, part);
		}
		char *part = join_names(&parts);
		schema_strlist_clear(&parts);
		name = schema_choose_relation_name(m, tschema, rv->relname, part, "idx");
		free(part);
	}
	if (fails_as_existing(m, tschema, name, is->if_not_exists)) {
		for (size_t i = 0; i < ne; i++)
			schema_index_elem_release(&elems[i]);
		free(elems);
		free(name);
		return;
	}
	struct schema_index *ix = schema_index_add(m, NULL, name, tschema, rv->relname);
	free(name);
	ix->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_INDEX, ix);
	if (*is->access_method)
		set_str(&ix->method, is->access_method);
	ix->unique = is->unique;
	ix->nulls_not_distinct = is->nulls_not_distinct;
	ix->elems = elems;
	ix->nelems = ne;
	for (size_t i = 0; i < is->n_index_including_params; i++)
		if (is->index_including_params[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM &&
		    *is->index_including_params[i]->index_elem->name)
			schema_strlist_add(&ix->include, is->index_including_params[i]->index_elem->name);
	ix->predicate = schema_norm_expr_sql(m, is->where_clause, &ix->predicate_sql);
	apply_options(&ix->options, is->options, is->n_options, 0);
}

/* ---- views ---- */

static void view_options(struct schema_view *v, PgQuery__Node *const *opts, size_t n, PgQuery__ViewCheckOption check)
{
	apply_options(&v->options, opts, n, 0);
	if (check == PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION ||
	    check == PG_QUERY__VIEW_CHECK_OPTION__CASCADED_CHECK_OPTION) {
		for (size_t i = 0; i < v->options.n;)
			if (!strncmp(v->options.items[i], "check_option=", 13))
				schema_strlist_remove(&v->options, i);
			else
				i++;
		schema_strlist_add(&v->options, check == PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION
							? "check_option=local"
							: "check_option=cascaded");
		schema_strlist_sort(&v->options);
	}
}

static struct schema_view *define_view(struct schema_model *m, const PgQuery__RangeVar *rv, const PgQuery__Node *query,
				       PgQuery__Node *const *aliases, size_t naliases, int materialized, int replace)
{
	const char *schema = rv_schema(rv) ? rv_schema(rv) : schema_creation_schema(m);
	struct schema_view *old = schema_object_find(m, SCHEMA_KIND_VIEW, schema, rv->relname);
	if (m->complete && schema_relation_kind(m, schema, rv->relname) && (!replace || !old))
		return NULL; /* exists (and is no view OR REPLACE could replace): fails */
	struct schema_acl acl = { 0 };
	char *comment = NULL;
	if (old) { /* OR REPLACE keeps grants and the comment */
		acl = old->acl;
		memset(&old->acl, 0, sizeof(old->acl));
		comment = old->comment;
		old->comment = NULL;
	}
	struct schema_view_query q;
	schema_norm_view(m, query, aliases, naliases, &q);
	struct schema_view *v = schema_object_add(m, SCHEMA_KIND_VIEW, schema, rv->relname);
	v->materialized = materialized;
	v->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_VIEW, v);
	v->definition = q.definition;
	v->definition_sql = q.definition_sql;
	v->columns = q.columns;
	v->depends_on = q.depends_on;
	v->depends_on_columns = q.depends_on_columns;
	v->acl = acl;
	v->comment = comment;
	return v;
}

static void apply_view(struct schema_model *m, const PgQuery__ViewStmt *vs)
{
	if (!vs->view || !vs->query)
		return;
	struct schema_view *v = define_view(m, vs->view, vs->query, vs->aliases, vs->n_aliases, 0, vs->replace);
	if (v)
		view_options(v, vs->options, vs->n_options, vs->with_check_option);
}

static void apply_create_table_as(struct schema_model *m, const PgQuery__CreateTableAsStmt *cs)
{
	const PgQuery__IntoClause *into = cs->into;
	if (!into || !into->rel)
		return;
	const char *schema = rv_schema(into->rel) ? rv_schema(into->rel) : schema_creation_schema(m);
	if (fails_as_existing(m, schema, into->rel->relname, cs->if_not_exists))
		return;
	if (cs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) {
		struct schema_view *v = define_view(m, into->rel, cs->query, into->col_names, into->n_col_names, 1, 0);
		if (!v)
			return;
		apply_options(&v->options, into->options, into->n_options, 0);
		v->populated = !into->skip_data;
		return;
	}
	/* CREATE TABLE AS: the columns are the query's, of types the model cannot work out */
	struct schema_view_query q;
	schema_norm_view(m, cs->query, into->col_names, into->n_col_names, &q);
	struct schema_table *t = schema_object_add(m, SCHEMA_KIND_TABLE, schema, into->rel->relname);
	t->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_TABLE, t);
	t->partial = 1;
	if (into->rel->relpersistence && *into->rel->relpersistence)
		t->persistence = *into->rel->relpersistence;
	for (size_t i = 0; i < q.columns.n; i++)
		schema_column_add(t, q.columns.items[i])->added_in_migration = 1;
	schema_view_query_release(&q);
}

/* ---- sequences, types ---- */

static void apply_create_seq(struct schema_model *m, const PgQuery__CreateSeqStmt *cs)
{
	const PgQuery__RangeVar *rv = cs->sequence;
	if (!rv)
		return;
	const char *schema = rv_schema(rv) ? rv_schema(rv) : schema_creation_schema(m);
	if (fails_as_existing(m, schema, rv->relname, cs->if_not_exists))
		return;
	struct schema_sequence *s = schema_object_add(m, SCHEMA_KIND_SEQUENCE, schema, rv->relname);
	s->created_in_migration = 1;
	schema_mark_new(m, SCHEMA_KIND_SEQUENCE, s);
	apply_sequence_options(m, s, cs->options, cs->n_options, 1);
}

static void apply_alter_seq(struct schema_model *m, const PgQuery__AlterSeqStmt *as)
{
	if (!as->sequence)
		return;
	struct schema_sequence *s =
		schema_object_find(m, SCHEMA_KIND_SEQUENCE, rv_schema(as->sequence), as->sequence->relname);
	if (s)
		apply_sequence_options(m, s, as->options, as->n_options, 0);
}

static int type_names(PgQuery__Node *const *items, size_t n, const char **schema, const char **name)
{
	return name_list(items, n, schema, name);
}

static void apply_create_enum(struct schema_model *m, const PgQuery__CreateEnumStmt *es)
{
	const char *schema, *name;
	if (type_names(es->type_name, es->n_type_name, &schema, &name) != 0)
		return;
	struct schema_type *t = schema_object_add(m, SCHEMA_KIND_TYPE, schema, name);
	t->kind = 'e';
	string_list(es->vals, es->n_vals, &t->labels);
}

static void apply_alter_enum(struct schema_model *m, const PgQuery__AlterEnumStmt *es)
{
	const char *schema, *name;
	if (type_names(es->type_name, es->n_type_name, &schema, &name) != 0)
		return;
	struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
	if (!t || t->kind != 'e')
		return;
	if (*es->old_val) {
		int at = schema_strlist_find(&t->labels, es->old_val);
		if (at >= 0)
			set_str(&t->labels.items[at], es->new_val);
		return;
	}
	if (!*es->new_val || schema_strlist_find(&t->labels, es->new_val) >= 0)
		return;
	schema_strlist_add(&t->labels, es->new_val);
	if (*es->new_val_neighbor) {
		int at = schema_strlist_find(&t->labels, es->new_val_neighbor);
		if (at < 0)
			return;
		size_t pos = (size_t)at + (es->new_val_is_after ? 1 : 0);
		char *v = t->labels.items[t->labels.n - 1];
		memmove(&t->labels.items[pos + 1], &t->labels.items[pos], (t->labels.n - 1 - pos) * sizeof(char *));
		t->labels.items[pos] = v;
	}
}

static void domain_constraint(struct schema_model *m, struct schema_type *t, const PgQuery__Constraint *con)
{
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		t->not_null = 1;
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
		t->not_null = 0;
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
		set_expr(m, &t->default_expr, &t->default_sql, con->raw_expr);
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
		char *name = *con->conname ? xstrdup(con->conname)
					   : schema_choose_constraint_name(t->constraints, t->nconstraints, t->name, NULL, "check");
		for (size_t i = 0; i < t->nconstraints; i++)
			if (!strcmp(t->constraints[i].name, name)) {
				schema_constraint_release(&t->constraints[i]);
				t->constraints[i] = t->constraints[--t->nconstraints];
				break;
			}
		XGROW(t->constraints, t->nconstraints + 1, t->constraints_cap);
		struct schema_constraint *c = &t->constraints[t->nconstraints++];
		memset(c, 0, sizeof(*c));
		c->name = name;
		c->type = SCHEMA_CON_CHECK;
		c->expr = schema_norm_expr_sql(m, con->raw_expr, &c->expr_sql);
		c->validated = !con->skip_validation;
		break;
	}
	default:
		break;
	}
}

static void apply_create_domain(struct schema_model *m, const PgQuery__CreateDomainStmt *ds)
{
	const char *schema, *name;
	if (type_names(ds->domainname, ds->n_domainname, &schema, &name) != 0)
		return;
	struct schema_type *t = schema_object_add(m, SCHEMA_KIND_TYPE, schema, name);
	t->kind = 'd';
	struct schema_typeref ref;
	schema_type_resolve(m, ds->type_name, &ref);
	char buf[300];
	t->base_type = xstrdup(schema_typeref_text(&ref, buf, sizeof(buf)));
	t->collation = collation_text(m, ds->coll_clause);
	for (size_t i = 0; i < ds->n_constraints; i++)
		if (ds->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			domain_constraint(m, t, ds->constraints[i]->constraint);
}

static void apply_alter_domain(struct schema_model *m, const PgQuery__AlterDomainStmt *ds)
{
	const char *schema, *name;
	if (type_names(ds->type_name, ds->n_type_name, &schema, &name) != 0)
		return;
	struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
	if (!t || t->kind != 'd' || !ds->subtype)
		return;
	switch (*ds->subtype) {
	case 'T':
		set_expr(m, &t->default_expr, &t->default_sql, ds->def);
		break;
	case 'N':
		t->not_null = 0;
		break;
	case 'O':
		t->not_null = 1;
		break;
	case 'C':
		if (ds->def && ds->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			domain_constraint(m, t, ds->def->constraint);
		break;
	case 'X':
		for (size_t i = 0; i < t->nconstraints; i++)
			if (!strcmp(t->constraints[i].name, ds->name)) {
				schema_constraint_release(&t->constraints[i]);
				memmove(&t->constraints[i], &t->constraints[i + 1],
					(t->nconstraints - i - 1) * sizeof(t->constraints[0]));
				t->nconstraints--;
				break;
			}
		break;
	case 'V':
		for (size_t i = 0; i < t->nconstraints; i++)
			if (!strcmp(t->constraints[i].name, ds->name))
				t->constraints[i].validated = 1;
		break;
	default:
		break;
	}
}

static void apply_composite(struct schema_model *m, const PgQuery__CompositeTypeStmt *cs)
{
	if (!cs->typevar)
		return;
	struct schema_type *t = schema_object_add(m, SCHEMA_KIND_TYPE, rv_schema(cs->typevar), cs->typevar->relname);
	t->kind = 'c';
	for (size_t i = 0; i < cs->n_coldeflist; i++) {
		if (cs->coldeflist[i]->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		const PgQuery__ColumnDef *cd = cs->coldeflist[i]->column_def;
		XGROW(t->attributes, t->nattributes + 1, t->attributes_cap);
		struct schema_column *a = &t->attributes[t->nattributes++];
		memset(a, 0, sizeof(*a));
		a->name = xstrdup(cd->colname);
		struct schema_typeref ref;
		schema_type_resolve(m, cd->type_name, &ref);
		set_column_type(a, &ref);
		a->collation = collation_text(m, cd->coll_clause);
	}
}

/* ---- functions ---- */

/* A function argument's type: PostgreSQL keeps no modifiers for them. */
static void arg_type_text(const struct schema_model *m, const PgQuery__TypeName *tn, char *buf, size_t size)
{
	struct schema_typeref ref;
	schema_type_resolve(m, tn, &ref);
	ref.nmods = 0;
	if (tn && tn->pct_type) {
		snprintf(buf, size, "%s", ref.name); /* %TYPE: resolved when created, unknown here */
		return;
	}
	schema_typeref_text(&ref, buf, size);
	if (tn && tn->setof) {
		char *tmp = xasprintf("SETOF %s", buf);
		snprintf(buf, size, "%s", tmp);
		free(tmp);
	}
}

static int param_is_input(PgQuery__FunctionParameterMode mode)
{
	return mode != PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT &&
	       mode != PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE;
}

/* The identity of an overload: its input argument types, "int4, text". */
static char *identity_args(const struct schema_model *m, PgQuery__Node *const *params, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (params[i]->node_case != PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
			continue;
		const PgQuery__FunctionParameter *fp = params[i]->function_parameter;
		if (!param_is_input(fp->mode))
			continue;
		char buf[300];
		arg_type_text(m, fp->arg_type, buf, sizeof(buf));
		strbuf_addf(&sb, "%s%s", first ? "" : ", ", buf);
		first = 0;
	}
	return strbuf_detach(&sb) ?: xstrdup("");
}

/* The identity from DROP/COMMENT/GRANT's argument list (types only, or full parameters). */
static char *object_args_identity(const struct schema_model *m, const PgQuery__ObjectWithArgs *oa)
{
	if (oa->n_objfuncargs)
		return identity_args(m, oa->objfuncargs, oa->n_objfuncargs);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < oa->n_objargs; i++) {
		if (oa->objargs[i]->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
			continue;
		char buf[300];
		arg_type_text(m, oa->objargs[i]->type_name, buf, sizeof(buf));
		strbuf_addf(&sb, "%s%s", i ? ", " : "", buf);
	}
	return strbuf_detach(&sb) ?: xstrdup("");
}

struct schema_function *schema_apply_find_function(const struct schema_model *m, const PgQuery__ObjectWithArgs *oa)
{
	const char *schema, *name;
	if (name_list(oa->objname, oa->n_objname, &schema, &name) != 0)
		return NULL;
	if (oa->args_unspecified)
		return schema_function_find_any(m, schema, name);
	char *args = object_args_identity(m, oa);
	char *signature = schema_function_signature(name, args);
	struct schema_function *f = schema_object_find(m, SCHEMA_KIND_FUNCTION, schema, signature);
	free(signature);
	free(args);
	return f;
}

static const char *mode_word(PgQuery__FunctionParameterMode mode)
{
	switch (mode) {
	case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT:
		return "OUT ";
	case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT:
		return "INOUT ";
	case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC:
		return "VARIADIC ";
	default:
		return "";
	}
}

static char *config_text(const PgQuery__VariableSetStmt *vs)
{
	if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT)
		return xasprintf("%s FROM CURRENT", vs->name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s=", vs->name);
	for (size_t i = 0; i < vs->n_args; i++) {
		char *v = node_value_text(vs->args[i]);
		strbuf_addf(&sb, "%s%s", i ? ", " : "", v);
		free(v);
	}
	return strbuf_detach(&sb);
}

static void function_option(struct schema_function *f, const PgQuery__DefElem *d)
{
	const char *s = d->arg ? sql_node_str(d->arg) : NULL;
	int b = d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN ? d->arg->boolean->boolval
		: d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER ? d->arg->integer->ival != 0
									      : 1;
	if (!strcmp(d->defname, "language") && s) {
		set_str(&f->language, s);
		lower_in_place(f->language);
	} else if (!strcmp(d->defname, "volatility") && s) {
		f->volatility = *s == 'i' ? 'i' : *s == 's' ? 's' : 'v';
	} else if (!strcmp(d->defname, "strict")) {
		f->strict = b;
	} else if (!strcmp(d->defname, "security")) {
		f->security_definer = b;
	} else if (!strcmp(d->defname, "leakproof")) {
		f->leakproof = b;
	} else if (!strcmp(d->defname, "parallel") && s) {
		f->parallel = *s == 's' ? 's' : *s == 'r' ? 'r' : 'u';
	} else if (!strcmp(d->defname, "set") && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT) {
		const PgQuery__VariableSetStmt *vs = d->arg->variable_set_stmt;
		size_t len = strlen(vs->name);
		for (size_t i = 0; i < f->config.n;)
			if (!strncmp(f->config.items[i], vs->name, len) && f->config.items[i][len] == '=')
				schema_strlist_remove(&f->config, i);
			else
				i++;
		if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE ||
		    vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT) {
			char *c = config_text(vs);
			schema_strlist_add(&f->config, c);
			free(c);
		}
		schema_strlist_sort(&f->config);
	} else if (!strcmp(d->defname, "as") && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < d->arg->list->n_items; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", sql_node_str(d->arg->list->items[i]) ?: "");
		set_owned(&f->body, strbuf_detach(&sb));
	}
}

static void apply_create_function(struct schema_model *m, const PgQuery__CreateFunctionStmt *fs)
{
	const char *schema, *name;
	if (name_list(fs->funcname, fs->n_funcname, &schema, &name) != 0)
		return;
	char *ident = identity_args(m, fs->parameters, fs->n_parameters);
	char *signature = schema_function_signature(name, ident);
	struct schema_function *old = schema_object_find(m, SCHEMA_KIND_FUNCTION, schema, signature);
	free(signature);
	struct schema_acl acl = { 0 };
	char *comment = NULL;
	int replaced = old != NULL;
	if (old) { /* OR REPLACE keeps grants and the comment */
		acl = old->acl;
		memset(&old->acl, 0, sizeof(old->acl));
		comment = old->comment;
		old->comment = NULL;
		schema = old->schema;
	}
	struct schema_function *f = schema_function_add(m, schema, name, ident);
	free(ident);
	f->kind = fs->is_procedure ? 'p' : 'f';
	f->acl = acl;
	f->comment = comment;
	if (!replaced) /* everyone may call a new function */
		schema_acl_grant(&f->acl, "PUBLIC", "EXECUTE", 0);

	struct strbuf args = STRBUF_INIT, table = STRBUF_INIT;
	const char *single_out = NULL;
	char out_buf[300];
	int nout = 0;
	for (size_t i = 0; i < fs->n_parameters; i++) {
		if (fs->parameters[i]->node_case != PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
			continue;
		const PgQuery__FunctionParameter *fp = fs->parameters[i]->function_parameter;
		char type[300];
		arg_type_text(m, fp->arg_type, type, sizeof(type));
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE) {
			strbuf_addf(&table, "%s%s %s", table.len ? ", " : "", fp->name, type);
			continue;
		}
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
		    fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT) {
			nout++;
			snprintf(out_buf, sizeof(out_buf), "%s", type);
			single_out = out_buf;
		}
		strbuf_addf(&args, "%s%s%s%s%s", args.len ? ", " : "", mode_word(fp->mode), fp->name,
			    *fp->name ? " " : "", type);
		if (fp->defexpr) {
			char *d = schema_norm_expr(m, fp->defexpr);
			strbuf_addf(&args, " DEFAULT %s", d ? d : "?");
			free(d);
		}
	}
	f->arguments = strbuf_detach(&args) ?: xstrdup("");
	if (table.len) {
		f->returns = xasprintf("TABLE(%s)", strbuf_str(&table));
	} else if (fs->return_type) {
		char type[300];
		arg_type_text(m, fs->return_type, type, sizeof(type));
		f->returns = xstrdup(type);
	} else if (!fs->is_procedure && nout) {
		/* OUT parameters make the result: their type, or a record of them */
		f->returns = xstrdup(nout == 1 ? single_out : "record");
	}
	strbuf_release(&table);
	for (size_t i = 0; i < fs->n_options; i++)
		if (fs->options[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM)
			function_option(f, fs->options[i]->def_elem);
	if (fs->sql_body) {
		set_str(&f->language, "sql");
		/* a BEGIN ATOMIC body is parsed by the server; the model keeps its normalised text */
		set_expr(m, &f->body, &f->body_sql, fs->sql_body);
		if (!f->body)
			f->body = xstrdup("BEGIN ATOMIC");
	}
	if (!f->language)
		f->language = xstrdup("sql");
}

static void apply_alter_function(struct schema_model *m, const PgQuery__AlterFunctionStmt *fs)
{
	struct schema_function *f = fs->func ? schema_apply_find_function(m, fs->func) : NULL;
	if (!f)
		return;
	for (size_t i = 0; i < fs->n_actions; i++)
		if (fs->actions[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM)
			function_option(f, fs->actions[i]->def_elem);
}

/* ---- triggers, policies ---- */

/* TRIGGER_TYPE_* of PostgreSQL's pg_trigger.h, as CreateTrigStmt carries them. */
enum { TRIG_BEFORE = 1 << 1, TRIG_INSERT = 1 << 2, TRIG_DELETE = 1 << 3, TRIG_UPDATE = 1 << 4,
       TRIG_TRUNCATE = 1 << 5, TRIG_INSTEAD = 1 << 6 };

static char *function_name_key(const struct schema_model *m, PgQuery__Node *const *names, size_t n)
{
	const char *schema, *name;
	if (name_list(names, n, &schema, &name) != 0)
		return NULL;
	if (!schema) {
		const struct schema_function *f = schema_function_find_any(m, NULL, name);
		schema = f ? f->schema : schema_creation_schema(m);
	}
	return quoted_qualified(schema, name);
}

static void apply_create_trigger(struct schema_model *m, const PgQuery__CreateTrigStmt *ts)
{
	if (!ts->relation || !*ts->trigname)
		return;
	char key[KEY_MAX];
	rel_key(m, ts->relation, key, sizeof(key));
	struct schema_trigger *old = schema_object_find(m, SCHEMA_KIND_TRIGGER, key, ts->trigname);
	char *comment = old ? old->comment : NULL;
	if (old)
		old->comment = NULL;
	struct schema_trigger *t = schema_object_add(m, SCHEMA_KIND_TRIGGER, key, ts->trigname);
	t->comment = comment;
	t->timing = ts->timing & TRIG_INSTEAD ? 'I' : ts->timing & TRIG_BEFORE ? 'B' : 'A';
	t->events = (ts->events & TRIG_INSERT ? 1u : 0) | (ts->events & TRIG_DELETE ? 2u : 0) |
		    (ts->events & TRIG_UPDATE ? 4u : 0) | (ts->events & TRIG_TRUNCATE ? 8u : 0);
	string_list(ts->columns, ts->n_columns, &t->update_columns);
	t->for_each_row = ts->row;
	t->when_expr = schema_norm_expr_sql(m, ts->when_clause, &t->when_sql);
	t->function = function_name_key(m, ts->funcname, ts->n_funcname);
	for (size_t i = 0; i < ts->n_args; i++) {
		char *v = node_value_text(ts->args[i]);
		schema_strlist_add(&t->args, v);
		free(v);
	}
	for (size_t i = 0; i < ts->n_transition_rels; i++) {
		const PgQuery__Node *n = ts->transition_rels[i];
		if (n->node_case == PG_QUERY__NODE__NODE_TRIGGER_TRANSITION && n->trigger_transition->is_table)
			set_str(n->trigger_transition->is_new ? &t->new_table : &t->old_table, n->trigger_transition->name);
	}
	t->is_constraint = ts->isconstraint;
	t->deferrable = ts->deferrable;
	t->deferred = ts->initdeferred;
}

static char *role_name(const PgQuery__Node *n)
{
	if (!n || n->node_case != PG_QUERY__NODE__NODE_ROLE_SPEC)
		return NULL;
	const PgQuery__RoleSpec *rs = n->role_spec;
	switch (rs->roletype) {
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC:
		return xstrdup("PUBLIC");
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING:
		return xstrdup(rs->rolename);
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_USER:
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_ROLE:
		return xstrdup("CURRENT_USER");
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_SESSION_USER:
		return xstrdup("SESSION_USER");
	default:
		return NULL;
	}
}

static void policy_roles(struct schema_policy *p, PgQuery__Node *const *roles, size_t n)
{
	schema_strlist_clear(&p->roles);
	for (size_t i = 0; i < n; i++) {
		char *r = role_name(roles[i]);
		if (r && schema_strlist_find(&p->roles, r) < 0)
			schema_strlist_add(&p->roles, r);
		free(r);
	}
	if (!p->roles.n)
		schema_strlist_add(&p->roles, "PUBLIC");
	schema_strlist_sort(&p->roles);
}

static void apply_create_policy(struct schema_model *m, const PgQuery__CreatePolicyStmt *ps)
{
	if (!ps->table)
		return;
	char key[KEY_MAX];
	rel_key(m, ps->table, key, sizeof(key));
	struct schema_policy *p = schema_object_add(m, SCHEMA_KIND_POLICY, key, ps->policy_name);
	p->permissive = ps->permissive;
	char *cmd = xstrdup(*ps->cmd_name ? ps->cmd_name : "all");
	for (char *c = cmd; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	set_owned(&p->command, cmd);
	policy_roles(p, ps->roles, ps->n_roles);
	p->using_expr = schema_norm_expr_sql(m, ps->qual, &p->using_sql);
	p->check_expr = schema_norm_expr_sql(m, ps->with_check, &p->check_sql);
}

static void apply_alter_policy(struct schema_model *m, const PgQuery__AlterPolicyStmt *ps)
{
	if (!ps->table)
		return;
	char key[KEY_MAX];
	struct schema_policy *p =
		schema_object_find(m, SCHEMA_KIND_POLICY, rel_key(m, ps->table, key, sizeof(key)), ps->policy_name);
	if (!p)
		return;
	if (ps->n_roles)
		policy_roles(p, ps->roles, ps->n_roles);
	if (ps->qual)
		set_expr(m, &p->using_expr, &p->using_sql, ps->qual);
	if (ps->with_check)
		set_expr(m, &p->check_expr, &p->check_sql, ps->with_check);
}

/* ---- comments ---- */

/* A table key from a list [schema,] table, name (COMMENT ON COLUMN / TRIGGER / POLICY). */
static int owner_and_name(const struct schema_model *m, const PgQuery__Node *obj, char *key, size_t size,
			  const char **name)
{
	if (!obj || obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items < 2)
		return -1;
	const PgQuery__List *l = obj->list;
	*name = sql_node_str(l->items[l->n_items - 1]);
	const char *schema, *table;
	if (!*name || name_list(l->items, l->n_items - 1, &schema, &table) != 0)
		return -1;
	if (!schema)
		schema = schema_resolve_relation(m, table);
	schema_key(key, size, schema ? schema : schema_creation_schema(m), table);
	return 0;
}

static char **relation_comment(struct schema_model *m, const char *schema, const char *name)
{
	struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
	if (t)
		return &t->comment;
	struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
	if (v)
		return &v->comment;
	struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
	if (ix)
		return &ix->comment;
	struct schema_sequence *s = schema_object_find(m, SCHEMA_KIND_SEQUENCE, schema, name);
	return s ? &s->comment : NULL;
}

static void apply_comment(struct schema_model *m, const PgQuery__CommentStmt *cs)
{
	char **slot = NULL;
	const char *schema, *name;
	char key[KEY_MAX];
	switch (cs->objtype) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		if (object_name(cs->object, &schema, &name) == 0)
			slot = relation_comment(m, schema, name);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		if (owner_and_name(m, cs->object, key, sizeof(key), &name) == 0) {
			struct schema_table *t = strmap_get(&m->tables, key);
			struct schema_column *c = t ? schema_column_find(t, name) : NULL;
			struct schema_type *ct = t ? NULL : strmap_get(&m->types, key);
			for (size_t i = 0; ct && !c && i < ct->nattributes; i++)
				if (!strcmp(ct->attributes[i].name, name))
					c = &ct->attributes[i];
			slot = c ? &c->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
		if (object_name(cs->object, &schema, &name) == 0) {
			struct schema_schema *s = schema_object_find(m, SCHEMA_KIND_SCHEMA, NULL, name);
			slot = s ? &s->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION:
		if (object_name(cs->object, &schema, &name) == 0) {
			struct schema_collation *c = schema_collation_find(m, schema, name);
			slot = c ? &c->comment : NULL;
		}
		break;
	/* an extension's comment is the extension's own (its script sets it): not modelled */
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
		if (object_name(cs->object, &schema, &name) == 0) {
			struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
			slot = t ? &t->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
		if (cs->object && cs->object->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
			struct schema_function *f = schema_apply_find_function(m, cs->object->object_with_args);
			slot = f ? &f->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
		if (owner_and_name(m, cs->object, key, sizeof(key), &name) == 0) {
			struct schema_trigger *t = schema_object_find(m, SCHEMA_KIND_TRIGGER, key, name);
			slot = t ? &t->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
		if (owner_and_name(m, cs->object, key, sizeof(key), &name) == 0) {
			struct schema_policy *p = schema_object_find(m, SCHEMA_KIND_POLICY, key, name);
			slot = p ? &p->comment : NULL;
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
		if (owner_and_name(m, cs->object, key, sizeof(key), &name) == 0) {
			struct schema_table *t = strmap_get(&m->tables, key);
			struct schema_constraint *c = t ? schema_constraint_find(t, name) : NULL;
			slot = c ? &c->comment : NULL;
		}
		break;
	default:
		break;
	}
	if (slot)
		set_str(slot, cs->comment && *cs->comment ? cs->comment : NULL);
}

/* ---- grants ---- */

static const char *const table_privileges[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
						"REFERENCES", "TRIGGER", NULL };
static const char *const sequence_privileges[] = { "SELECT", "UPDATE", "USAGE", NULL };
static const char *const function_privileges[] = { "EXECUTE", NULL };
static const char *const schema_privileges[] = { "CREATE", "USAGE", NULL };

static void grant_on(struct schema_acl *acl, const char *const *all, const PgQuery__GrantStmt *gs)
{
	for (size_t g = 0; g < gs->n_grantees; g++) {
		char *grantee = role_name(gs->grantees[g]);
		if (!grantee)
			continue;
		if (!gs->n_privileges) {
			for (const char *const *p = all; *p; p++) {
				if (gs->is_grant)
					schema_acl_grant(acl, grantee, *p, gs->grant_option);
				else
					schema_acl_revoke(acl, grantee, *p, gs->grant_option);
			}
			if (!gs->is_grant && !gs->grant_option) { /* REVOKE ALL takes column grants too */
				for (size_t i = 0; i < acl->n;) {
					if (!strcmp(acl->items[i].grantee, grantee) && strchr(acl->items[i].privilege, '('))
						schema_acl_revoke(acl, grantee, acl->items[i].privilege, 0);
					else
						i++;
				}
			}
		}
		for (size_t i = 0; i < gs->n_privileges; i++) {
			if (gs->privileges[i]->node_case != PG_QUERY__NODE__NODE_ACCESS_PRIV)
				continue;
			const PgQuery__AccessPriv *ap = gs->privileges[i]->access_priv;
			char *priv = xstrdup(ap->priv_name);
			for (char *c = priv; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			if (!ap->n_cols) {
				if (gs->is_grant)
					schema_acl_grant(acl, grantee, priv, gs->grant_option);
				else
					schema_acl_revoke(acl, grantee, priv, gs->grant_option);
			}
			for (size_t c = 0; c < ap->n_cols; c++) {
				char b[300];
				char *p = xasprintf("%s (%s)", priv, ident_quote(sql_node_str(ap->cols[c]) ?: "", b, sizeof(b)));
				if (gs->is_grant)
					schema_acl_grant(acl, grantee, p, gs->grant_option);
				else
					schema_acl_revoke(acl, grantee, p, gs->grant_option);
				free(p);
			}
			free(priv);
		}
		free(grantee);
	}
}

static struct schema_acl *relation_acl(struct schema_model *m, const char *schema, const char *name, int *is_seq)
{
	*is_seq = 0;
	struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
	if (t)
		return &t->acl;
	struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
	if (v)
		return &v->acl;
	struct schema_sequence *s = schema_object_find(m, SCHEMA_KIND_SEQUENCE, schema, name);
	if (s) {
		*is_seq = 1;
		return &s->acl;
	}
	return NULL;
}

static void grant_all_in_schema(struct schema_model *m, const PgQuery__GrantStmt *gs, const char *schema)
{
	size_t it = 0;
	void *v;
	if (gs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		while (strmap_next(&m->tables, &it, NULL, &v))
			if (!strcmp(((struct schema_table *)v)->schema, schema))
				grant_on(&((struct schema_table *)v)->acl, table_privileges, gs);
		it = 0;
		while (strmap_next(&m->views, &it, NULL, &v))
			if (!strcmp(((struct schema_view *)v)->schema, schema))
				grant_on(&((struct schema_view *)v)->acl, table_privileges, gs);
	} else if (gs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE) {
		while (strmap_next(&m->sequences, &it, NULL, &v))
			if (!strcmp(((struct schema_sequence *)v)->schema, schema))
				grant_on(&((struct schema_sequence *)v)->acl, sequence_privileges, gs);
	} else {
		int procs = gs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE;
		int routines = gs->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE;
		while (strmap_next(&m->functions, &it, NULL, &v)) {
			struct schema_function *f = v;
			if (!strcmp(f->schema, schema) && (routines || (f->kind == 'p') == procs))
				grant_on(&f->acl, function_privileges, gs);
		}
	}
}

static void apply_grant(struct schema_model *m, const PgQuery__GrantStmt *gs)
{
	if (gs->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_DEFAULTS)
		return; /* default privileges are not modelled */
	for (size_t i = 0; i < gs->n_objects; i++) {
		const PgQuery__Node *o = gs->objects[i];
		if (gs->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
			const char *s = sql_node_str(o);
			if (s)
				grant_all_in_schema(m, gs, s);
			continue;
		}
		switch (gs->objtype) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
			if (o->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
				int is_seq;
				struct schema_acl *acl = relation_acl(m, rv_schema(o->range_var), o->range_var->relname, &is_seq);
				if (acl)
					grant_on(acl, is_seq ? sequence_privileges : table_privileges, gs);
			}
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
		case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
			if (o->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
				struct schema_function *f = schema_apply_find_function(m, o->object_with_args);
				if (f)
					grant_on(&f->acl, function_privileges, gs);
			}
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
			struct schema_schema *s = schema_object_find(m, SCHEMA_KIND_SCHEMA, NULL, sql_node_str(o) ?: "");
			if (s)
				grant_on(&s->acl, schema_privileges, gs);
			break;
		}
		default:
			break;
		}
	}
}

/* ---- renames and moves ---- */

/* A relation moves to another name or schema; indexes and owned sequences of a table move
 * with it when its schema changes, as ALTER TABLE SET SCHEMA moves them. */
static void relocate_relation(struct schema_model *m, const char *schema, const char *name, const char *new_schema,
			      const char *new_name);

static void rekey(struct strmap *map, const char *old_key, const char *new_key, char **schema_field,
		  char **name_field, const char *new_schema, const char *new_name)
{
	void *obj = strmap_remove(map, old_key);
	if (!obj)
		return;
	set_str(schema_field, new_schema);
	set_str(name_field, new_name);
	strmap_put(map, new_key, obj);
}

/* The first old in *field becomes new. */
static void replace_first(char **field, const char *old, const char *new)
{
	char *at = *field ? strstr(*field, old) : NULL;
	if (at)
		set_owned(field, xasprintf("%.*s%s%s", (int)(at - *field), *field, new, at + strlen(old)));
}

/* A renamed sequence in the defaults that call nextval() of it: old_lit and new_lit are its
 * quoted names ('public.s'), as nextval_text() and the normaliser write them. */
static void replace_in_defaults(struct schema_model *m, const char *old_lit, const char *new_lit)
{
	size_t it = 0;
	void *v;
	char *old_norm = xasprintf("%s)", old_lit), *new_norm = xasprintf("%s)", new_lit);
	char *old_sql = xasprintf("%s::regclass", old_lit), *new_sql = xasprintf("%s::regclass", new_lit);
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		for (size_t i = 0; i < t->ncolumns; i++) {
			replace_first(&t->columns[i].default_expr, old_norm, new_norm);
			replace_first(&t->columns[i].default_sql, old_sql, new_sql);
		}
	}
	free(old_norm);
	free(new_norm);
	free(old_sql);
	free(new_sql);
}

static void relocate_relation(struct schema_model *m, const char *schema, const char *name, const char *new_schema,
			      const char *new_name)
{
	char kind = schema_relation_kind(m, schema, name);
	if (!kind || schema_relation_kind(m, new_schema, new_name))
		return;
	char old[KEY_MAX], nk[KEY_MAX];
	schema_key(old, sizeof(old), schema, name);
	schema_key(nk, sizeof(nk), new_schema, new_name);
	switch (kind) {
	case 't': {
		struct schema_table *t = strmap_get(&m->tables, old);
		rekey(&m->tables, old, nk, &t->schema, &t->name, new_schema, new_name);
		schema_model_rename_relation_refs(m, old, nk);
		if (strcmp(schema, new_schema)) {
			size_t n;
			const char **keys = schema_sorted_keys(&m->indexes, &n);
			char **move = xcalloc(n + 1, sizeof(char *));
			size_t nm = 0;
			for (size_t i = 0; i < n; i++) {
				struct schema_index *ix = strmap_get(&m->indexes, keys[i]);
				if (!strcmp(ix->table_key, nk))
					move[nm++] = xstrdup(ix->name);
			}
			free(keys);
			for (size_t i = 0; i < nm; i++) {
				relocate_relation(m, schema, move[i], new_schema, move[i]);
				free(move[i]);
			}
			keys = schema_sorted_keys(&m->sequences, &n);
			nm = 0;
			for (size_t i = 0; i < n; i++) {
				struct schema_sequence *s = strmap_get(&m->sequences, keys[i]);
				if (s->owned_table && !strcmp(s->owned_table, nk))
					move[nm++] = xstrdup(s->name);
			}
			free(keys);
			for (size_t i = 0; i < nm; i++) {
				relocate_relation(m, schema, move[i], new_schema, move[i]);
				free(move[i]);
			}
			free(move);
		}
		break;
	}
	case 'v':
	case 'm': {
		struct schema_view *v = strmap_get(&m->views, old);
		rekey(&m->views, old, nk, &v->schema, &v->name, new_schema, new_name);
		schema_model_rename_relation_refs(m, old, nk);
		break;
	}
	case 'i': {
		struct schema_index *ix = strmap_get(&m->indexes, old);
		/* renaming a constraint's index renames the constraint */
		if (ix->constraint && strcmp(name, new_name)) {
			struct schema_table *t = strmap_get(&m->tables, ix->table_key);
			struct schema_constraint *c = t ? schema_constraint_find(t, ix->constraint) : NULL;
			if (c)
				set_str(&c->name, new_name);
			set_str(&ix->constraint, new_name);
		}
		rekey(&m->indexes, old, nk, &ix->schema, &ix->name, new_schema, new_name);
		schema_index_bytable_remove(m, ix->table_key, old);
		schema_index_bytable_add(m, ix->table_key, nk);
		break;
	}
	case 'S': {
		struct schema_sequence *s = strmap_get(&m->sequences, old);
		char *from = nextval_text(schema, name), *to = nextval_text(new_schema, new_name);
		rekey(&m->sequences, old, nk, &s->schema, &s->name, new_schema, new_name);
		/* the quoted names: without "nextval(" and ")" */
		from[strlen(from) - 1] = to[strlen(to) - 1] = '\0';
		replace_in_defaults(m, from + 8, to + 8);
		free(from);
		free(to);
		break;
	}
	case 'c': {
		struct schema_type *t = strmap_get(&m->types, old);
		rekey(&m->types, old, nk, &t->schema, &t->name, new_schema, new_name);
		break;
	}
	default:
		break;
	}
}

static void rename_type_refs(struct schema_model *m, const char *schema, const char *name, const char *new_schema,
			     const char *new_name)
{
	size_t it = 0;
	void *v;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		for (size_t i = 0; i < t->ncolumns; i++) {
			struct schema_column *c = &t->columns[i];
			if (c->type_schema && !strcmp(c->type_schema, schema) && c->type && !strcmp(c->type, name)) {
				set_str(&c->type_schema, new_schema);
				set_str(&c->type, new_name);
			}
		}
	}
}

static void move_type(struct schema_model *m, struct schema_type *t, const char *to_schema, const char *to_name)
{
	char old[KEY_MAX], nk[KEY_MAX];
	schema_key(old, sizeof(old), t->schema, t->name);
	schema_key(nk, sizeof(nk), to_schema, to_name);
	if (strmap_get(&m->types, nk))
		return;
	/* to_schema may be t->schema itself, which the rekey frees */
	char *os = xstrdup(t->schema), *on = xstrdup(t->name), *ns = xstrdup(to_schema), *nn = xstrdup(to_name);
	rekey(&m->types, old, nk, &t->schema, &t->name, ns, nn);
	rename_type_refs(m, os, on, ns, nn);
	free(os);
	free(on);
	free(ns);
	free(nn);
}

static void move_function(struct schema_model *m, struct schema_function *f, const char *new_schema, const char *new_name)
{
	char *old = xasprintf("%s.%s(%s)", f->schema, f->name, f->identity_args);
	char *nk = xasprintf("%s.%s(%s)", new_schema, new_name, f->identity_args);
	if (!strmap_get(&m->functions, nk))
		rekey(&m->functions, old, nk, &f->schema, &f->name, new_schema, new_name);
	free(old);
	free(nk);
}

static void rename_schema(struct schema_model *m, const char *old, const char *new_name)
{
	struct schema_schema *s = strmap_remove(&m->schemas, old);
	if (!s)
		return;
	set_str(&s->name, new_name);
	strmap_put(&m->schemas, new_name, s);
	char *from = xstrdup(old);
	/* relations: tables first (their indexes and sequences follow), then the rest */
	const struct strmap *maps[] = { &m->tables, &m->views, &m->sequences, &m->indexes };
	for (size_t k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
		size_t n;
		const char **keys = schema_sorted_keys(maps[k], &n);
		char **names = xcalloc(n + 1, sizeof(char *));
		size_t nn = 0;
		size_t flen = strlen(from);
		for (size_t i = 0; i < n; i++)
			if (!strncmp(keys[i], from, flen) && keys[i][flen] == '.')
				names[nn++] = xstrdup(keys[i] + flen + 1);
		free(keys);
		for (size_t i = 0; i < nn; i++) {
			if (schema_relation_kind(m, from, names[i]))
				relocate_relation(m, from, names[i], new_name, names[i]);
			free(names[i]);
		}
		free(names);
	}
	size_t n;
	const char **keys = schema_sorted_keys(&m->types, &n);
	for (size_t i = 0; i < n; i++) {
		struct schema_type *t = strmap_get(&m->types, keys[i]);
		if (t && !strcmp(t->schema, from))
			move_type(m, t, new_name, t->name);
	}
	free(keys);
	keys = schema_sorted_keys(&m->functions, &n);
	struct schema_function **fs = xcalloc(n + 1, sizeof(*fs));
	size_t nf = 0;
	for (size_t i = 0; i < n; i++) {
		struct schema_function *f = strmap_get(&m->functions, keys[i]);
		if (!strcmp(f->schema, from))
			fs[nf++] = f;
	}
	free(keys);
	for (size_t i = 0; i < nf; i++)
		move_function(m, fs[i], new_name, fs[i]->name);
	free(fs);
	size_t it = 0;
	void *v;
	while (strmap_next(&m->extensions, &it, NULL, &v))
		if (!strcmp(((struct schema_extension *)v)->schema, from))
			set_str(&((struct schema_extension *)v)->schema, new_name);
	free(from);
}

/* An expression of the model (NULL: none) with the column old renamed, as the catalog prints it. */
static void rename_in_expr(char **expr, const char *old, const char *new_name)
{
	char *e = *expr ? schema_expr_rename_column(*expr, old, new_name) : NULL;
	if (e)
		set_owned(expr, e);
}

static void rename_column(struct schema_model *m, struct schema_table *t, const char *old, const char *new_name)
{
	struct schema_column *c = schema_column_find(t, old);
	if (!c || schema_column_find(t, new_name))
		return;
	schema_column_rename(t, c, new_name);
	char key[KEY_MAX];
	table_key(t, key, sizeof(key));
	schema_model_rename_column_refs(m, key, old, new_name);
	/* expressions that read the column print its new name, as the catalog does */
	for (size_t i = 0; i < t->nconstraints; i++) {
		struct schema_constraint *k = &t->constraints[i];
		if (k->expr && schema_strlist_find(&k->columns, old) >= 0) {
			rename_in_expr(&k->expr, old, new_name);
			rename_in_expr(&k->expr_sql, old, new_name);
			int at = schema_strlist_find(&k->columns, old);
			set_str(&k->columns.items[at], new_name);
		}
	}
	for (size_t i = 0; i < t->ncolumns; i++) {
		struct schema_column *col = &t->columns[i];
		if (col->generated) {
			rename_in_expr(&col->default_expr, old, new_name);
			rename_in_expr(&col->default_sql, old, new_name);
		}
	}
	size_t it = 0;
	void *v;
	while (strmap_next(&m->indexes, &it, NULL, &v)) {
		struct schema_index *ix = v;
		if (strcmp(ix->table_key, key))
			continue;
		for (size_t i = 0; i < ix->nelems; i++) {
			rename_in_expr(&ix->elems[i].expr, old, new_name);
			rename_in_expr(&ix->elems[i].expr_sql, old, new_name);
		}
		rename_in_expr(&ix->predicate, old, new_name);
		rename_in_expr(&ix->predicate_sql, old, new_name);
	}
}

static void apply_rename(struct schema_model *m, const PgQuery__RenameStmt *rs)
{
	const PgQuery__RangeVar *rv = rs->relation;
	const char *schema, *name;
	char key[KEY_MAX];
	if (!*rs->newname)
		return;
	switch (rs->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		if (rv) {
			const char *s = rel_schema(m, rv);
			relocate_relation(m, s, rv->relname, s, rs->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		if (rv) {
			struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(rv), rv->relname);
			if (t)
				rename_column(m, t, rs->subname, rs->newname);
			struct schema_view *v = t ? NULL : schema_object_find(m, SCHEMA_KIND_VIEW, rv_schema(rv), rv->relname);
			int at = v ? schema_strlist_find(&v->columns, rs->subname) : -1;
			if (at >= 0)
				set_str(&v->columns.items[at], rs->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE:
		if (rv) {
			struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, rv_schema(rv), rv->relname);
			for (size_t i = 0; t && i < t->nattributes; i++)
				if (!strcmp(t->attributes[i].name, rs->subname))
					set_str(&t->attributes[i].name, rs->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
		if (rv) {
			struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, rv_schema(rv), rv->relname);
			struct schema_constraint *c = t ? schema_constraint_find(t, rs->subname) : NULL;
			if (!c || schema_constraint_find(t, rs->newname))
				break;
			int indexed = c->type == SCHEMA_CON_PRIMARY || c->type == SCHEMA_CON_UNIQUE || c->type == SCHEMA_CON_EXCLUDE;
			set_str(&c->name, rs->newname);
			for (size_t i = 0; i < t->nchecks; i++)
				if (t->checks[i].name && !strcmp(t->checks[i].name, rs->subname))
					set_str(&t->checks[i].name, rs->newname);
			if (indexed) {
				struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, t->schema, rs->subname);
				if (ix) {
					set_str(&ix->constraint, NULL); /* the constraint is renamed already */
					relocate_relation(m, t->schema, rs->subname, t->schema, rs->newname);
					ix = schema_object_find(m, SCHEMA_KIND_INDEX, t->schema, rs->newname);
					if (ix)
						set_str(&ix->constraint, rs->newname);
				}
			}
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
	case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
		if (rv) {
			rel_key(m, rv, key, sizeof(key));
			int trig = rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER;
			char *ok = xasprintf("%s.%s", key, rs->subname), *nk = xasprintf("%s.%s", key, rs->newname);
			struct strmap *map = trig ? &m->triggers : &m->policies;
			void *obj = strmap_remove(map, ok);
			if (obj) {
				set_str(trig ? &((struct schema_trigger *)obj)->name : &((struct schema_policy *)obj)->name,
					rs->newname);
				strmap_put(map, nk, obj);
			}
			free(ok);
			free(nk);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
		rename_schema(m, rs->subname, rs->newname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
		if (object_name(rs->object, &schema, &name) == 0) {
			struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
			if (t)
				move_type(m, t, t->schema, rs->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
		if (rs->object && rs->object->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
			struct schema_function *f = schema_apply_find_function(m, rs->object->object_with_args);
			if (f)
				move_function(m, f, f->schema, rs->newname);
		}
		break;
	default:
		break;
	}
}

static void apply_set_schema(struct schema_model *m, const PgQuery__AlterObjectSchemaStmt *ss)
{
	const char *schema, *name;
	switch (ss->object_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		if (ss->relation)
			relocate_relation(m, rel_schema(m, ss->relation), ss->relation->relname, ss->newschema,
					  ss->relation->relname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
		if (object_name(ss->object, &schema, &name) == 0) {
			struct schema_type *t = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
			if (t)
				move_type(m, t, ss->newschema, t->name);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
		if (ss->object && ss->object->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
			struct schema_function *f = schema_apply_find_function(m, ss->object->object_with_args);
			if (f)
				move_function(m, f, ss->newschema, f->name);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
		struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, sql_node_str(ss->object) ?: "");
		if (e)
			set_str(&e->schema, ss->newschema);
		break;
	}
	default:
		break;
	}
}

/* ---- collations ---- */

/* CREATE COLLATION name (provider = icu, locale = '...', deterministic = false): kept as the
 * catalog has it, libc's locale as its lc_collate and lc_ctype (which `locale` sets both of), an
 * ICU or builtin locale as the locale (`lc_collate` is the old spelling of it). FROM copies one
 * the model has, or names one of pg_catalog's libc collations ("C", "POSIX"). */
static void apply_create_collation(struct schema_model *m, const PgQuery__DefineStmt *ds)
{
	const char *schema, *name;
	if (type_names(ds->defnames, ds->n_defnames, &schema, &name) != 0)
		return;
	if (schema_collation_find(m, schema && *schema ? schema : schema_creation_schema(m), name))
		return; /* exists: IF NOT EXISTS does nothing, and without it the statement fails */
	char *provider = NULL, *locale = NULL, *lc_collate = NULL, *lc_ctype = NULL;
	int deterministic = 1;
	for (size_t i = 0; i < ds->n_definition; i++) {
		if (ds->definition[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const PgQuery__DefElem *d = ds->definition[i]->def_elem;
		if (!strcmp(d->defname, "from") && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST) {
			const char *fs, *fn;
			if (name_list(d->arg->list->items, d->arg->list->n_items, &fs, &fn) != 0)
				continue;
			const struct schema_collation *from = fs && !strcmp(fs, "pg_catalog") ? NULL
											       : schema_collation_find(m, fs, fn);
			if (from) {
				set_str(&provider, from->provider);
				set_str(&locale, from->locale);
				set_str(&lc_collate, from->lc_collate);
				set_str(&lc_ctype, from->lc_ctype);
				deterministic = from->deterministic;
			} else {
				set_str(&provider, "libc");
				set_str(&lc_collate, fn);
				set_str(&lc_ctype, fn);
			}
			continue;
		}
		char *v = node_value_text(d->arg);
		if (!strcmp(d->defname, "provider")) {
			lower_in_place(v);
			set_owned(&provider, v);
		} else if (!strcmp(d->defname, "locale")) {
			set_owned(&locale, v);
		} else if (!strcmp(d->defname, "lc_collate")) {
			set_owned(&lc_collate, v);
		} else if (!strcmp(d->defname, "lc_ctype")) {
			set_owned(&lc_ctype, v);
		} else if (!strcmp(d->defname, "deterministic")) {
			lower_in_place(v);
			deterministic = !(!strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0"));
			free(v);
		} else {
			free(v); /* rules, version: not compared */
		}
	}
	if (!provider)
		provider = xstrdup("libc");
	if (!strcmp(provider, "libc")) {
		if (!lc_collate && locale)
			lc_collate = xstrdup(locale);
		if (!lc_ctype && locale)
			lc_ctype = xstrdup(locale);
		set_str(&locale, NULL);
	} else {
		if (!locale && lc_collate)
			locale = xstrdup(lc_collate);
		set_str(&lc_collate, NULL);
		set_str(&lc_ctype, NULL);
	}
	struct schema_collation *c = schema_collation_add(m, schema, name);
	c->provider = provider;
	c->locale = locale;
	c->lc_collate = lc_collate;
	c->lc_ctype = lc_ctype;
	c->deterministic = deterministic;
}

/* ---- DROP ---- */

static void apply_drop(struct schema_model *m, const PgQuery__DropStmt *ds)
{
	int cascade = ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	for (size_t i = 0; i < ds->n_objects; i++) {
		const PgQuery__Node *obj = ds->objects[i];
		const char *schema, *name;
		char key[KEY_MAX];
		switch (ds->remove_type) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
			if (object_name(obj, &schema, &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_TABLE, schema, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
			if (object_name(obj, &schema, &name) == 0) {
				/* DROP VIEW of a materialized view (and the other way round) fails */
				const struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
				if (v && v->materialized == (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW))
					schema_object_drop(m, SCHEMA_KIND_VIEW, schema, name);
			}
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
			if (object_name(obj, &schema, &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_INDEX, schema, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
			if (object_name(obj, &schema, &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_SEQUENCE, schema, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
			if (object_name(obj, &schema, &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_TYPE, schema, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
		case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
			if (obj->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
				struct schema_function *f = schema_apply_find_function(m, obj->object_with_args);
				if (f)
					schema_object_remove(m, SCHEMA_KIND_FUNCTION, f);
			}
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
			if (object_name(obj, &schema, &name) != 0)
				break;
			schema_object_drop(m, SCHEMA_KIND_SCHEMA, NULL, name);
			if (cascade)
				schema_drop_contents(m, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
			if (object_name(obj, &schema, &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_EXTENSION, NULL, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION:
			if (object_name(obj, &schema, &name) == 0)
				schema_collation_drop(m, schema, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
			if (owner_and_name(m, obj, key, sizeof(key), &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_TRIGGER, key, name);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
			if (owner_and_name(m, obj, key, sizeof(key), &name) == 0)
				schema_object_drop(m, SCHEMA_KIND_POLICY, key, name);
			break;
		default:
			break;
		}
	}
}

/* ---- schemas, extensions, settings ---- */

static void apply_create_schema(struct schema_model *m, const PgQuery__CreateSchemaStmt *cs)
{
	const char *name = *cs->schemaname ? cs->schemaname : NULL;
	char *role = NULL;
	if (!name && cs->authrole)
		role = (char *)(name = cs->authrole->rolename);
	(void)role;
	if (!name || !*name)
		return;
	if (schema_object_find(m, SCHEMA_KIND_SCHEMA, NULL, name)) {
		if (cs->if_not_exists)
			return;
		/* it fails; a model read from a dump holds "public" already, with its grants */
	} else {
		schema_object_add(m, SCHEMA_KIND_SCHEMA, NULL, name);
	}
	if (!cs->n_schema_elts)
		return;
	/* the statements of CREATE SCHEMA ... CREATE TABLE ... create in that schema */
	struct schema_strlist saved = m->search_path;
	memset(&m->search_path, 0, sizeof(m->search_path));
	schema_strlist_add(&m->search_path, name);
	for (size_t i = 0; i < cs->n_schema_elts; i++)
		schema_apply(m, cs->schema_elts[i]);
	schema_strlist_clear(&m->search_path);
	m->search_path = saved;
}

static void apply_create_extension(struct schema_model *m, const PgQuery__CreateExtensionStmt *es)
{
	if (es->if_not_exists && schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, es->extname))
		return;
	const PgQuery__DefElem *s = find_option(es->options, es->n_options, "schema");
	const PgQuery__DefElem *v = find_option(es->options, es->n_options, "new_version");
	struct schema_extension *e = schema_object_add(m, SCHEMA_KIND_EXTENSION, s ? sql_node_str(s->arg) : NULL, es->extname);
	if (v && sql_node_str(v->arg))
		e->version = xstrdup(sql_node_str(v->arg));
}

static void apply_alter_extension(struct schema_model *m, const PgQuery__AlterExtensionStmt *es)
{
	struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, es->extname);
	const PgQuery__DefElem *v = find_option(es->options, es->n_options, "new_version");
	if (e && v && sql_node_str(v->arg))
		set_str(&e->version, sql_node_str(v->arg));
}

static void set_search_path_args(struct schema_model *m, PgQuery__Node *const *args, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char *v = node_value_text(args[i]);
		char q[300];
		/* quoted so that set_search_path keeps the name as it is */
		strbuf_addf(&sb, "%s%s", i ? ", " : "", *v ? ident_quote_always(v, q, sizeof(q)) : "");
		free(v);
	}
	schema_model_set_search_path(m, strbuf_str(&sb));
	strbuf_release(&sb);
}

static void apply_set(struct schema_model *m, const PgQuery__VariableSetStmt *vs)
{
	if (strcmp(vs->name, "search_path"))
		return;
	if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE)
		set_search_path_args(m, vs->args, vs->n_args);
	else if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT || vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET)
		schema_model_set_search_path(m, "\"$user\", public");
}

/* pg_dump sets the search_path with SELECT pg_catalog.set_config('search_path', '', false). */
static void apply_select(struct schema_model *m, const PgQuery__SelectStmt *s)
{
	if (s->n_target_list != 1 || s->n_from_clause || s->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
		return;
	const PgQuery__Node *v = s->target_list[0]->res_target->val;
	if (!v || v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
		return;
	const PgQuery__FuncCall *fc = v->func_call;
	const char *fn = sql_names_last(fc->funcname, fc->n_funcname);
	if (!fn || strcmp(fn, "set_config") || fc->n_args < 2 || fc->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST ||
	    fc->args[1]->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return;
	const PgQuery__AConst *name = fc->args[0]->a_const, *value = fc->args[1]->a_const;
	if (name->val_case != PG_QUERY__A__CONST__VAL_SVAL || strcmp(name->sval->sval, "search_path") ||
	    value->val_case != PG_QUERY__A__CONST__VAL_SVAL)
		return;
	schema_model_set_search_path(m, value->sval->sval);
}

/* ---- the dispatcher ---- */

const char *schema_notnull_check_column(const PgQuery__Node *expr)
{
	if (!expr || expr->node_case != PG_QUERY__NODE__NODE_NULL_TEST || !expr->null_test)
		return NULL;
	const PgQuery__NullTest *nt = expr->null_test;
	if (nt->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !nt->arg ||
	    nt->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	const PgQuery__ColumnRef *cr = nt->arg->column_ref;
	return cr->n_fields == 1 ? sql_node_str(cr->fields[0]) : NULL;
}

void schema_apply(struct schema_model *m, const PgQuery__Node *stmt)
{
	if (!stmt)
		return;
	switch (stmt->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		apply_create(m, stmt->create_stmt, 0);
		break;
	case PG_QUERY__NODE__NODE_CREATE_FOREIGN_TABLE_STMT:
		if (stmt->create_foreign_table_stmt->base_stmt)
			apply_create(m, stmt->create_foreign_table_stmt->base_stmt, 1);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		apply_create_table_as(m, stmt->create_table_as_stmt);
		break;
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		apply_view(m, stmt->view_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		apply_alter(m, stmt->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		apply_index(m, stmt->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		apply_drop(m, stmt->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		apply_rename(m, stmt->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
		apply_set_schema(m, stmt->alter_object_schema_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
		apply_create_seq(m, stmt->create_seq_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
		apply_alter_seq(m, stmt->alter_seq_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
		apply_create_enum(m, stmt->create_enum_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		apply_alter_enum(m, stmt->alter_enum_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
		apply_create_domain(m, stmt->create_domain_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
		apply_alter_domain(m, stmt->alter_domain_stmt);
		break;
	case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
		apply_composite(m, stmt->composite_type_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
		apply_create_function(m, stmt->create_function_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
		apply_alter_function(m, stmt->alter_function_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
		apply_create_trigger(m, stmt->create_trig_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
		apply_create_policy(m, stmt->create_policy_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
		apply_alter_policy(m, stmt->alter_policy_stmt);
		break;
	case PG_QUERY__NODE__NODE_DEFINE_STMT:
		if (stmt->define_stmt->kind == PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION)
			apply_create_collation(m, stmt->define_stmt);
		break;
	case PG_QUERY__NODE__NODE_COMMENT_STMT:
		apply_comment(m, stmt->comment_stmt);
		break;
	case PG_QUERY__NODE__NODE_GRANT_STMT:
		apply_grant(m, stmt->grant_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
		apply_create_schema(m, stmt->create_schema_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
		apply_create_extension(m, stmt->create_extension_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_EXTENSION_STMT:
		apply_alter_extension(m, stmt->alter_extension_stmt);
		break;
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
		apply_set(m, stmt->variable_set_stmt);
		break;
	case PG_QUERY__NODE__NODE_SELECT_STMT:
		apply_select(m, stmt->select_stmt);
		break;
	default:
		break;
	}
}
