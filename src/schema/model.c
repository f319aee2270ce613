#include "schema/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *schema_or_default(const char *schema)
{
	return schema && *schema ? schema : "public";
}

static void make_key(char *buf, size_t size, const char *schema, const char *name)
{
	snprintf(buf, size, "%s.%s", schema_or_default(schema), name);
}

void schema_model_init(struct schema_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void table_free(struct schema_table *t)
{
	for (size_t i = 0; i < t->ncolumns; i++) {
		free(t->columns[i].name);
		free(t->columns[i].type);
	}
	free(t->columns);
	for (size_t i = 0; i < t->nchecks; i++) {
		free(t->checks[i].name);
		free(t->checks[i].column);
	}
	free(t->checks);
	free(t->schema);
	free(t->name);
	free(t);
}

static void index_free(struct schema_index *ix)
{
	free(ix->schema);
	free(ix->name);
	free(ix->table_key);
	free(ix);
}

void schema_model_release(struct schema_model *m)
{
	size_t it = 0;
	void *v;
	while (strmap_next(&m->tables, &it, NULL, &v))
		table_free(v);
	it = 0;
	while (strmap_next(&m->indexes, &it, NULL, &v))
		index_free(v);
	strmap_release(&m->tables);
	strmap_release(&m->indexes);
	strmap_release(&m->functions); /* values are letters, not pointers */
}

void schema_model_begin_migration(struct schema_model *m)
{
	size_t it = 0;
	void *v;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		t->created_in_migration = 0;
		for (size_t c = 0; c < t->ncolumns; c++)
			t->columns[c].added_in_migration = 0;
	}
	it = 0;
	while (strmap_next(&m->indexes, &it, NULL, &v))
		((struct schema_index *)v)->created_in_migration = 0;
}

struct schema_table *schema_table_find(const struct schema_model *m, const char *schema,
				       const char *name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	return strmap_get(&m->tables, key);
}

struct schema_table *schema_table_add(struct schema_model *m, const char *schema, const char *name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	struct schema_table *t = xcalloc(1, sizeof(*t));
	t->schema = xstrdup(schema_or_default(schema));
	t->name = xstrdup(name);
	struct schema_table *old = strmap_put(&m->tables, key, t);
	if (old)
		table_free(old);
	return t;
}

void schema_table_drop(struct schema_model *m, const char *schema, const char *name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	struct schema_table *t = strmap_remove(&m->tables, key);
	if (t)
		table_free(t);
}

void schema_table_rename(struct schema_model *m, const char *schema, const char *name,
			 const char *new_name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	struct schema_table *t = strmap_remove(&m->tables, key);
	if (!t)
		return;
	free(t->name);
	t->name = xstrdup(new_name);
	make_key(key, sizeof(key), t->schema, new_name);
	struct schema_table *old = strmap_put(&m->tables, key, t);
	if (old)
		table_free(old);
}

struct schema_column *schema_column_find(const struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (!strcmp(t->columns[i].name, name))
			return &t->columns[i];
	return NULL;
}

struct schema_column *schema_column_add(struct schema_table *t, const char *name)
{
	struct schema_column *c = schema_column_find(t, name);
	if (c)
		return c;
	XGROW(t->columns, t->ncolumns + 1, t->cap);
	c = &t->columns[t->ncolumns++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	return c;
}

void schema_column_drop(struct schema_table *t, const char *name)
{
	struct schema_column *c = schema_column_find(t, name);
	if (!c)
		return;
	free(c->name);
	free(c->type);
	size_t i = (size_t)(c - t->columns);
	memmove(&t->columns[i], &t->columns[i + 1], (t->ncolumns - i - 1) * sizeof(*c));
	t->ncolumns--;
}

void schema_column_set_type(struct schema_column *c, const char *type, const int32_t *mods,
			    int nmods, int array_dims)
{
	free(c->type);
	c->type = type ? xstrdup(type) : NULL;
	c->nmods = nmods;
	for (int i = 0; i < 2; i++)
		c->mods[i] = (mods && i < nmods) ? mods[i] : 0;
	c->array_dims = array_dims;
}

void schema_check_add(struct schema_table *t, const char *name, const char *column, int validated)
{
	XGROW(t->checks, t->nchecks + 1, t->checks_cap);
	struct schema_notnull_check *k = &t->checks[t->nchecks++];
	k->name = name ? xstrdup(name) : NULL;
	k->column = xstrdup(column);
	k->validated = validated;
}

int schema_check_validate(struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->nchecks; i++) {
		if (t->checks[i].name && !strcmp(t->checks[i].name, name)) {
			t->checks[i].validated = 1;
			return 1;
		}
	}
	return 0;
}

void schema_check_drop(struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->nchecks; i++) {
		if (t->checks[i].name && !strcmp(t->checks[i].name, name)) {
			free(t->checks[i].name);
			free(t->checks[i].column);
			t->checks[i] = t->checks[--t->nchecks];
			return;
		}
	}
}

int schema_column_has_notnull_check(const struct schema_table *t, const char *column)
{
	for (size_t i = 0; i < t->nchecks; i++)
		if (t->checks[i].validated && !strcmp(t->checks[i].column, column))
			return 1;
	return 0;
}

struct schema_index *schema_index_find(const struct schema_model *m, const char *schema,
				       const char *name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	return strmap_get(&m->indexes, key);
}

struct schema_index *schema_index_add(struct schema_model *m, const char *schema, const char *name,
				      const char *table_schema, const char *table_name)
{
	char key[512];
	/* An index lives in its table's schema. */
	const char *s = schema && *schema ? schema : schema_or_default(table_schema);
	make_key(key, sizeof(key), s, name);
	struct schema_index *ix = xcalloc(1, sizeof(*ix));
	ix->schema = xstrdup(s);
	ix->name = xstrdup(name);
	char tkey[512];
	make_key(tkey, sizeof(tkey), table_schema, table_name);
	ix->table_key = xstrdup(tkey);
	struct schema_index *old = strmap_put(&m->indexes, key, ix);
	if (old)
		index_free(old);
	return ix;
}

void schema_index_drop(struct schema_model *m, const char *schema, const char *name)
{
	char key[512];
	make_key(key, sizeof(key), schema, name);
	struct schema_index *ix = strmap_remove(&m->indexes, key);
	if (ix)
		index_free(ix);
}

void schema_function_set(struct schema_model *m, const char *name, char volatility)
{
	strmap_put(&m->functions, name, (void *)(uintptr_t)(unsigned char)volatility);
}

char schema_function_volatility(const struct schema_model *m, const char *name)
{
	return (char)(uintptr_t)strmap_get(&m->functions, name);
}
