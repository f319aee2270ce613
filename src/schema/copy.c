/* A deep copy of a model, for comparing a model with itself at another time (the
 * downgrade-not-inverse rule: the model before an up migration against the model after its
 * down). Each struct is copied whole, then every pointer it owns is duplicated. */
#include "schema/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static char *dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void list_copy(struct schema_strlist *l)
{
	struct schema_strlist from = *l;
	memset(l, 0, sizeof(*l));
	schema_strlist_copy(l, &from);
}

static void acl_copy(struct schema_acl *a)
{
	struct schema_acl from = *a;
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < from.n; i++)
		schema_acl_grant(a, from.items[i].grantee, from.items[i].privilege, from.items[i].grantable);
}

/* A copy of an array of n elements of size bytes (NULL when n is 0). */
static void *array_copy(const void *p, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *c = xmalloc(n * size);
	memcpy(c, p, n * size);
	return c;
}

static void column_copy(struct schema_column *c)
{
	c->name = dup(c->name);
	c->type = dup(c->type);
	c->type_schema = dup(c->type_schema);
	c->default_expr = dup(c->default_expr);
	c->default_sql = dup(c->default_sql);
	c->collation = dup(c->collation);
	c->comment = dup(c->comment);
}

static void columns_copy(struct schema_column **cols, size_t n, size_t *cap)
{
	*cols = array_copy(*cols, n, sizeof(**cols));
	*cap = n;
	for (size_t i = 0; i < n; i++)
		column_copy(&(*cols)[i]);
}

static struct schema_index_elem *elems_copy(const struct schema_index_elem *e, size_t n)
{
	struct schema_index_elem *c = array_copy(e, n, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		c[i].column = dup(c[i].column);
		c[i].expr = dup(c[i].expr);
		c[i].expr_sql = dup(c[i].expr_sql);
		c[i].opclass = dup(c[i].opclass);
		c[i].collation = dup(c[i].collation);
		c[i].op = dup(c[i].op);
	}
	return c;
}

static void constraints_copy(struct schema_constraint **cons, size_t n, size_t *cap)
{
	*cons = array_copy(*cons, n, sizeof(**cons));
	*cap = n;
	for (size_t i = 0; i < n; i++) {
		struct schema_constraint *c = &(*cons)[i];
		c->name = dup(c->name);
		list_copy(&c->columns);
		list_copy(&c->include);
		c->expr = dup(c->expr);
		c->expr_sql = dup(c->expr_sql);
		c->elems = elems_copy(c->elems, c->nelems);
		c->method = dup(c->method);
		c->predicate = dup(c->predicate);
		c->predicate_sql = dup(c->predicate_sql);
		c->ref_table = dup(c->ref_table);
		list_copy(&c->ref_columns);
		c->comment = dup(c->comment);
	}
}

static void *table_copy(const void *v)
{
	struct schema_table *t = xmalloc(sizeof(*t));
	*t = *(const struct schema_table *)v;
	t->schema = dup(t->schema);
	t->name = dup(t->name);
	columns_copy(&t->columns, t->ncolumns, &t->cap);
	t->column_slots = NULL; /* the copy searches its columns until it gets an index of its own */
	t->column_slots_cap = 0;
	t->checks = array_copy(t->checks, t->nchecks, sizeof(*t->checks));
	t->checks_cap = t->nchecks;
	for (size_t i = 0; i < t->nchecks; i++) {
		t->checks[i].name = dup(t->checks[i].name);
		t->checks[i].column = dup(t->checks[i].column);
	}
	t->partition_key = dup(t->partition_key);
	t->partition_of = dup(t->partition_of);
	t->partition_bound = dup(t->partition_bound);
	list_copy(&t->inherits);
	list_copy(&t->options);
	constraints_copy(&t->constraints, t->nconstraints, &t->constraints_cap);
	acl_copy(&t->acl);
	t->comment = dup(t->comment);
	return t;
}

static void *index_copy(const void *v)
{
	struct schema_index *ix = xmalloc(sizeof(*ix));
	*ix = *(const struct schema_index *)v;
	ix->schema = dup(ix->schema);
	ix->name = dup(ix->name);
	ix->table_key = dup(ix->table_key);
	ix->method = dup(ix->method);
	ix->elems = elems_copy(ix->elems, ix->nelems);
	list_copy(&ix->include);
	ix->predicate = dup(ix->predicate);
	ix->predicate_sql = dup(ix->predicate_sql);
	list_copy(&ix->options);
	ix->constraint = dup(ix->constraint);
	ix->comment = dup(ix->comment);
	return ix;
}

static void *view_copy(const void *v)
{
	struct schema_view *w = xmalloc(sizeof(*w));
	*w = *(const struct schema_view *)v;
	w->schema = dup(w->schema);
	w->name = dup(w->name);
	w->definition = dup(w->definition);
	w->definition_sql = dup(w->definition_sql);
	list_copy(&w->columns);
	list_copy(&w->depends_on);
	list_copy(&w->depends_on_columns);
	list_copy(&w->options);
	acl_copy(&w->acl);
	w->comment = dup(w->comment);
	return w;
}

static void *sequence_copy(const void *v)
{
	struct schema_sequence *s = xmalloc(sizeof(*s));
	*s = *(const struct schema_sequence *)v;
	s->schema = dup(s->schema);
	s->name = dup(s->name);
	s->type = dup(s->type);
	s->owned_table = dup(s->owned_table);
	s->owned_column = dup(s->owned_column);
	acl_copy(&s->acl);
	s->comment = dup(s->comment);
	return s;
}

static void *type_copy(const void *v)
{
	struct schema_type *t = xmalloc(sizeof(*t));
	*t = *(const struct schema_type *)v;
	t->schema = dup(t->schema);
	t->name = dup(t->name);
	list_copy(&t->labels);
	t->base_type = dup(t->base_type);
	t->default_expr = dup(t->default_expr);
	t->default_sql = dup(t->default_sql);
	t->collation = dup(t->collation);
	constraints_copy(&t->constraints, t->nconstraints, &t->constraints_cap);
	columns_copy(&t->attributes, t->nattributes, &t->attributes_cap);
	acl_copy(&t->acl);
	t->comment = dup(t->comment);
	return t;
}

static void *function_copy(const void *v)
{
	struct schema_function *f = xmalloc(sizeof(*f));
	*f = *(const struct schema_function *)v;
	f->schema = dup(f->schema);
	f->name = dup(f->name);
	f->identity_args = dup(f->identity_args);
	f->arguments = dup(f->arguments);
	f->returns = dup(f->returns);
	f->language = dup(f->language);
	list_copy(&f->config);
	f->body = dup(f->body);
	f->body_sql = dup(f->body_sql);
	acl_copy(&f->acl);
	f->comment = dup(f->comment);
	return f;
}

static void *trigger_copy(const void *v)
{
	struct schema_trigger *t = xmalloc(sizeof(*t));
	*t = *(const struct schema_trigger *)v;
	t->name = dup(t->name);
	t->table_key = dup(t->table_key);
	list_copy(&t->update_columns);
	t->when_expr = dup(t->when_expr);
	t->when_sql = dup(t->when_sql);
	t->old_table = dup(t->old_table);
	t->new_table = dup(t->new_table);
	t->function = dup(t->function);
	list_copy(&t->args);
	t->comment = dup(t->comment);
	return t;
}

static void *policy_copy(const void *v)
{
	struct schema_policy *p = xmalloc(sizeof(*p));
	*p = *(const struct schema_policy *)v;
	p->name = dup(p->name);
	p->table_key = dup(p->table_key);
	p->command = dup(p->command);
	list_copy(&p->roles);
	p->using_expr = dup(p->using_expr);
	p->check_expr = dup(p->check_expr);
	p->using_sql = dup(p->using_sql);
	p->check_sql = dup(p->check_sql);
	p->comment = dup(p->comment);
	return p;
}

static void *extension_copy(const void *v)
{
	struct schema_extension *e = xmalloc(sizeof(*e));
	*e = *(const struct schema_extension *)v;
	e->name = dup(e->name);
	e->schema = dup(e->schema);
	e->version = dup(e->version);
	e->comment = dup(e->comment);
	return e;
}

static void *collation_copy(const void *v)
{
	struct schema_collation *c = xmalloc(sizeof(*c));
	*c = *(const struct schema_collation *)v;
	c->schema = dup(c->schema);
	c->name = dup(c->name);
	c->provider = dup(c->provider);
	c->locale = dup(c->locale);
	c->lc_collate = dup(c->lc_collate);
	c->lc_ctype = dup(c->lc_ctype);
	c->comment = dup(c->comment);
	return c;
}

static void *schema_copy(const void *v)
{
	struct schema_schema *s = xmalloc(sizeof(*s));
	*s = *(const struct schema_schema *)v;
	s->name = dup(s->name);
	acl_copy(&s->acl);
	s->comment = dup(s->comment);
	return s;
}

static void map_copy(struct strmap *to, const struct strmap *from, void *(*copy)(const void *))
{
	size_t it = 0;
	const char *key;
	void *value;
	while (strmap_next(from, &it, &key, &value))
		strmap_put(to, key, copy(value));
}

/* Whether an index is one of `names`, by its own name or its table's ("schema.table" keys:
 * the name after the schema's). */
static int index_named(const struct schema_index *ix, const struct strmap *names)
{
	const char *dot = strchr(ix->table_key, '.');
	return strmap_has(names, ix->name) || strmap_has(names, dot ? dot + 1 : ix->table_key);
}

/* The tables, and indexes by their own name or their table's, that names name in one schema. */
static void keys_in_schema(struct schema_keys *out, const struct schema_model *m, const struct strmap *names,
			   const struct strmap *except, const char *schema)
{
	size_t it = 0;
	const char *name;
	char key[1024];
	while (strmap_next(names, &it, &name, NULL)) {
		if (except && strmap_has(except, name))
			continue;
		schema_key(key, sizeof(key), schema, name);
		if (strmap_has(&m->tables, key))
			strmap_put(&out->tables, key, (void *)1);
		const struct schema_index *ix = strmap_get(&m->indexes, key);
		if (ix && !(except && index_named(ix, except)))
			strmap_put(&out->indexes, key, (void *)1);
		const struct strmap *set = strmap_get(&m->index_bytable, key);
		size_t k = 0;
		const char *ikey;
		while (set && strmap_next(set, &k, &ikey, NULL)) {
			ix = strmap_get(&m->indexes, ikey);
			if (ix && !strcmp(ix->table_key, key) && !(except && index_named(ix, except)))
				strmap_put(&out->indexes, ikey, (void *)1);
		}
	}
}

void schema_model_keys(const struct schema_model *m, const struct strmap *names, const struct strmap *except,
		       struct schema_keys *out)
{
	size_t it = 0;
	const char *schema, *key;
	void *value;
	if (!names) { /* all of them */
		while (strmap_next(&m->tables, &it, &key, &value))
			if (!except || !strmap_has(except, ((const struct schema_table *)value)->name))
				strmap_put(&out->tables, key, (void *)1);
		it = 0;
		while (strmap_next(&m->indexes, &it, &key, &value))
			if (!except || !index_named(value, except))
				strmap_put(&out->indexes, key, (void *)1);
		return;
	}
	/* an object is named with its schema, or found through the search_path (the model's, or
	 * one the migration sets, whose schemas are among the names): the schemas to try */
	while (strmap_next(&m->schemas, &it, &schema, NULL))
		keys_in_schema(out, m, names, except, schema);
	for (size_t i = 0; i < m->search_path.n; i++)
		keys_in_schema(out, m, names, except, !strcmp(m->search_path.items[i], "$user") && m->user
						     ? m->user : m->search_path.items[i]);
	static const char *const usual[] = { "public", "pg_catalog" };
	for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
		keys_in_schema(out, m, names, except, usual[i]);
	it = 0;
	while (strmap_next(names, &it, &schema, NULL))
		if (!strmap_has(&m->schemas, schema))
			keys_in_schema(out, m, names, except, schema);
}

void schema_keys_release(struct schema_keys *k)
{
	strmap_release(&k->tables);
	strmap_release(&k->indexes);
}

void schema_model_copy_tables(struct schema_model *to, const struct schema_model *from, const struct schema_keys *k)
{
	size_t it = 0;
	const char *key;
	void *value;
	if (!k) {
		map_copy(&to->tables, &from->tables, table_copy);
		while (strmap_next(&from->indexes, &it, &key, &value)) {
			strmap_put(&to->indexes, key, index_copy(value));
			schema_index_bytable_add(to, ((const struct schema_index *)value)->table_key, key);
		}
		return;
	}
	while (strmap_next(&k->tables, &it, &key, NULL))
		strmap_put(&to->tables, key, table_copy(strmap_get(&from->tables, key)));
	it = 0;
	while (strmap_next(&k->indexes, &it, &key, NULL)) {
		const struct schema_index *ix = strmap_get(&from->indexes, key);
		strmap_put(&to->indexes, key, index_copy(ix));
		schema_index_bytable_add(to, ix->table_key, key);
	}
}

void schema_model_copy_part(struct schema_model *to, const struct schema_model *from, const struct schema_keys *k)
{
	memset(to, 0, sizeof(*to));
	schema_model_copy_tables(to, from, k);
	map_copy(&to->schemas, &from->schemas, schema_copy);
	map_copy(&to->views, &from->views, view_copy);
	map_copy(&to->sequences, &from->sequences, sequence_copy);
	map_copy(&to->types, &from->types, type_copy);
	map_copy(&to->functions, &from->functions, function_copy);
	map_copy(&to->triggers, &from->triggers, trigger_copy);
	map_copy(&to->policies, &from->policies, policy_copy);
	map_copy(&to->extensions, &from->extensions, extension_copy);
	map_copy(&to->collations, &from->collations, collation_copy);
	schema_strlist_copy(&to->search_path, &from->search_path);
	to->user = dup(from->user);
	to->complete = from->complete;
	to->source = dup(from->source);
	/* what the current migration created is the original's to reset, not the copy's */
}

void schema_model_copy(struct schema_model *to, const struct schema_model *from)
{
	schema_model_copy_part(to, from, NULL);
}
