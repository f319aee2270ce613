#include "schema/json.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strlist_json(const struct schema_strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The privileges of a kind of object, for writing a grantee's full set as ALL. */
static const char *const table_all[] = { "DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE",
					 "UPDATE", NULL };
static const char *const sequence_all[] = { "SELECT", "UPDATE", "USAGE", NULL };
static const char *const schema_all[] = { "CREATE", "USAGE", NULL };

static int has_all(const struct schema_acl *a, const char *grantee, int grantable, const char *const *all)
{
	for (const char *const *p = all; *p; p++) {
		size_t i = 0;
		while (i < a->n && !(!strcmp(a->items[i].grantee, grantee) && !strcmp(a->items[i].privilege, *p) &&
				     a->items[i].grantable == grantable))
			i++;
		if (i == a->n)
			return 0;
	}
	return 1;
}

static int in_list(const char *s, const char *const *all)
{
	for (; all && *all; all++)
		if (!strcmp(s, *all))
			return 1;
	return 0;
}

/* "role: SELECT", "PUBLIC: ALL WITH GRANT OPTION", sorted; a grantee holding every privilege
 * of the kind is written ALL, so that PostgreSQL 17's MAINTAIN makes no difference. */
static json_t *acl_json(const struct schema_acl *a, const char *const *all)
{
	char **items = xcalloc(a->n + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct schema_grant *g = &a->items[i];
		int full = all && has_all(a, g->grantee, g->grantable, all);
		if (full && !strcmp(g->privilege, "MAINTAIN") && all == table_all)
			continue; /* part of ALL from PostgreSQL 17 */
		if (full && in_list(g->privilege, all)) {
			if (strcmp(g->privilege, all[0]))
				continue; /* written once, for the first privilege of the set */
			items[n++] = xasprintf("%s: ALL%s", g->grantee, g->grantable ? " WITH GRANT OPTION" : "");
			continue;
		}
		items[n++] = xasprintf("%s: %s%s", g->grantee, g->privilege, g->grantable ? " WITH GRANT OPTION" : "");
	}
	qsort(items, n, sizeof(char *), cmp_str);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(items[i], items[i - 1]))
			json_array_append_new(arr, json_string(items[i]));
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return arr;
}

static json_t *stats_json(const struct schema_stats *s)
{
	if (!s->known)
		return json_null();
	json_t *j = json_object();
	json_object_set_new(j, "rows", s->rows < 0 ? json_null() : json_integer((json_int_t)s->rows));
	json_object_set_new(j, "pages", json_integer(s->pages));
	json_object_set_new(j, "bytes", json_integer(s->bytes));
	return j;
}

static const char *action_name(char a)
{
	switch (a) {
	case 'r':
		return "RESTRICT";
	case 'c':
		return "CASCADE";
	case 'n':
		return "SET NULL";
	case 'd':
		return "SET DEFAULT";
	default:
		return "NO ACTION";
	}
}

static json_t *elems_json(const struct schema_index_elem *e, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		char *s = schema_index_elem_text(&e[i]);
		json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}

static json_t *constraint_json(const struct schema_constraint *c)
{
	json_t *j = json_object();
	static const struct {
		char type;
		const char *name;
	} names[] = { { 'p', "PRIMARY KEY" }, { 'u', "UNIQUE" }, { 'f', "FOREIGN KEY" }, { 'c', "CHECK" },
		      { 'x', "EXCLUDE" } };
	const char *type = "?";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == c->type)
			type = names[i].name;
	json_object_set_new(j, "type", json_string(type));
	switch (c->type) {
	case SCHEMA_CON_PRIMARY:
	case SCHEMA_CON_UNIQUE:
		json_object_set_new(j, "columns", strlist_json(&c->columns));
		json_object_set_new(j, "include", strlist_json(&c->include));
		if (c->type == SCHEMA_CON_UNIQUE)
			json_object_set_new(j, "nulls_not_distinct", json_boolean(c->nulls_not_distinct));
		break;
	case SCHEMA_CON_FOREIGN:
		json_object_set_new(j, "columns", strlist_json(&c->columns));
		json_object_set_new(j, "references", str_or_null(c->ref_table));
		json_object_set_new(j, "ref_columns", strlist_json(&c->ref_columns));
		json_object_set_new(j, "on_update", json_string(action_name(c->on_update)));
		json_object_set_new(j, "on_delete", json_string(action_name(c->on_delete)));
		json_object_set_new(j, "match", json_string(c->match == 'f' ? "FULL" : c->match == 'p' ? "PARTIAL" : "SIMPLE"));
		break;
	case SCHEMA_CON_CHECK:
		json_object_set_new(j, "expression", str_or_null(c->expr));
		json_object_set_new(j, "no_inherit", json_boolean(c->no_inherit));
		break;
	case SCHEMA_CON_EXCLUDE:
		json_object_set_new(j, "method", str_or_null(c->method));
		json_object_set_new(j, "elements", elems_json(c->elems, c->nelems));
		json_object_set_new(j, "predicate", str_or_null(c->predicate));
		break;
	default:
		break;
	}
	json_object_set_new(j, "deferrable", json_boolean(c->deferrable));
	json_object_set_new(j, "deferred", json_boolean(c->deferred));
	json_object_set_new(j, "validated", json_boolean(c->validated));
	json_object_set_new(j, "comment", str_or_null(c->comment));
	return j;
}

static json_t *column_json(const struct schema_column *c)
{
	json_t *j = json_object();
	char buf[400];
	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "type", c->type ? json_string(schema_column_type_text(c, buf, sizeof(buf))) : json_null());
	json_object_set_new(j, "not_null", json_boolean(c->not_null));
	json_object_set_new(j, c->generated ? "generated" : "default", str_or_null(c->default_expr));
	if (c->identity)
		json_object_set_new(j, "identity", json_string(c->identity == 'a' ? "ALWAYS" : "BY DEFAULT"));
	json_object_set_new(j, "collation", str_or_null(c->collation));
	json_object_set_new(j, "comment", str_or_null(c->comment));
	return j;
}

/* diff/diff.c's same_table() and same_index() compare the fields these write, to skip building
 * the JSON of equal objects: a field added here goes there too. */
json_t *schema_table_json(const struct schema_table *t, unsigned flags)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(t->kind == 'p' ? "partitioned table" : t->kind == 'f' ? "foreign table" : "table"));
	json_object_set_new(j, "persistence", json_string(t->persistence == 'u' ? "unlogged" : t->persistence == 't' ? "temporary" : "permanent"));
	if (t->partial)
		json_object_set_new(j, "partial", json_true());
	json_t *cols = json_array();
	for (size_t i = 0; i < t->ncolumns; i++)
		json_array_append_new(cols, column_json(&t->columns[i]));
	json_object_set_new(j, "columns", cols);
	json_t *cons = json_object();
	for (size_t i = 0; i < t->nconstraints; i++)
		json_object_set_new(cons, t->constraints[i].name, constraint_json(&t->constraints[i]));
	json_object_set_new(j, "constraints", cons);
	json_object_set_new(j, "partition_key", str_or_null(t->partition_key));
	json_object_set_new(j, "partition_of", str_or_null(t->partition_of));
	json_object_set_new(j, "partition_bound", str_or_null(t->partition_bound));
	json_object_set_new(j, "inherits", strlist_json(&t->inherits));
	json_object_set_new(j, "options", strlist_json(&t->options));
	json_object_set_new(j, "row_security", json_string(t->rls_forced ? "forced" : t->rls_enabled ? "enabled" : "disabled"));
	json_object_set_new(j, "grants", acl_json(&t->acl, table_all));
	json_object_set_new(j, "comment", str_or_null(t->comment));
	if (flags & SCHEMA_JSON_STATS)
		json_object_set_new(j, "stats", stats_json(&t->stats));
	return j;
}

json_t *schema_index_json(const struct schema_index *ix, unsigned flags)
{
	json_t *j = json_object();
	json_object_set_new(j, "table", json_string(ix->table_key));
	json_object_set_new(j, "method", str_or_null(ix->method));
	json_object_set_new(j, "unique", json_boolean(ix->unique));
	if (ix->unique)
		json_object_set_new(j, "nulls_not_distinct", json_boolean(ix->nulls_not_distinct));
	json_object_set_new(j, "columns", elems_json(ix->elems, ix->nelems));
	json_object_set_new(j, "include", strlist_json(&ix->include));
	json_object_set_new(j, "predicate", str_or_null(ix->predicate));
	json_object_set_new(j, "options", strlist_json(&ix->options));
	json_object_set_new(j, "valid", json_boolean(ix->valid));
	json_object_set_new(j, "constraint", str_or_null(ix->constraint));
	json_object_set_new(j, "comment", str_or_null(ix->comment));
	if (flags & SCHEMA_JSON_STATS)
		json_object_set_new(j, "stats", stats_json(&ix->stats));
	return j;
}

json_t *schema_view_json(const struct schema_view *v, unsigned flags)
{
	json_t *j = json_object();
	json_object_set_new(j, "materialized", json_boolean(v->materialized));
	json_object_set_new(j, "definition", str_or_null(v->definition));
	json_object_set_new(j, "columns", strlist_json(&v->columns));
	json_object_set_new(j, "depends_on", strlist_json(&v->depends_on));
	json_object_set_new(j, "depends_on_columns", strlist_json(&v->depends_on_columns));
	json_object_set_new(j, "options", strlist_json(&v->options));
	json_object_set_new(j, "grants", acl_json(&v->acl, table_all));
	json_object_set_new(j, "comment", str_or_null(v->comment));
	if (flags & SCHEMA_JSON_STATS) {
		json_object_set_new(j, "stats", stats_json(&v->stats));
		if (v->materialized)
			json_object_set_new(j, "populated", json_boolean(v->populated));
	}
	return j;
}

json_t *schema_sequence_json(const struct schema_sequence *s, unsigned flags)
{
	json_t *j = json_object();
	json_object_set_new(j, "type", str_or_null(s->type));
	json_object_set_new(j, "start", json_integer(s->start));
	json_object_set_new(j, "increment", json_integer(s->increment));
	json_object_set_new(j, "min", json_integer(s->min));
	json_object_set_new(j, "max", json_integer(s->max));
	json_object_set_new(j, "cache", json_integer(s->cache));
	json_object_set_new(j, "cycle", json_boolean(s->cycle));
	if (s->owned_table) {
		char *o = xasprintf("%s.%s", s->owned_table, s->owned_column ? s->owned_column : "?");
		json_object_set_new(j, "owned_by", json_string(o));
		free(o);
	} else {
		json_object_set_new(j, "owned_by", json_null());
	}
	json_object_set_new(j, "identity", json_boolean(s->owner_kind == 'i'));
	json_object_set_new(j, "grants", acl_json(&s->acl, sequence_all));
	json_object_set_new(j, "comment", str_or_null(s->comment));
	if (flags & SCHEMA_JSON_STATS)
		json_object_set_new(j, "last_value", s->has_last_value ? json_integer(s->last_value) : json_null());
	return j;
}

json_t *schema_type_json(const struct schema_type *t)
{
	json_t *j = json_object();
	if (t->kind == 'e') {
		json_object_set_new(j, "kind", json_string("enum"));
		json_object_set_new(j, "labels", strlist_json(&t->labels));
	} else if (t->kind == 'd') {
		json_object_set_new(j, "kind", json_string("domain"));
		json_object_set_new(j, "base_type", str_or_null(t->base_type));
		json_object_set_new(j, "not_null", json_boolean(t->not_null));
		json_object_set_new(j, "default", str_or_null(t->default_expr));
		json_object_set_new(j, "collation", str_or_null(t->collation));
		json_t *cons = json_object();
		for (size_t i = 0; i < t->nconstraints; i++)
			json_object_set_new(cons, t->constraints[i].name, constraint_json(&t->constraints[i]));
		json_object_set_new(j, "constraints", cons);
	} else {
		json_object_set_new(j, "kind", json_string("composite"));
		json_t *cols = json_array();
		for (size_t i = 0; i < t->nattributes; i++)
			json_array_append_new(cols, column_json(&t->attributes[i]));
		json_object_set_new(j, "attributes", cols);
	}
	json_object_set_new(j, "comment", str_or_null(t->comment));
	return j;
}

json_t *schema_function_json(const struct schema_function *f)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(f->kind == 'p' ? "procedure" : "function"));
	json_object_set_new(j, "arguments", str_or_null(f->arguments));
	json_object_set_new(j, "returns", str_or_null(f->returns));
	json_object_set_new(j, "language", str_or_null(f->language));
	json_object_set_new(j, "volatility",
			    json_string(f->volatility == 'i' ? "IMMUTABLE" : f->volatility == 's' ? "STABLE" : "VOLATILE"));
	json_object_set_new(j, "strict", json_boolean(f->strict));
	json_object_set_new(j, "security_definer", json_boolean(f->security_definer));
	json_object_set_new(j, "leakproof", json_boolean(f->leakproof));
	json_object_set_new(j, "parallel",
			    json_string(f->parallel == 's' ? "SAFE" : f->parallel == 'r' ? "RESTRICTED" : "UNSAFE"));
	json_object_set_new(j, "config", strlist_json(&f->config));
	json_object_set_new(j, "body", str_or_null(f->body));
	json_object_set_new(j, "grants", acl_json(&f->acl, NULL));
	json_object_set_new(j, "comment", str_or_null(f->comment));
	return j;
}

json_t *schema_trigger_json(const struct schema_trigger *t)
{
	json_t *j = json_object();
	json_object_set_new(j, "table", json_string(t->table_key));
	json_object_set_new(j, "timing", json_string(t->timing == 'B' ? "BEFORE" : t->timing == 'I' ? "INSTEAD OF" : "AFTER"));
	json_t *ev = json_array();
	static const char *const events[] = { "INSERT", "DELETE", "UPDATE", "TRUNCATE" };
	for (int i = 0; i < 4; i++)
		if (t->events & (1u << i))
			json_array_append_new(ev, json_string(events[i]));
	json_object_set_new(j, "events", ev);
	json_object_set_new(j, "update_columns", strlist_json(&t->update_columns));
	json_object_set_new(j, "for_each", json_string(t->for_each_row ? "ROW" : "STATEMENT"));
	json_object_set_new(j, "when", str_or_null(t->when_expr));
	/* only when there are any, so that dumps of triggers without stay as they were */
	if (t->old_table)
		json_object_set_new(j, "old_table", json_string(t->old_table));
	if (t->new_table)
		json_object_set_new(j, "new_table", json_string(t->new_table));
	json_object_set_new(j, "function", str_or_null(t->function));
	json_object_set_new(j, "arguments", strlist_json(&t->args));
	json_object_set_new(j, "enabled",
			    json_string(t->enabled == 'D' ? "DISABLED" : t->enabled == 'R' ? "REPLICA" : t->enabled == 'A' ? "ALWAYS" : "ORIGIN"));
	json_object_set_new(j, "constraint_trigger", json_boolean(t->is_constraint));
	if (t->is_constraint) {
		json_object_set_new(j, "deferrable", json_boolean(t->deferrable));
		json_object_set_new(j, "deferred", json_boolean(t->deferred));
	}
	json_object_set_new(j, "comment", str_or_null(t->comment));
	return j;
}

json_t *schema_policy_json(const struct schema_policy *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "table", json_string(p->table_key));
	json_object_set_new(j, "permissive", json_boolean(p->permissive));
	json_object_set_new(j, "command", str_or_null(p->command));
	json_object_set_new(j, "roles", strlist_json(&p->roles));
	json_object_set_new(j, "using", str_or_null(p->using_expr));
	json_object_set_new(j, "with_check", str_or_null(p->check_expr));
	json_object_set_new(j, "comment", str_or_null(p->comment));
	return j;
}

json_t *schema_schema_json(const struct schema_schema *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "grants", acl_json(&s->acl, schema_all));
	json_object_set_new(j, "comment", str_or_null(s->comment));
	return j;
}

json_t *schema_extension_json(const struct schema_extension *e, unsigned flags)
{
	json_t *j = json_object();
	json_object_set_new(j, "schema", json_string(e->schema));
	if (flags & SCHEMA_JSON_STATS)
		json_object_set_new(j, "version", str_or_null(e->version));
	return j;
}

json_t *schema_collation_json(const struct schema_collation *c)
{
	json_t *j = json_object();
	json_object_set_new(j, "provider", str_or_null(c->provider));
	json_object_set_new(j, "locale", str_or_null(c->locale));
	json_object_set_new(j, "lc_collate", str_or_null(c->lc_collate));
	json_object_set_new(j, "lc_ctype", str_or_null(c->lc_ctype));
	json_object_set_new(j, "deterministic", json_boolean(c->deterministic));
	json_object_set_new(j, "comment", str_or_null(c->comment));
	return j;
}

json_t *schema_model_json(const struct schema_model *m, unsigned flags)
{
	json_t *root = json_object();
	json_object_set_new(root, "format_version", json_integer(SCHEMA_JSON_FORMAT_VERSION));
	size_t it = 0;
	const char *key;
	void *v;

	json_t *schemas = json_object();
	while (strmap_next(&m->schemas, &it, &key, &v))
		json_object_set_new(schemas, key, schema_schema_json(v));
	json_object_set_new(root, "schemas", schemas);

	json_t *exts = json_object();
	for (it = 0; strmap_next(&m->extensions, &it, &key, &v);)
		json_object_set_new(exts, key, schema_extension_json(v, flags));
	json_object_set_new(root, "extensions", exts);

	/* only when there are any, so that dumps of schemas without stay as they were */
	if (m->collations.count) {
		json_t *colls = json_object();
		for (it = 0; strmap_next(&m->collations, &it, &key, &v);)
			json_object_set_new(colls, key, schema_collation_json(v));
		json_object_set_new(root, "collations", colls);
	}

	json_t *obj = json_object();
	for (it = 0; strmap_next(&m->types, &it, &key, &v);)
		json_object_set_new(obj, key, schema_type_json(v));
	json_object_set_new(root, "types", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->sequences, &it, &key, &v);)
		json_object_set_new(obj, key, schema_sequence_json(v, flags));
	json_object_set_new(root, "sequences", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->tables, &it, &key, &v);)
		json_object_set_new(obj, key, schema_table_json(v, flags));
	json_object_set_new(root, "tables", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->indexes, &it, &key, &v);)
		json_object_set_new(obj, key, schema_index_json(v, flags));
	json_object_set_new(root, "indexes", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->views, &it, &key, &v);)
		json_object_set_new(obj, key, schema_view_json(v, flags));
	json_object_set_new(root, "views", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->functions, &it, &key, &v);)
		json_object_set_new(obj, key, schema_function_json(v));
	json_object_set_new(root, "functions", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->triggers, &it, &key, &v);)
		json_object_set_new(obj, key, schema_trigger_json(v));
	json_object_set_new(root, "triggers", obj);
	obj = json_object();
	for (it = 0; strmap_next(&m->policies, &it, &key, &v);)
		json_object_set_new(obj, key, schema_policy_json(v));
	json_object_set_new(root, "policies", obj);
	return root;
}

/* jansson's allocator takes no context: the arena schema_model_json_use() lends it */
static struct arena *json_arena;

static void *json_arena_alloc(size_t size)
{
	return arena_alloc(json_arena, size ? size : 1);
}

static void json_arena_free(void *ptr)
{
	(void)ptr; /* the arena frees everything at once */
}

int schema_model_json_use(const struct schema_model *m, unsigned flags, int (*use)(const json_t *j, void *ud),
			  void *ud)
{
	json_malloc_t saved_malloc;
	json_free_t saved_free;
	json_get_alloc_funcs(&saved_malloc, &saved_free);
	struct arena a;
	arena_init(&a);
	json_arena = &a;
	json_set_alloc_funcs(json_arena_alloc, json_arena_free);
	json_t *j = schema_model_json(m, flags);
	int rc = use(j, ud);
	/* no json_decref(): every value is in the arena, and nothing outside refers to one */
	json_set_alloc_funcs(saved_malloc, saved_free);
	json_arena = NULL;
	arena_release(&a);
	return rc;
}
