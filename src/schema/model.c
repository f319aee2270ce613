#include "schema/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ident.h"
#include "util/xalloc.h"

enum { KEY_MAX = 600 };

/* ---- small containers ---- */

void schema_strlist_add(struct schema_strlist *l, const char *s)
{
	XGROW(l->items, l->n + 1, l->cap);
	l->items[l->n++] = xstrdup(s);
}

void schema_strlist_clear(struct schema_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int schema_strlist_find(const struct schema_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return (int)i;
	return -1;
}

void schema_strlist_remove(struct schema_strlist *l, size_t i)
{
	if (i >= l->n)
		return;
	free(l->items[i]);
	memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof(char *));
	l->n--;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void schema_strlist_sort(struct schema_strlist *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(char *), cmp_str);
}

void schema_strlist_copy(struct schema_strlist *to, const struct schema_strlist *from)
{
	for (size_t i = 0; i < from->n; i++)
		schema_strlist_add(to, from->items[i]);
}

static int acl_find(const struct schema_acl *a, const char *grantee, const char *privilege)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->items[i].grantee, grantee) && !strcmp(a->items[i].privilege, privilege))
			return (int)i;
	return -1;
}

void schema_acl_grant(struct schema_acl *a, const char *grantee, const char *privilege, int grantable)
{
	int i = acl_find(a, grantee, privilege);
	if (i >= 0) {
		a->items[i].grantable |= grantable;
		return;
	}
	XGROW(a->items, a->n + 1, a->cap);
	struct schema_grant *g = &a->items[a->n++];
	g->grantee = xstrdup(grantee);
	g->privilege = xstrdup(privilege);
	g->grantable = grantable;
}

void schema_acl_revoke(struct schema_acl *a, const char *grantee, const char *privilege,
		       int grant_option_only)
{
	int i = acl_find(a, grantee, privilege);
	if (i < 0)
		return;
	if (grant_option_only) {
		a->items[i].grantable = 0;
		return;
	}
	free(a->items[i].grantee);
	free(a->items[i].privilege);
	a->items[i] = a->items[--a->n];
}

void schema_acl_clear(struct schema_acl *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].grantee);
		free(a->items[i].privilege);
	}
	free(a->items);
	memset(a, 0, sizeof(*a));
}

/* The keys in the map's own order: for visiting every entry where order does not matter
 * (dropping dependents), without the cost of sorting on every DROP. */
const char **schema_map_keys(const struct strmap *map, size_t *n)
{
	const char **keys = xmalloc((map->count + 1) * sizeof(*keys));
	size_t k = 0, it = 0;
	const char *key;
	while (strmap_next(map, &it, &key, NULL))
		keys[k++] = key;
	*n = k;
	return keys;
}

const char **schema_sorted_keys(const struct strmap *map, size_t *n)
{
	const char **keys = schema_map_keys(map, n);
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

/* ---- names ---- */

/* Called for every lookup in the model: copied by hand, snprintf() was 5% of a lint run. Cut
 * at size - 1 bytes as snprintf() would. */
const char *schema_key(char *buf, size_t size, const char *schema, const char *name)
{
	if (!size)
		return buf;
	size_t ls = strlen(schema), ln = strlen(name), n = 0;
	size_t take = ls < size - 1 ? ls : size - 1;
	memcpy(buf, schema, take);
	n = take;
	if (n < size - 1)
		buf[n++] = '.';
	take = ln < size - 1 - n ? ln : size - 1 - n;
	memcpy(buf + n, name, take);
	buf[n + take] = '\0';
	return buf;
}

/* The search_path entry as a schema name: "$user" stands for the current role's schema. */
static const char *path_schema(const struct schema_model *m, const char *entry)
{
	if (!strcmp(entry, "$user"))
		return m->user;
	if (!strcmp(entry, "pg_catalog") || !strcmp(entry, "pg_temp"))
		return NULL;
	return entry;
}

const char *schema_creation_schema(const struct schema_model *m)
{
	for (size_t i = 0; i < m->search_path.n; i++) {
		const char *s = path_schema(m, m->search_path.items[i]);
		if (!s)
			continue;
		/* PostgreSQL skips schemas that do not exist; without a source the model does not
		 * know which exist, and a migration naming one in search_path expects it to */
		if (!m->complete || strmap_get(&m->schemas, s))
			return s;
	}
	return "public";
}

/* The object of map keyed "schema.name"; a key too long for the stack (a function's signature
 * with many arguments) is built on the heap. */
static void *lookup(const struct strmap *map, const char *schema, const char *name)
{
	char key[KEY_MAX];
	if (strlen(schema) + strlen(name) + 2 <= sizeof(key))
		return strmap_get(map, schema_key(key, sizeof(key), schema, name));
	char *long_key = xasprintf("%s.%s", schema, name);
	void *v = strmap_get(map, long_key);
	free(long_key);
	return v;
}

/* The object of map named name in the first search_path schema holding one. */
static void *find_unqualified(const struct schema_model *m, const struct strmap *map, const char *name)
{
	for (size_t i = 0; i < m->search_path.n; i++) {
		const char *s = path_schema(m, m->search_path.items[i]);
		void *v = s ? lookup(map, s, name) : NULL;
		if (v)
			return v;
	}
	return NULL;
}

static void *find_in(const struct schema_model *m, const struct strmap *map, const char *schema,
		     const char *name)
{
	if (!name)
		return NULL;
	if (schema && *schema)
		return lookup(map, schema, name);
	return find_unqualified(m, map, name);
}

static const char *schema_for_new(const struct schema_model *m, const char *schema)
{
	return schema && *schema ? schema : schema_creation_schema(m);
}

char schema_relation_kind(const struct schema_model *m, const char *schema, const char *name)
{
	char key[KEY_MAX];
	schema_key(key, sizeof(key), schema, name);
	if (strmap_get(&m->tables, key))
		return 't';
	const struct schema_view *v = strmap_get(&m->views, key);
	if (v)
		return v->materialized ? 'm' : 'v';
	if (strmap_get(&m->sequences, key))
		return 'S';
	if (strmap_get(&m->indexes, key))
		return 'i';
	const struct schema_type *t = strmap_get(&m->types, key);
	if (t && t->kind == 'c')
		return 'c';
	return 0;
}

const char *schema_resolve_relation(const struct schema_model *m, const char *name)
{
	for (size_t i = 0; i < m->search_path.n; i++) {
		const char *s = path_schema(m, m->search_path.items[i]);
		if (s && schema_relation_kind(m, s, name))
			return s;
	}
	return NULL;
}

/* PostgreSQL's makeObjectName(): the longer of the two names loses characters until
 * name1_name2_label fits in 63 bytes (never splitting a UTF-8 character). */
static char *make_object_name(const char *name1, const char *name2, const char *label)
{
	size_t overhead = (name2 ? strlen(name2) + 1 : 0) + (label ? strlen(label) + 1 : 0);
	size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
	size_t avail = SCHEMA_NAME_MAX > overhead - n2 ? SCHEMA_NAME_MAX - (overhead - n2) : 0;
	/* overhead - n2 is the separators and label; name2's own length is shared with name1 */
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	while (n1 > 0 && ((unsigned char)name1[n1] & 0xC0) == 0x80)
		n1--;
	while (name2 && n2 > 0 && ((unsigned char)name2[n2] & 0xC0) == 0x80)
		n2--;
	return xasprintf("%.*s%s%.*s%s%s", (int)n1, name1, name2 ? "_" : "", (int)n2, name2 ? name2 : "",
			 label ? "_" : "", label ? label : "");
}

char *schema_choose_relation_name(const struct schema_model *m, const char *schema,
				  const char *name1, const char *name2, const char *label)
{
	for (int pass = 0;; pass++) {
		char modlabel[80];
		if (pass == 0)
			snprintf(modlabel, sizeof(modlabel), "%s", label);
		else
			snprintf(modlabel, sizeof(modlabel), "%s%d", label, pass);
		char *name = make_object_name(name1, name2, modlabel);
		if (!schema_relation_kind(m, schema, name))
			return name;
		free(name);
	}
}

char *schema_choose_constraint_name(const struct schema_constraint *cons, size_t n,
				    const char *name1, const char *name2, const char *label)
{
	for (int pass = 0;; pass++) {
		char modlabel[80];
		if (pass == 0)
			snprintf(modlabel, sizeof(modlabel), "%s", label);
		else
			snprintf(modlabel, sizeof(modlabel), "%s%d", label, pass);
		char *name = make_object_name(name1, name2, modlabel);
		size_t i = 0;
		while (i < n && strcmp(cons[i].name, name))
			i++;
		if (i == n)
			return name;
		free(name);
	}
}

/* ---- freeing ---- */

static void column_release(struct schema_column *c)
{
	free(c->name);
	free(c->type);
	free(c->type_schema);
	free(c->default_expr);
	free(c->default_sql);
	free(c->collation);
	free(c->comment);
}

void schema_index_elem_release(struct schema_index_elem *e)
{
	free(e->column);
	free(e->expr);
	free(e->expr_sql);
	free(e->opclass);
	free(e->collation);
	free(e->op);
}

void schema_constraint_release(struct schema_constraint *c)
{
	free(c->name);
	schema_strlist_clear(&c->columns);
	schema_strlist_clear(&c->include);
	free(c->expr);
	free(c->expr_sql);
	for (size_t i = 0; i < c->nelems; i++)
		schema_index_elem_release(&c->elems[i]);
	free(c->elems);
	free(c->method);
	free(c->predicate);
	free(c->predicate_sql);
	free(c->ref_table);
	schema_strlist_clear(&c->ref_columns);
	free(c->comment);
	memset(c, 0, sizeof(*c));
}

static void table_free(void *obj)
{
	struct schema_table *t = obj;
	for (size_t i = 0; i < t->ncolumns; i++)
		column_release(&t->columns[i]);
	free(t->columns);
	free(t->column_slots);
	for (size_t i = 0; i < t->nchecks; i++) {
		free(t->checks[i].name);
		free(t->checks[i].column);
	}
	free(t->checks);
	for (size_t i = 0; i < t->nconstraints; i++)
		schema_constraint_release(&t->constraints[i]);
	free(t->constraints);
	free(t->partition_key);
	free(t->partition_of);
	free(t->partition_bound);
	schema_strlist_clear(&t->inherits);
	schema_strlist_clear(&t->options);
	schema_acl_clear(&t->acl);
	free(t->comment);
	free(t->schema);
	free(t->name);
	free(t);
}

static void index_free(void *obj)
{
	struct schema_index *ix = obj;
	free(ix->schema);
	free(ix->name);
	free(ix->table_key);
	free(ix->method);
	for (size_t i = 0; i < ix->nelems; i++)
		schema_index_elem_release(&ix->elems[i]);
	free(ix->elems);
	schema_strlist_clear(&ix->include);
	free(ix->predicate);
	free(ix->predicate_sql);
	schema_strlist_clear(&ix->options);
	free(ix->constraint);
	free(ix->comment);
	free(ix);
}

static void view_free(void *obj)
{
	struct schema_view *v = obj;
	free(v->schema);
	free(v->name);
	free(v->definition);
	free(v->definition_sql);
	schema_strlist_clear(&v->columns);
	schema_strlist_clear(&v->depends_on);
	schema_strlist_clear(&v->depends_on_columns);
	schema_strlist_clear(&v->options);
	schema_acl_clear(&v->acl);
	free(v->comment);
	free(v);
}

static void sequence_free(void *obj)
{
	struct schema_sequence *s = obj;
	free(s->schema);
	free(s->name);
	free(s->type);
	free(s->owned_table);
	free(s->owned_column);
	schema_acl_clear(&s->acl);
	free(s->comment);
	free(s);
}

static void type_free(void *obj)
{
	struct schema_type *t = obj;
	free(t->schema);
	free(t->name);
	schema_strlist_clear(&t->labels);
	free(t->base_type);
	free(t->default_expr);
	free(t->default_sql);
	free(t->collation);
	for (size_t i = 0; i < t->nconstraints; i++)
		schema_constraint_release(&t->constraints[i]);
	free(t->constraints);
	for (size_t i = 0; i < t->nattributes; i++)
		column_release(&t->attributes[i]);
	free(t->attributes);
	schema_acl_clear(&t->acl);
	free(t->comment);
	free(t);
}

static void function_free(void *obj)
{
	struct schema_function *f = obj;
	free(f->schema);
	free(f->name);
	free(f->identity_args);
	free(f->arguments);
	free(f->returns);
	free(f->language);
	schema_strlist_clear(&f->config);
	free(f->body);
	free(f->body_sql);
	schema_acl_clear(&f->acl);
	free(f->comment);
	free(f);
}

static void trigger_free(void *obj)
{
	struct schema_trigger *t = obj;
	free(t->name);
	free(t->table_key);
	schema_strlist_clear(&t->update_columns);
	free(t->when_expr);
	free(t->when_sql);
	free(t->old_table);
	free(t->new_table);
	free(t->function);
	schema_strlist_clear(&t->args);
	free(t->comment);
	free(t);
}

static void policy_free(void *obj)
{
	struct schema_policy *p = obj;
	free(p->name);
	free(p->table_key);
	free(p->command);
	schema_strlist_clear(&p->roles);
	free(p->using_expr);
	free(p->check_expr);
	free(p->using_sql);
	free(p->check_sql);
	free(p->comment);
	free(p);
}

static void extension_free(void *obj)
{
	struct schema_extension *e = obj;
	free(e->name);
	free(e->schema);
	free(e->version);
	free(e->comment);
	free(e);
}

static void collation_free(struct schema_collation *c)
{
	free(c->schema);
	free(c->name);
	free(c->provider);
	free(c->locale);
	free(c->lc_collate);
	free(c->lc_ctype);
	free(c->comment);
	free(c);
}

static void schema_free(void *obj)
{
	struct schema_schema *s = obj;
	free(s->name);
	schema_acl_clear(&s->acl);
	free(s->comment);
	free(s);
}

/* The objects the current migration created (or added columns to): what
 * schema_model_begin_migration() resets, without walking the whole model for each migration. */
void schema_mark_new(struct schema_model *m, enum schema_kind kind, void *obj)
{
	if (m->nfresh && m->fresh[m->nfresh - 1].obj == obj)
		return; /* the columns of one table, one after another */
	XGROW(m->fresh, m->nfresh + 1, m->fresh_cap);
	m->fresh[m->nfresh].kind = kind;
	m->fresh[m->nfresh].obj = obj;
	m->nfresh++;
}

/* An object is freed: it must not be reset later. */
static void forget(struct schema_model *m, const void *obj)
{
	for (size_t i = 0; i < m->nfresh;) {
		if (m->fresh[i].obj == obj)
			m->fresh[i] = m->fresh[--m->nfresh];
		else
			i++;
	}
}

void schema_index_bytable_add(struct schema_model *m, const char *table_key, const char *key)
{
	struct strmap *set = strmap_get(&m->index_bytable, table_key);
	if (!set) {
		set = xcalloc(1, sizeof(*set));
		strmap_put(&m->index_bytable, table_key, set);
	}
	strmap_put(set, key, (void *)1);
}

void schema_index_bytable_remove(struct schema_model *m, const char *table_key, const char *key)
{
	struct strmap *set = strmap_get(&m->index_bytable, table_key);
	if (!set)
		return;
	strmap_remove(set, key);
	if (!set->count) {
		strmap_remove(&m->index_bytable, table_key);
		strmap_release(set);
		free(set);
	}
}

void schema_index_bytable_rename(struct schema_model *m, const char *old_table_key, const char *new_table_key)
{
	struct strmap *set = strmap_remove(&m->index_bytable, old_table_key);
	if (!set)
		return;
	size_t it = 0;
	const char *key;
	while (strmap_next(set, &it, &key, NULL))
		schema_index_bytable_add(m, new_table_key, key);
	strmap_release(set);
	free(set);
}

/* ---- each kind: its defaults, where it is kept, how it is keyed ---- */

/* A new object as CREATE without options makes it. scope and name as schema_object_add()
 * takes them, the schema already chosen for the kinds that live in one. */
static void schema_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m, (void)scope;
	struct schema_schema *s = obj;
	s->name = xstrdup(name);
}

static void extension_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	struct schema_extension *e = obj;
	e->name = xstrdup(name);
	e->schema = xstrdup(schema_for_new(m, scope));
}

/* The caller sets the type's kind (enum, domain, composite). */
static void type_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_type *t = obj;
	t->schema = xstrdup(scope);
	t->name = xstrdup(name);
}

/* A bigint sequence; schema_sequence_set_type() makes another. */
static void sequence_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_sequence *s = obj;
	s->schema = xstrdup(scope);
	s->name = xstrdup(name);
	s->increment = 1;
	s->cache = 1;
	schema_sequence_set_type(s, "int8", 0, 0);
	s->start = s->min;
}

static void table_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_table *t = obj;
	t->schema = xstrdup(scope);
	t->name = xstrdup(name);
	t->kind = 'r';
	t->persistence = 'p';
}

/* schema_index_add() sets the table. */
static void index_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_index *ix = obj;
	ix->schema = xstrdup(scope);
	ix->name = xstrdup(name);
	ix->method = xstrdup("btree");
	ix->valid = 1;
}

static void view_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_view *v = obj;
	v->schema = xstrdup(scope);
	v->name = xstrdup(name);
	v->populated = 1;
}

/* schema_function_add() sets the argument types. */
static void function_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_function *f = obj;
	f->schema = xstrdup(scope);
	f->name = xstrdup(name);
	f->kind = 'f';
	f->volatility = 'v';
	f->parallel = 'u';
}

static void trigger_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_trigger *t = obj;
	t->name = xstrdup(name);
	t->table_key = xstrdup(scope);
	t->enabled = 'O';
}

static void policy_init(struct schema_model *m, void *obj, const char *scope, const char *name)
{
	(void)m;
	struct schema_policy *p = obj;
	p->name = xstrdup(name);
	p->table_key = xstrdup(scope);
	p->permissive = 1;
	p->command = xstrdup("ALL");
}

const struct schema_kind_info schema_kinds[SCHEMA_KIND_COUNT] = {
#define SCHEMA_KIND(id, member, map, kind_name, keyword, catalog, keyed, listed) \
	[SCHEMA_KIND_##id] = { kind_name, keyword, catalog, #map, SCHEMA_KEYED_##keyed, listed },
#define SCHEMA_PART(id, kind_name, keyword, catalog, keyed, listed) \
	[SCHEMA_KIND_##id] = { kind_name, keyword, catalog, NULL, SCHEMA_KEYED_##keyed, listed },
#include "schema/kinds.def"
#undef SCHEMA_KIND
#undef SCHEMA_PART
};

/* Where the part of a key before the name is in the object: the schema, or the table of a kind
 * keyed on a table; nowhere for kinds keyed by their name alone. */
#define NO_SCOPE SIZE_MAX
#define SCOPE_AT_BY_NAME(member) NO_SCOPE
#define SCOPE_AT_IN_SCHEMA(member) offsetof(struct schema_##member, schema)
#define SCOPE_AT_BY_SIGNATURE(member) offsetof(struct schema_##member, schema)
#define SCOPE_AT_ON_TABLE(member) offsetof(struct schema_##member, table_key)

/* What the generic functions below need of each kind that has a map. */
static const struct kind_ops {
	size_t map;               /* offsetof(struct schema_model, <map>) */
	size_t size;              /* sizeof(struct schema_<member>) */
	size_t scope_at, name_at; /* the key's parts in the object */
	void (*init)(struct schema_model *m, void *obj, const char *scope, const char *name);
	void (*free)(void *obj);  /* frees what the object owns and the object */
} kind_ops[SCHEMA_KIND_COUNT] = {
#define SCHEMA_KIND(id, member, map_, kind_name, keyword, catalog, keyed, listed)                               \
	[SCHEMA_KIND_##id] = { offsetof(struct schema_model, map_), sizeof(struct schema_##member),              \
			       SCOPE_AT_##keyed(member), offsetof(struct schema_##member, name), member##_init, \
			       member##_free },
#define SCHEMA_PART(id, kind_name, keyword, catalog, keyed, listed)
#include "schema/kinds.def"
#undef SCHEMA_KIND
#undef SCHEMA_PART
};

static const char *field(const void *obj, size_t at)
{
	return *(char *const *)((const char *)obj + at);
}

struct strmap *schema_objects(const struct schema_model *m, enum schema_kind kind)
{
	if ((unsigned)kind >= SCHEMA_KIND_COUNT || !schema_kinds[kind].map)
		return NULL;
	return (struct strmap *)((const char *)m + kind_ops[kind].map);
}

/* The key of an object in its map, from its own fields (malloc'd). */
static char *object_key(enum schema_kind kind, const void *obj)
{
	const struct kind_ops *k = &kind_ops[kind];
	if (schema_kinds[kind].keyed == SCHEMA_KEYED_BY_SIGNATURE) {
		const struct schema_function *f = obj;
		return xasprintf("%s.%s(%s)", f->schema, f->name, f->identity_args ? f->identity_args : "");
	}
	if (k->scope_at == NO_SCOPE)
		return xstrdup(field(obj, k->name_at));
	return xasprintf("%s.%s", field(obj, k->scope_at), field(obj, k->name_at));
}

/* Frees an object no map holds any more, with what the model keeps about it elsewhere. */
static void object_release(struct schema_model *m, enum schema_kind kind, void *obj)
{
	if (kind == SCHEMA_KIND_INDEX) {
		const struct schema_index *ix = obj;
		char key[KEY_MAX];
		schema_index_bytable_remove(m, ix->table_key, schema_key(key, sizeof(key), ix->schema, ix->name));
	}
	forget(m, obj); /* it must not be reset later */
	kind_ops[kind].free(obj);
}

/* Puts obj in its map in place of the object with its key. */
static void object_put(struct schema_model *m, enum schema_kind kind, void *obj)
{
	char *key = object_key(kind, obj);
	void *old = strmap_put(schema_objects(m, kind), key, obj);
	free(key);
	if (old)
		object_release(m, kind, old);
}

/* A new object of the kind, with its defaults, in no map yet. */
static void *object_new(struct schema_model *m, enum schema_kind kind, const char *scope, const char *name)
{
	void *obj = xcalloc(1, kind_ops[kind].size);
	enum schema_keyed keyed = schema_kinds[kind].keyed;
	if (keyed == SCHEMA_KEYED_IN_SCHEMA || keyed == SCHEMA_KEYED_BY_SIGNATURE)
		scope = schema_for_new(m, scope);
	kind_ops[kind].init(m, obj, scope, name);
	return obj;
}

void *schema_object_add(struct schema_model *m, enum schema_kind kind, const char *scope, const char *name)
{
	void *obj = object_new(m, kind, scope, name);
	object_put(m, kind, obj);
	return obj;
}

/* ---- the model ---- */

void schema_model_init(struct schema_model *m)
{
	memset(m, 0, sizeof(*m));
	schema_model_set_search_path(m, "\"$user\", public");
	/* every database has it; PostgreSQL 15 lets everyone use it but no longer create in it */
	struct schema_schema *pub = schema_object_add(m, SCHEMA_KIND_SCHEMA, NULL, "public");
	schema_acl_grant(&pub->acl, "PUBLIC", "USAGE", 0);
}

void schema_model_release(struct schema_model *m)
{
	for (enum schema_kind kind = 0; kind < SCHEMA_KIND_COUNT; kind++) {
		struct strmap *map = schema_objects(m, kind);
		size_t it = 0;
		void *obj;
		while (map && strmap_next(map, &it, NULL, &obj))
			kind_ops[kind].free(obj);
		if (map)
			strmap_release(map);
	}
	size_t it = 0;
	void *set;
	while (strmap_next(&m->index_bytable, &it, NULL, &set)) {
		strmap_release(set);
		free(set);
	}
	strmap_release(&m->index_bytable);
	it = 0;
	void *coll;
	while (strmap_next(&m->collations, &it, NULL, &coll))
		collation_free(coll);
	strmap_release(&m->collations);
	schema_strlist_clear(&m->search_path);
	free(m->user);
	free(m->source);
	free(m->fresh);
	memset(m, 0, sizeof(*m));
}

void schema_model_begin_migration(struct schema_model *m)
{
	for (size_t i = 0; i < m->nfresh; i++) {
		void *v = m->fresh[i].obj;
		switch (m->fresh[i].kind) {
		case SCHEMA_KIND_TABLE: {
			struct schema_table *t = v;
			t->created_in_migration = 0;
			for (size_t c = 0; c < t->ncolumns; c++)
				t->columns[c].added_in_migration = 0;
			break;
		}
		case SCHEMA_KIND_INDEX:
			((struct schema_index *)v)->created_in_migration = 0;
			break;
		case SCHEMA_KIND_VIEW:
			((struct schema_view *)v)->created_in_migration = 0;
			break;
		case SCHEMA_KIND_SEQUENCE:
			((struct schema_sequence *)v)->created_in_migration = 0;
			break;
		default:
			break;
		}
	}
	m->nfresh = 0;
	schema_model_set_search_path(m, "\"$user\", public");
}

void schema_model_set_search_path(struct schema_model *m, const char *value)
{
	schema_strlist_clear(&m->search_path);
	const char *p = value;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		char name[256];
		size_t n = 0;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				if (n + 1 < sizeof(name))
					name[n++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p && *p != ',' && *p != ' ' && *p != '\t'; p++)
				if (n + 1 < sizeof(name))
					name[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
		}
		name[n] = '\0';
		if (n)
			schema_strlist_add(&m->search_path, name);
	}
}

/* ---- finding and dropping objects of every kind ---- */

void *schema_object_get(const struct schema_model *m, enum schema_kind kind, const char *key)
{
	const struct strmap *map = schema_objects(m, kind);
	return map ? strmap_get(map, key) : NULL;
}

void *schema_object_find(const struct schema_model *m, enum schema_kind kind, const char *scope, const char *name)
{
	const struct strmap *map = schema_objects(m, kind);
	char key[KEY_MAX];
	if (!map || !name)
		return NULL;
	switch (schema_kinds[kind].keyed) {
	case SCHEMA_KEYED_BY_NAME:
		return strmap_get(map, name);
	case SCHEMA_KEYED_ON_TABLE:
		return scope ? strmap_get(map, schema_key(key, sizeof(key), scope, name)) : NULL;
	default:
		return find_in(m, map, scope, name);
	}
}

static void drop_relation_dependents(struct schema_model *m, const char *key);

static void drop_views_depending(struct schema_model *m, const char *key)
{
	for (;;) {
		size_t it = 0;
		void *v;
		const char *vkey = NULL, *found = NULL;
		while (!found && strmap_next(&m->views, &it, &vkey, &v))
			if (schema_strlist_find(&((struct schema_view *)v)->depends_on, key) >= 0)
				found = vkey;
		if (!found)
			return;
		char copy[KEY_MAX];
		snprintf(copy, sizeof(copy), "%s", found);
		object_release(m, SCHEMA_KIND_VIEW, strmap_remove(&m->views, copy));
		drop_relation_dependents(m, copy);
	}
}

/* Drops every object of the kind whose key starts with prefix (a table's triggers). */
static void drop_prefixed(struct schema_model *m, enum schema_kind kind, const char *prefix)
{
	struct strmap *map = schema_objects(m, kind);
	size_t n;
	const char **keys = schema_map_keys(map, &n);
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(keys[i], prefix, plen)) {
			char *k = xstrdup(keys[i]);
			object_release(m, kind, strmap_remove(map, k));
			free(k);
		}
	free(keys);
}

/* What goes with a relation: its indexes, triggers and policies, the sequences it owns, the
 * foreign keys that reference it and the views that read it (CASCADE; without it PostgreSQL
 * refuses the drop when such objects exist, so a migration that works had none). */
static void drop_relation_dependents(struct schema_model *m, const char *key)
{
	size_t n;
	const char **keys = schema_map_keys(&m->indexes, &n);
	for (size_t i = 0; i < n; i++) {
		struct schema_index *ix = strmap_get(&m->indexes, keys[i]);
		if (!strcmp(ix->table_key, key))
			object_release(m, SCHEMA_KIND_INDEX, strmap_remove(&m->indexes, keys[i]));
	}
	free(keys);
	keys = schema_map_keys(&m->sequences, &n);
	for (size_t i = 0; i < n; i++) {
		struct schema_sequence *s = strmap_get(&m->sequences, keys[i]);
		if (s->owned_table && !strcmp(s->owned_table, key))
			object_release(m, SCHEMA_KIND_SEQUENCE, strmap_remove(&m->sequences, keys[i]));
	}
	free(keys);
	char prefix[KEY_MAX];
	snprintf(prefix, sizeof(prefix), "%s.", key);
	drop_prefixed(m, SCHEMA_KIND_TRIGGER, prefix);
	drop_prefixed(m, SCHEMA_KIND_POLICY, prefix);
	size_t it = 0;
	void *v;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		for (size_t i = 0; i < t->nconstraints;) {
			struct schema_constraint *c = &t->constraints[i];
			if (c->type == SCHEMA_CON_FOREIGN && c->ref_table && !strcmp(c->ref_table, key))
				schema_constraint_drop(t, c->name);
			else
				i++;
		}
	}
	drop_views_depending(m, key);
}

/* A table goes with its relation's dependents and its partitions. */
static void drop_table_dependents(struct schema_model *m, const char *key)
{
	drop_relation_dependents(m, key);
	size_t n;
	const char **keys = schema_map_keys(&m->tables, &n);
	char **parts = xcalloc(n + 1, sizeof(char *));
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		struct schema_table *p = strmap_get(&m->tables, keys[i]);
		if (p->partition_of && !strcmp(p->partition_of, key))
			parts[np++] = xasprintf("%s", keys[i]);
	}
	free(keys);
	for (size_t i = 0; i < np; i++) {
		struct schema_table *p = strmap_get(&m->tables, parts[i]);
		if (p)
			schema_object_remove(m, SCHEMA_KIND_TABLE, p);
		free(parts[i]);
	}
	free(parts);
}

/* What PostgreSQL drops along with an object of the kind (keyed key), by kind; the other kinds
 * take nothing with them. */
static void (*const drop_dependents[SCHEMA_KIND_COUNT])(struct schema_model *m, const char *key) = {
	[SCHEMA_KIND_TABLE] = drop_table_dependents,
	[SCHEMA_KIND_VIEW] = drop_relation_dependents,
};

void schema_object_remove(struct schema_model *m, enum schema_kind kind, void *obj)
{
	char *key = object_key(kind, obj);
	void *gone = strmap_remove(schema_objects(m, kind), key);
	if (gone)
		object_release(m, kind, gone);
	if (gone && drop_dependents[kind])
		drop_dependents[kind](m, key);
	free(key);
}

void schema_object_drop(struct schema_model *m, enum schema_kind kind, const char *scope, const char *name)
{
	void *obj = schema_object_find(m, kind, scope, name);
	if (obj)
		schema_object_remove(m, kind, obj);
}

/* ---- columns ---- */

/* A table of fewer columns is searched column by column (most tables): the index pays from
 * here on. */
enum { COLUMN_INDEX_MIN = 32 };

static uint64_t column_hash(const char *name)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static void column_index_insert(struct schema_table *t, size_t pos)
{
	size_t mask = t->column_slots_cap - 1;
	size_t i = column_hash(t->columns[pos].name) & mask;
	while (t->column_slots[i])
		i = (i + 1) & mask;
	t->column_slots[i] = (uint32_t)pos + 1;
}

/* (Re)builds the index of t's columns, or drops it when t has few. */
static void column_index_build(struct schema_table *t)
{
	free(t->column_slots);
	t->column_slots = NULL;
	t->column_slots_cap = 0;
	if (t->ncolumns < COLUMN_INDEX_MIN)
		return;
	size_t cap = 64;
	while (cap < t->ncolumns * 2)
		cap *= 2;
	t->column_slots = xcalloc(cap, sizeof(*t->column_slots));
	t->column_slots_cap = cap;
	for (size_t i = 0; i < t->ncolumns; i++)
		column_index_insert(t, i);
}

struct schema_column *schema_column_find(const struct schema_table *t, const char *name)
{
	if (t->column_slots) {
		size_t mask = t->column_slots_cap - 1;
		for (size_t i = column_hash(name) & mask; t->column_slots[i]; i = (i + 1) & mask) {
			struct schema_column *c = &t->columns[t->column_slots[i] - 1];
			if (!strcmp(c->name, name))
				return c;
		}
		return NULL;
	}
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
	if (t->column_slots && t->ncolumns * 2 <= t->column_slots_cap)
		column_index_insert(t, t->ncolumns - 1);
	else if (t->ncolumns >= COLUMN_INDEX_MIN)
		column_index_build(t);
	return c;
}

void schema_column_drop(struct schema_table *t, const char *name)
{
	struct schema_column *c = schema_column_find(t, name);
	if (!c)
		return;
	column_release(c);
	size_t i = (size_t)(c - t->columns);
	memmove(&t->columns[i], &t->columns[i + 1], (t->ncolumns - i - 1) * sizeof(*c));
	t->ncolumns--;
	if (t->column_slots) /* the positions after it moved */
		column_index_build(t);
}

void schema_column_rename(struct schema_table *t, struct schema_column *c, const char *new_name)
{
	char *name = xstrdup(new_name);
	free(c->name);
	c->name = name;
	if (t->column_slots)
		column_index_build(t);
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

const char *schema_column_type_text(const struct schema_column *c, char *buf, size_t size)
{
	if (!c->type) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	int n = snprintf(buf, size, "%s%s%s", c->type_schema ? c->type_schema : "",
			 c->type_schema ? "." : "", c->type);
	if (c->nmods == 1)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d)", c->mods[0]);
	else if (c->nmods == 2)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d,%d)", c->mods[0],
			      c->mods[1]);
	for (int i = 0; i < c->array_dims && (size_t)n + 2 < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "[]");
	return buf;
}

/* ---- NOT NULL checks ---- */

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
			memmove(&t->checks[i], &t->checks[i + 1], (t->nchecks - i - 1) * sizeof(t->checks[0]));
			t->nchecks--;
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

/* ---- constraints ---- */

struct schema_constraint *schema_constraint_find(const struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->nconstraints; i++)
		if (!strcmp(t->constraints[i].name, name))
			return &t->constraints[i];
	return NULL;
}

struct schema_constraint *schema_constraint_add(struct schema_table *t, const char *name, char type)
{
	schema_constraint_drop(t, name);
	XGROW(t->constraints, t->nconstraints + 1, t->constraints_cap);
	struct schema_constraint *c = &t->constraints[t->nconstraints++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->type = type;
	c->validated = 1;
	c->on_update = c->on_delete = 'a';
	c->match = 's';
	return c;
}

void schema_constraint_drop(struct schema_table *t, const char *name)
{
	struct schema_constraint *c = schema_constraint_find(t, name);
	if (!c)
		return;
	schema_check_drop(t, name);
	size_t i = (size_t)(c - t->constraints);
	schema_constraint_release(c);
	memmove(&t->constraints[i], &t->constraints[i + 1], (t->nconstraints - i - 1) * sizeof(*c));
	t->nconstraints--;
}

const struct schema_constraint *schema_table_primary_key(const struct schema_table *t)
{
	for (size_t i = 0; i < t->nconstraints; i++)
		if (t->constraints[i].type == SCHEMA_CON_PRIMARY)
			return &t->constraints[i];
	return NULL;
}

/* ---- indexes ---- */

struct schema_index *schema_index_add(struct schema_model *m, const char *schema, const char *name,
				      const char *table_schema, const char *table_name)
{
	char key[KEY_MAX], tkey[KEY_MAX];
	/* An index lives in its table's schema. */
	const char *ts = table_schema && *table_schema ? table_schema : NULL;
	if (!ts) {
		const char *found = schema_resolve_relation(m, table_name);
		ts = found ? found : schema_creation_schema(m);
	}
	const char *s = schema && *schema ? schema : ts;
	struct schema_index *ix = object_new(m, SCHEMA_KIND_INDEX, s, name);
	ix->table_key = xstrdup(schema_key(tkey, sizeof(tkey), ts, table_name));
	object_put(m, SCHEMA_KIND_INDEX, ix);
	/* after: the index it replaced may have had the same key */
	schema_index_bytable_add(m, ix->table_key, schema_key(key, sizeof(key), s, name));
	return ix;
}

char *schema_index_elem_text(const struct schema_index_elem *e)
{
	char *base;
	if (e->column) {
		char q[300];
		base = xstrdup(ident_quote(e->column, q, sizeof(q)));
	} else {
		/* PostgreSQL wraps an expression element in parentheses unless it is a function call;
		 * always wrapping keeps the text unambiguous */
		base = xasprintf("(%s)", e->expr ? e->expr : "?");
	}
	char *out = xasprintf("%s%s%s%s%s%s%s%s%s", base, e->collation ? " COLLATE " : "",
			      e->collation ? e->collation : "", e->opclass ? " " : "",
			      e->opclass ? e->opclass : "", e->desc ? " DESC" : "",
			      e->nulls == 1 ? " NULLS FIRST" : e->nulls == 2 ? " NULLS LAST" : "",
			      e->op ? " WITH " : "", e->op ? e->op : "");
	free(base);
	return out;
}

/* ---- sequences ---- */

void schema_sequence_set_type(struct schema_sequence *s, const char *type, int keep_min, int keep_max)
{
	int64_t max = INT64_MAX;
	if (!strcmp(type, "int4"))
		max = INT32_MAX;
	else if (!strcmp(type, "int2"))
		max = INT16_MAX;
	free(s->type);
	s->type = xstrdup(type);
	/* an ascending sequence runs from 1 to the type's maximum, a descending one from the
	 * type's minimum to -1 */
	if (s->increment > 0) {
		if (!keep_min)
			s->min = 1;
		if (!keep_max)
			s->max = max;
	} else {
		if (!keep_min)
			s->min = -max - 1;
		if (!keep_max)
			s->max = -1;
	}
}

/* ---- functions ---- */

char *schema_function_signature(const char *name, const char *identity_args)
{
	return xasprintf("%s(%s)", name, identity_args ? identity_args : "");
}

static struct schema_function *any_overload(const struct schema_model *m, const char *schema,
					    const char *name)
{
	struct schema_function *best = NULL;
	size_t it = 0;
	void *v;
	while (strmap_next(&m->functions, &it, NULL, &v)) {
		struct schema_function *f = v;
		if (!strcmp(f->schema, schema) && !strcmp(f->name, name) &&
		    (!best || strcmp(f->identity_args, best->identity_args) < 0))
			best = f;
	}
	return best;
}

struct schema_function *schema_function_find_any(const struct schema_model *m, const char *schema,
						 const char *name)
{
	if (schema && *schema)
		return any_overload(m, schema, name);
	for (size_t i = 0; i < m->search_path.n; i++) {
		const char *s = path_schema(m, m->search_path.items[i]);
		struct schema_function *f = s ? any_overload(m, s, name) : NULL;
		if (f)
			return f;
	}
	return NULL;
}

static int volatility_rank(char v)
{
	return v == 'v' ? 3 : v == 's' ? 2 : v == 'i' ? 1 : 0;
}

char schema_function_volatility(const struct schema_model *m, const char *name)
{
	char schema[256] = "";
	const char *dot = strchr(name, '.');
	if (dot && (size_t)(dot - name) < sizeof(schema)) {
		snprintf(schema, sizeof(schema), "%.*s", (int)(dot - name), name);
		name = dot + 1;
	}
	for (size_t i = 0; i < (schema[0] ? 1 : m->search_path.n); i++) {
		const char *s = schema[0] ? schema : path_schema(m, m->search_path.items[i]);
		if (!s)
			continue;
		char worst = 0;
		size_t it = 0;
		void *v;
		while (strmap_next(&m->functions, &it, NULL, &v)) {
			const struct schema_function *f = v;
			if (f->kind == 'f' && !strcmp(f->schema, s) && !strcmp(f->name, name) &&
			    volatility_rank(f->volatility) > volatility_rank(worst))
				worst = f->volatility;
		}
		if (worst)
			return worst;
	}
	if (schema[0])
		return 0;
	/* callers that only have the bare name (a call as written, app.f() seen as f): any
	 * schema's function of that name */
	char worst = 0;
	size_t it = 0;
	void *v;
	while (strmap_next(&m->functions, &it, NULL, &v)) {
		const struct schema_function *f = v;
		if (f->kind == 'f' && !strcmp(f->name, name) && volatility_rank(f->volatility) > volatility_rank(worst))
			worst = f->volatility;
	}
	return worst;
}

struct schema_function *schema_function_add(struct schema_model *m, const char *schema,
					    const char *name, const char *identity_args)
{
	struct schema_function *f = object_new(m, SCHEMA_KIND_FUNCTION, schema, name);
	f->identity_args = xstrdup(identity_args ? identity_args : "");
	object_put(m, SCHEMA_KIND_FUNCTION, f);
	return f;
}

/* ---- schemas ---- */

static int key_in_schema(const char *key, const char *schema)
{
	size_t n = strlen(schema);
	return !strncmp(key, schema, n) && key[n] == '.';
}

void schema_drop_contents(struct schema_model *m, const char *schema)
{
	/* views first: what they read is still there to name them by */
	static const enum schema_kind kinds[] = { SCHEMA_KIND_VIEW, SCHEMA_KIND_TABLE, SCHEMA_KIND_SEQUENCE,
						  SCHEMA_KIND_TYPE, SCHEMA_KIND_FUNCTION };
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct strmap *map = schema_objects(m, kinds[k]);
		size_t n;
		const char **keys = schema_sorted_keys(map, &n);
		char **copy = xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			copy[i] = xstrdup(keys[i]);
		free(keys);
		for (size_t i = 0; i < n; i++) {
			void *obj = key_in_schema(copy[i], schema) ? strmap_get(map, copy[i]) : NULL;
			if (obj) /* else not in it, or gone with an earlier object */
				schema_object_remove(m, kinds[k], obj);
			free(copy[i]);
		}
		free(copy);
	}
}

/* ---- collations ---- */

struct schema_collation *schema_collation_find(const struct schema_model *m, const char *schema, const char *name)
{
	return find_in(m, &m->collations, schema, name);
}

struct schema_collation *schema_collation_add(struct schema_model *m, const char *schema, const char *name)
{
	char key[KEY_MAX];
	schema = schema_for_new(m, schema);
	schema_key(key, sizeof(key), schema, name);
	struct schema_collation *c = xcalloc(1, sizeof(*c));
	c->schema = xstrdup(schema);
	c->name = xstrdup(name);
	c->deterministic = 1;
	struct schema_collation *old = strmap_put(&m->collations, key, c);
	if (old)
		collation_free(old);
	return c;
}

void schema_collation_drop(struct schema_model *m, const char *schema, const char *name)
{
	struct schema_collation *c = schema_collation_find(m, schema, name);
	if (!c)
		return;
	char key[KEY_MAX];
	schema_key(key, sizeof(key), c->schema, c->name);
	collation_free(strmap_remove(&m->collations, key));
}

/* ---- references ---- */

static void replace_str(char **field, const char *old, const char *new_value)
{
	if (*field && !strcmp(*field, old)) {
		char *copy = xstrdup(new_value);
		free(*field);
		*field = copy;
	}
}

static void replace_in_list(struct schema_strlist *l, const char *old, const char *new_value)
{
	for (size_t i = 0; i < l->n; i++)
		replace_str(&l->items[i], old, new_value);
}

/* Re-keys the entries of map whose key starts with "old." (triggers and policies). */
static void rekey_prefixed(struct strmap *map, const char *old_key, const char *new_key,
			   size_t table_key_offset, size_t name_offset)
{
	char prefix[KEY_MAX];
	snprintf(prefix, sizeof(prefix), "%s.", old_key);
	size_t n;
	const char **keys = schema_sorted_keys(map, &n);
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(keys[i], prefix, plen))
			continue;
		char *k = xstrdup(keys[i]);
		char *obj = strmap_remove(map, k);
		char **tk = (char **)(obj + table_key_offset);
		const char *name = *(char **)(obj + name_offset);
		free(*tk);
		*tk = xstrdup(new_key);
		char nk[KEY_MAX];
		snprintf(nk, sizeof(nk), "%s.%s", new_key, name);
		strmap_put(map, nk, obj);
		free(k);
	}
	free(keys);
}

void schema_model_rename_relation_refs(struct schema_model *m, const char *old_key, const char *new_key)
{
	size_t it = 0;
	void *v;
	while (strmap_next(&m->indexes, &it, NULL, &v))
		replace_str(&((struct schema_index *)v)->table_key, old_key, new_key);
	schema_index_bytable_rename(m, old_key, new_key);
	it = 0;
	while (strmap_next(&m->sequences, &it, NULL, &v))
		replace_str(&((struct schema_sequence *)v)->owned_table, old_key, new_key);
	it = 0;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		for (size_t i = 0; i < t->nconstraints; i++)
			replace_str(&t->constraints[i].ref_table, old_key, new_key);
		replace_str(&t->partition_of, old_key, new_key);
		replace_in_list(&t->inherits, old_key, new_key);
	}
	it = 0;
	while (strmap_next(&m->views, &it, NULL, &v)) {
		struct schema_view *vw = v;
		replace_in_list(&vw->depends_on, old_key, new_key);
		schema_strlist_sort(&vw->depends_on);
	}
	rekey_prefixed(&m->triggers, old_key, new_key, offsetof(struct schema_trigger, table_key),
		       offsetof(struct schema_trigger, name));
	rekey_prefixed(&m->policies, old_key, new_key, offsetof(struct schema_policy, table_key),
		       offsetof(struct schema_policy, name));
}

static void rename_elems(struct schema_index_elem *e, size_t n, const char *old_name, const char *new_name)
{
	for (size_t i = 0; i < n; i++)
		replace_str(&e[i].column, old_name, new_name);
}

void schema_model_rename_column_refs(struct schema_model *m, const char *table_key, const char *old_name,
				     const char *new_name)
{
	size_t it = 0;
	void *v;
	while (strmap_next(&m->indexes, &it, NULL, &v)) {
		struct schema_index *ix = v;
		if (strcmp(ix->table_key, table_key))
			continue;
		rename_elems(ix->elems, ix->nelems, old_name, new_name);
		replace_in_list(&ix->include, old_name, new_name);
	}
	it = 0;
	while (strmap_next(&m->sequences, &it, NULL, &v)) {
		struct schema_sequence *s = v;
		if (s->owned_table && !strcmp(s->owned_table, table_key))
			replace_str(&s->owned_column, old_name, new_name);
	}
	it = 0;
	while (strmap_next(&m->triggers, &it, NULL, &v)) {
		struct schema_trigger *t = v;
		if (!strcmp(t->table_key, table_key))
			replace_in_list(&t->update_columns, old_name, new_name);
	}
	it = 0;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		char key[KEY_MAX];
		int same = !strcmp(schema_key(key, sizeof(key), t->schema, t->name), table_key);
		for (size_t i = 0; i < t->nconstraints; i++) {
			struct schema_constraint *c = &t->constraints[i];
			if (same) {
				replace_in_list(&c->columns, old_name, new_name);
				replace_in_list(&c->include, old_name, new_name);
				rename_elems(c->elems, c->nelems, old_name, new_name);
			}
			if (c->ref_table && !strcmp(c->ref_table, table_key))
				replace_in_list(&c->ref_columns, old_name, new_name);
		}
		if (same)
			for (size_t i = 0; i < t->nchecks; i++)
				replace_str(&t->checks[i].column, old_name, new_name);
	}
}

static int elems_use(const struct schema_index_elem *e, size_t n, const char *column)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].column && !strcmp(e[i].column, column))
			return 1;
	return 0;
}

void schema_model_drop_column_refs(struct schema_model *m, const char *table_key, const char *column)
{
	size_t n;
	const char **keys = schema_sorted_keys(&m->indexes, &n);
	for (size_t i = 0; i < n; i++) {
		struct schema_index *ix = strmap_get(&m->indexes, keys[i]);
		if (!strcmp(ix->table_key, table_key) &&
		    (elems_use(ix->elems, ix->nelems, column) || schema_strlist_find(&ix->include, column) >= 0))
			object_release(m, SCHEMA_KIND_INDEX, strmap_remove(&m->indexes, keys[i]));
	}
	free(keys);
	keys = schema_sorted_keys(&m->sequences, &n);
	for (size_t i = 0; i < n; i++) {
		struct schema_sequence *s = strmap_get(&m->sequences, keys[i]);
		if (s->owned_table && !strcmp(s->owned_table, table_key) && s->owned_column &&
		    !strcmp(s->owned_column, column))
			object_release(m, SCHEMA_KIND_SEQUENCE, strmap_remove(&m->sequences, keys[i]));
	}
	free(keys);
	size_t it = 0;
	void *v;
	while (strmap_next(&m->tables, &it, NULL, &v)) {
		struct schema_table *t = v;
		char key[KEY_MAX];
		int same = !strcmp(schema_key(key, sizeof(key), t->schema, t->name), table_key);
		for (size_t i = 0; i < t->nconstraints;) {
			struct schema_constraint *c = &t->constraints[i];
			int uses = (same && (schema_strlist_find(&c->columns, column) >= 0 ||
					     schema_strlist_find(&c->include, column) >= 0 ||
					     elems_use(c->elems, c->nelems, column))) ||
				   (c->ref_table && !strcmp(c->ref_table, table_key) &&
				    schema_strlist_find(&c->ref_columns, column) >= 0);
			if (uses)
				schema_constraint_drop(t, c->name);
			else
				i++;
		}
		/* a CHECK's columns are those it reads, so it went above; a mirror entry left
		 * without its constraint goes too */
		for (size_t i = 0; same && i < t->nchecks;) {
			if (!strcmp(t->checks[i].column, column)) {
				free(t->checks[i].name);
				free(t->checks[i].column);
				memmove(&t->checks[i], &t->checks[i + 1], (t->nchecks - i - 1) * sizeof(t->checks[0]));
				t->nchecks--;
			} else {
				i++;
			}
		}
	}
}

static int key_is_new(const struct schema_model *m, const char *key)
{
	const struct schema_table *t = strmap_get(&m->tables, key);
	if (t)
		return t->created_in_migration;
	const struct schema_view *v = strmap_get(&m->views, key);
	return v && v->created_in_migration;
}

int schema_relation_is_new(const struct schema_model *m, const char *schema, const char *name)
{
	if (!name || !*name)
		return 0;
	const struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
	if (t)
		return t->created_in_migration;
	const struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
	if (v)
		return v->created_in_migration;
	const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
	if (ix)
		return ix->created_in_migration || key_is_new(m, ix->table_key);
	const struct schema_sequence *s = schema_object_find(m, SCHEMA_KIND_SEQUENCE, schema, name);
	return s && s->created_in_migration;
}

const struct schema_stats *schema_relation_stats(const struct schema_model *m, const char *schema,
						 const char *name)
{
	const struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
	if (t)
		return t->stats.known ? &t->stats : NULL;
	const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
	if (ix)
		return ix->stats.known ? &ix->stats : NULL;
	const struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
	if (v)
		return v->stats.known ? &v->stats : NULL;
	return NULL;
}
