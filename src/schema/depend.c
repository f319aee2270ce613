/* Dependents of dropped objects, read off the model (see depend.h for what counts and why).
 *
 * A breadth-first walk: the targets first, then what depends on each, then what depends on
 * those. Each step scans the maps of the model it needs, so one DROP costs a few passes over the
 * model per object found; a model of 10,000 tables is scanned in well under a millisecond per
 * pass, and a DROP rarely finds more than a handful of dependents. */
#include "schema/depend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/norm.h"
#include "util/ident.h"
#include "util/xalloc.h"

enum { KEY_MAX = 400 };

struct walk {
	const struct schema_model *m;
	struct schema_dependents *out;
	struct strmap seen;  /* "kind key sub" of every target and dependent */
	struct strmap going; /* tables dropped whole: their parts are not listed */
	size_t first;        /* out->items[first..] are this call's */
};

/* ---- naming ---- */

char *schema_dep_describe(const struct schema_model *m, char kind, const char *key, const char *sub)
{
	switch (kind) {
	case SCHEMA_DEP_TABLE:
		return xasprintf("table %s", key);
	case SCHEMA_DEP_VIEW: {
		const struct schema_view *v = strmap_get(&m->views, key);
		return xasprintf("%s %s", v && v->materialized ? "materialized view" : "view", key);
	}
	case SCHEMA_DEP_COLUMN:
		return xasprintf("column %s of %s %s", sub, strmap_has(&m->types, key) ? "composite type" : "table", key);
	case SCHEMA_DEP_TYPE: {
		const struct schema_type *t = strmap_get(&m->types, key);
		return xasprintf("%s %s", t && t->kind == 'd' ? "domain" : "type", key);
	}
	case SCHEMA_DEP_FUNCTION: {
		const struct schema_function *f = strmap_get(&m->functions, key);
		return xasprintf("%s %s", f && f->kind == 'p' ? "procedure" : "function", key);
	}
	case SCHEMA_DEP_SCHEMA:
		return xasprintf("schema %s", key);
	case SCHEMA_DEP_SEQUENCE:
		return xasprintf("sequence %s", key);
	case SCHEMA_DEP_CONSTRAINT:
		return xasprintf("constraint %s on table %s", sub, key);
	case SCHEMA_DEP_TRIGGER:
		return xasprintf("trigger %s on table %s", sub, key);
	case SCHEMA_DEP_POLICY:
		return xasprintf("policy %s on table %s", sub, key);
	case SCHEMA_DEP_INDEX:
		return xasprintf("index %s", key);
	case SCHEMA_DEP_DEFAULT:
		return xasprintf("default value for column %s of table %s", sub, key);
	default:
		return xasprintf("%s", key);
	}
}

static void seen_key(char *buf, size_t size, char kind, const char *key, const char *sub)
{
	snprintf(buf, size, "%c %s %s", kind, key, sub ? sub : "");
}

/* Records a dependent of the object described as `on`, once. */
static void add(struct walk *w, char kind, const char *key, const char *sub, const char *on, int depth)
{
	char sk[KEY_MAX * 2];
	seen_key(sk, sizeof(sk), kind, key, sub);
	if (strmap_has(&w->seen, sk))
		return;
	strmap_put(&w->seen, sk, (void *)1);
	struct schema_dependents *d = w->out;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->items = xrealloc(d->items, d->cap * sizeof(d->items[0]));
	}
	struct schema_dependent *dep = &d->items[d->n++];
	dep->kind = kind;
	dep->key = xstrdup(key);
	dep->sub = sub ? xstrdup(sub) : NULL;
	dep->what = schema_dep_describe(w->m, kind, key, sub);
	dep->on = xstrdup(on);
	dep->depth = depth;
	if (kind == SCHEMA_DEP_TABLE)
		strmap_put(&w->going, key, (void *)1);
}

/* ---- reading the model's texts ---- */

/* "schema.name" as quote_ident() writes each part: how types and trigger functions are stored. */
static void quoted_key(const char *schema, const char *name, char *buf, size_t size)
{
	char qs[300], qn[300];
	snprintf(buf, size, "%s.%s", ident_quote(schema, qs, sizeof(qs)), ident_quote(name, qn, sizeof(qn)));
}

/* Whether a stored type text ("public.mood", "public.mood[]", "SETOF public.t") names the
 * type whose quoted key is qkey. */
static int type_text_is(const char *text, size_t len, const char *qkey)
{
	while (len && text[0] == ' ')
		text++, len--;
	if (len > 6 && !strncmp(text, "SETOF ", 6))
		text += 6, len -= 6;
	while (len > 2 && !strncmp(text + len - 2, "[]", 2))
		len -= 2;
	while (len && text[len - 1] == ' ')
		len--;
	return len == strlen(qkey) && !strncmp(text, qkey, len);
}

/* Whether a comma-separated list of stored types (a function's "int4, public.mood", or the
 * "TABLE(a int4, b public.t)" of its result, with names: named) holds the type. Commas inside
 * parentheses (numeric(10,2)) and quotes do not separate. */
static int type_list_has(const char *list, int named, const char *qkey)
{
	const char *start = list;
	int depth = 0, quoted = 0;
	for (const char *p = list;; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')')
			depth--;
		if (*p && (quoted || depth > 0 || *p != ','))
			continue;
		const char *item = start;
		while (*item == ' ')
			item++;
		if (named) { /* "name type": the type follows the first space outside quotes */
			int q = 0;
			const char *sp = item;
			for (; sp < p && (q || *sp != ' '); sp++)
				if (*sp == '"')
					q = !q;
			item = sp;
		}
		if (type_text_is(item, (size_t)(p - item), qkey))
			return 1;
		if (!*p)
			return 0;
		start = p + 1;
	}
}

static int function_uses_type(const struct schema_function *f, const char *qkey)
{
	if (f->identity_args && type_list_has(f->identity_args, 0, qkey))
		return 1;
	if (!f->returns)
		return 0;
	if (!strncmp(f->returns, "TABLE(", 6)) {
		size_t n = strlen(f->returns);
		char *inner = xasprintf("%.*s", (int)(n > 7 ? n - 7 : 0), f->returns + 6);
		int has = type_list_has(inner, 1, qkey);
		free(inner);
		return has;
	}
	return type_text_is(f->returns, strlen(f->returns), qkey);
}

/* Whether a relation named in an expression ("t" or "s.t") is the relation key. */
static int relation_is(const struct schema_model *m, const char *written, const char *key)
{
	const char *dot = strchr(written, '.');
	if (dot)
		return !strcmp(written, key);
	const char *schema = schema_resolve_relation(m, written);
	char k[KEY_MAX];
	return schema && !strcmp(schema_key(k, sizeof(k), schema, written), key);
}

static int text_reads_relation(const struct schema_model *m, const char *text, const char *key)
{
	if (!text)
		return 0;
	struct schema_strlist rels = { 0 };
	schema_text_refs(text, 0, NULL, &rels, NULL);
	int found = 0;
	for (size_t i = 0; i < rels.n && !found; i++)
		found = relation_is(m, rels.items[i], key);
	schema_strlist_clear(&rels);
	return found;
}

/* Whether an expression of table `table` (a policy's, a trigger's WHEN, a generated column's)
 * reads its column: written "col", "table.col", "new.col" or "old.col". */
static int text_reads_column(const char *text, int query, const char *table, const char *column)
{
	if (!text)
		return 0;
	struct schema_strlist cols = { 0 };
	schema_text_refs(text, query, NULL, NULL, &cols);
	int found = 0;
	for (size_t i = 0; i < cols.n && !found; i++) {
		const char *c = cols.items[i], *dot = strrchr(c, '.');
		if (!dot) {
			found = !strcmp(c, column);
		} else if (!strcmp(dot + 1, column)) {
			size_t ql = (size_t)(dot - c);
			found = (ql == 3 && (!strncmp(c, "new", 3) || !strncmp(c, "old", 3))) ||
				(ql == strlen(table) && !strncmp(c, table, ql));
		}
	}
	schema_strlist_clear(&cols);
	return found;
}

static int text_calls(const char *text, int query, const char *fname)
{
	if (!text)
		return 0;
	struct schema_strlist fns = { 0 };
	schema_text_refs(text, query, &fns, NULL, NULL);
	int found = schema_strlist_find(&fns, fname) >= 0;
	schema_strlist_clear(&fns);
	return found;
}

/* ---- what depends on one object ---- */

/* Columns, domains and functions of the type schema.name (a table's or view's row type, an
 * enum, a domain, a composite type). */
static void type_users(struct walk *w, const char *schema, const char *name, const char *on, int depth)
{
	const struct schema_model *m = w->m;
	char qkey[KEY_MAX];
	quoted_key(schema, name, qkey, sizeof(qkey));
	size_t n;
	const char **keys = schema_map_keys(&m->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *t = strmap_get(&m->tables, keys[i]);
		for (size_t c = 0; c < t->ncolumns; c++) {
			const struct schema_column *col = &t->columns[c];
			if (col->type && col->type_schema && !strcmp(col->type, name) && !strcmp(col->type_schema, schema))
				add(w, SCHEMA_DEP_COLUMN, keys[i], col->name, on, depth);
		}
	}
	free(keys);
	keys = schema_map_keys(&m->types, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_type *t = strmap_get(&m->types, keys[i]);
		if (t->kind == 'd' && t->base_type && type_text_is(t->base_type, strlen(t->base_type), qkey))
			add(w, SCHEMA_DEP_TYPE, keys[i], NULL, on, depth);
		for (size_t a = 0; t->kind == 'c' && a < t->nattributes; a++) {
			const struct schema_column *col = &t->attributes[a];
			if (col->type && col->type_schema && !strcmp(col->type, name) && !strcmp(col->type_schema, schema))
				add(w, SCHEMA_DEP_COLUMN, keys[i], col->name, on, depth);
		}
	}
	free(keys);
	keys = schema_map_keys(&m->functions, &n);
	for (size_t i = 0; i < n; i++)
		if (function_uses_type(strmap_get(&m->functions, keys[i]), qkey))
			add(w, SCHEMA_DEP_FUNCTION, keys[i], NULL, on, depth);
	free(keys);
}

static void relation_users(struct walk *w, const char *key, int is_table, const char *on, int depth)
{
	const struct schema_model *m = w->m;
	size_t n;
	const char **keys = schema_map_keys(&m->views, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_view *v = strmap_get(&m->views, keys[i]);
		if (strcmp(keys[i], key) && schema_strlist_find(&v->depends_on, key) >= 0)
			add(w, SCHEMA_DEP_VIEW, keys[i], NULL, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *t = strmap_get(&m->tables, keys[i]);
		if (!strcmp(keys[i], key))
			continue; /* its own foreign keys go with it */
		for (size_t c = 0; is_table && c < t->nconstraints; c++) {
			const struct schema_constraint *con = &t->constraints[c];
			if (con->type == SCHEMA_CON_FOREIGN && con->ref_table && !strcmp(con->ref_table, key))
				add(w, SCHEMA_DEP_CONSTRAINT, keys[i], con->name, on, depth);
		}
		if (is_table && !t->partition_of && schema_strlist_find(&t->inherits, key) >= 0)
			add(w, SCHEMA_DEP_TABLE, keys[i], NULL, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->policies, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_policy *p = strmap_get(&m->policies, keys[i]);
		if (strcmp(p->table_key, key) &&
		    (text_reads_relation(m, p->using_expr, key) || text_reads_relation(m, p->check_expr, key)))
			add(w, SCHEMA_DEP_POLICY, p->table_key, p->name, on, depth);
	}
	free(keys);
	const char *dot = strchr(key, '.');
	if (dot) {
		char schema[KEY_MAX];
		snprintf(schema, sizeof(schema), "%.*s", (int)(dot - key), key);
		type_users(w, schema, dot + 1, on, depth);
	}
}

/* The columns a foreign key references: its own list, or the referenced table's primary key. */
static int fkey_references(const struct schema_model *m, const struct schema_constraint *con, const char *key,
			   const char *column)
{
	if (con->type != SCHEMA_CON_FOREIGN || !con->ref_table || strcmp(con->ref_table, key))
		return 0;
	if (con->ref_columns.n)
		return schema_strlist_find(&con->ref_columns, column) >= 0;
	const struct schema_table *t = strmap_get(&m->tables, key);
	const struct schema_constraint *pk = t ? schema_table_primary_key(t) : NULL;
	return pk && schema_strlist_find(&pk->columns, column) >= 0;
}

static void column_users(struct walk *w, const char *key, const char *column, const char *on, int depth)
{
	const struct schema_model *m = w->m;
	char col_key[KEY_MAX * 2];
	snprintf(col_key, sizeof(col_key), "%s.%s", key, column);
	size_t n;
	const char **keys = schema_map_keys(&m->views, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_view *v = strmap_get(&m->views, keys[i]);
		if (schema_strlist_find(&v->depends_on_columns, col_key) >= 0)
			add(w, SCHEMA_DEP_VIEW, keys[i], NULL, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *t = strmap_get(&m->tables, keys[i]);
		for (size_t c = 0; c < t->nconstraints; c++)
			if (fkey_references(m, &t->constraints[c], key, column))
				add(w, SCHEMA_DEP_CONSTRAINT, keys[i], t->constraints[c].name, on, depth);
	}
	free(keys);
	const struct schema_table *t = strmap_get(&m->tables, key);
	if (!t)
		return;
	for (size_t c = 0; c < t->ncolumns; c++) {
		const struct schema_column *gen = &t->columns[c];
		if (gen->generated && strcmp(gen->name, column) && text_reads_column(gen->default_expr, 0, t->name, column))
			add(w, SCHEMA_DEP_COLUMN, key, gen->name, on, depth);
	}
	char prefix[KEY_MAX];
	snprintf(prefix, sizeof(prefix), "%s.", key);
	size_t plen = strlen(prefix);
	keys = schema_map_keys(&m->triggers, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_trigger *tr = strmap_get(&m->triggers, keys[i]);
		if (strncmp(keys[i], prefix, plen) || strcmp(tr->table_key, key))
			continue;
		if (schema_strlist_find(&tr->update_columns, column) >= 0 ||
		    text_reads_column(tr->when_expr, 0, t->name, column))
			add(w, SCHEMA_DEP_TRIGGER, key, tr->name, on, depth);
	}
	free(keys);
	/* a policy of another table reads the column in a subquery of the table */
	keys = schema_map_keys(&m->policies, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_policy *p = strmap_get(&m->policies, keys[i]);
		int own = !strcmp(p->table_key, key);
		const char *exprs[] = { p->using_expr, p->check_expr };
		for (size_t e = 0; e < 2; e++) {
			if (exprs[e] && (own || text_reads_relation(m, exprs[e], key)) &&
			    text_reads_column(exprs[e], 0, t->name, column)) {
				add(w, SCHEMA_DEP_POLICY, p->table_key, p->name, on, depth);
				break;
			}
		}
	}
	free(keys);
}

static int overloads(const struct schema_model *m, const char *schema, const char *name)
{
	int count = 0;
	size_t it = 0;
	void *v;
	while (strmap_next(&m->functions, &it, NULL, &v)) {
		const struct schema_function *f = v;
		count += !strcmp(f->schema, schema) && !strcmp(f->name, name);
	}
	return count;
}

static void function_users(struct walk *w, const char *key, const char *on, int depth)
{
	const struct schema_model *m = w->m;
	const struct schema_function *f = strmap_get(&m->functions, key);
	if (!f)
		return;
	char qname[KEY_MAX], called[KEY_MAX];
	quoted_key(f->schema, f->name, qname, sizeof(qname));
	schema_key(called, sizeof(called), f->schema, f->name);
	size_t n;
	const char **keys = schema_map_keys(&m->triggers, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_trigger *tr = strmap_get(&m->triggers, keys[i]);
		if (tr->function && !strcmp(tr->function, qname))
			add(w, SCHEMA_DEP_TRIGGER, tr->table_key, tr->name, on, depth);
	}
	free(keys);
	/* calls by name: only unambiguous when there is one overload */
	if (overloads(m, f->schema, f->name) != 1)
		return;
	keys = schema_map_keys(&m->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *t = strmap_get(&m->tables, keys[i]);
		for (size_t c = 0; c < t->ncolumns; c++)
			if (text_calls(t->columns[c].default_expr, 0, called))
				add(w, t->columns[c].generated ? SCHEMA_DEP_COLUMN : SCHEMA_DEP_DEFAULT, keys[i],
				    t->columns[c].name, on, depth);
		for (size_t c = 0; c < t->nconstraints; c++)
			if (t->constraints[c].type == SCHEMA_CON_CHECK && text_calls(t->constraints[c].expr, 0, called))
				add(w, SCHEMA_DEP_CONSTRAINT, keys[i], t->constraints[c].name, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->indexes, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_index *ix = strmap_get(&m->indexes, keys[i]);
		int uses = text_calls(ix->predicate, 0, called);
		for (size_t e = 0; e < ix->nelems && !uses; e++)
			uses = text_calls(ix->elems[e].expr, 0, called);
		if (uses)
			add(w, SCHEMA_DEP_INDEX, keys[i], NULL, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->views, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_view *v = strmap_get(&m->views, keys[i]);
		if (text_calls(v->definition, 1, called))
			add(w, SCHEMA_DEP_VIEW, keys[i], NULL, on, depth);
	}
	free(keys);
	keys = schema_map_keys(&m->policies, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_policy *p = strmap_get(&m->policies, keys[i]);
		if (text_calls(p->using_expr, 0, called) || text_calls(p->check_expr, 0, called))
			add(w, SCHEMA_DEP_POLICY, p->table_key, p->name, on, depth);
	}
	free(keys);
}

static int in_schema(const char *key, const char *schema)
{
	size_t n = strlen(schema);
	return !strncmp(key, schema, n) && key[n] == '.';
}

static void schema_members(struct walk *w, const char *name, const char *on, int depth)
{
	const struct schema_model *m = w->m;
	const struct strmap *maps[] = { &m->tables, &m->views, &m->sequences, &m->types, &m->functions };
	const char kinds[] = { SCHEMA_DEP_TABLE, SCHEMA_DEP_VIEW, SCHEMA_DEP_SEQUENCE, SCHEMA_DEP_TYPE,
			       SCHEMA_DEP_FUNCTION };
	for (size_t k = 0; k < sizeof(kinds); k++) {
		size_t n;
		const char **keys = schema_map_keys(maps[k], &n);
		for (size_t i = 0; i < n; i++) {
			if (!in_schema(keys[i], name))
				continue;
			if (kinds[k] == SCHEMA_DEP_SEQUENCE) {
				/* an owned sequence goes with its column's table */
				const struct schema_sequence *s = strmap_get(maps[k], keys[i]);
				if (s->owned_table)
					continue;
			}
			add(w, kinds[k], keys[i], NULL, on, depth);
		}
		free(keys);
	}
}

static void users_of(struct walk *w, char kind, const char *key, const char *sub, int depth)
{
	char *on = schema_dep_describe(w->m, kind, key, sub);
	switch (kind) {
	case SCHEMA_DEP_TABLE:
		relation_users(w, key, 1, on, depth);
		break;
	case SCHEMA_DEP_VIEW:
		relation_users(w, key, 0, on, depth);
		break;
	case SCHEMA_DEP_COLUMN:
		column_users(w, key, sub, on, depth);
		break;
	case SCHEMA_DEP_TYPE: {
		const char *dot = strchr(key, '.');
		if (dot) {
			char schema[KEY_MAX];
			snprintf(schema, sizeof(schema), "%.*s", (int)(dot - key), key);
			type_users(w, schema, dot + 1, on, depth);
		}
		break;
	}
	case SCHEMA_DEP_FUNCTION:
		function_users(w, key, on, depth);
		break;
	case SCHEMA_DEP_SCHEMA:
		schema_members(w, key, on, depth);
		break;
	default:
		break;
	}
	free(on);
}

/* The table a part (constraint, trigger, policy, column, default) belongs to, or NULL. */
static const char *owner_table(const struct schema_dependent *d)
{
	switch (d->kind) {
	case SCHEMA_DEP_CONSTRAINT:
	case SCHEMA_DEP_TRIGGER:
	case SCHEMA_DEP_POLICY:
	case SCHEMA_DEP_COLUMN:
	case SCHEMA_DEP_DEFAULT:
		return d->key;
	default:
		return NULL;
	}
}

static void dependent_release(struct schema_dependent *d)
{
	free(d->key);
	free(d->sub);
	free(d->what);
	free(d->on);
}

/* Kinds in the order messages list them: relations, then what lives in them, then code. */
static int kind_rank(char kind)
{
	static const char order[] = { SCHEMA_DEP_SCHEMA, SCHEMA_DEP_TABLE,	SCHEMA_DEP_VIEW,
				      SCHEMA_DEP_SEQUENCE, SCHEMA_DEP_TYPE,	SCHEMA_DEP_COLUMN,
				      SCHEMA_DEP_DEFAULT, SCHEMA_DEP_CONSTRAINT, SCHEMA_DEP_INDEX,
				      SCHEMA_DEP_TRIGGER, SCHEMA_DEP_POLICY,	SCHEMA_DEP_FUNCTION };
	for (size_t i = 0; i < sizeof(order); i++)
		if (order[i] == kind)
			return (int)i;
	return (int)sizeof(order);
}

static int cmp_dependent(const void *a, const void *b)
{
	const struct schema_dependent *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->kind != y->kind)
		return kind_rank(x->kind) < kind_rank(y->kind) ? -1 : 1;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return strcmp(x->sub ? x->sub : "", y->sub ? y->sub : "");
}

void schema_dependents(const struct schema_model *m, const struct schema_dep_object *targets, size_t ntargets,
		       struct schema_dependents *out)
{
	struct walk w = { .m = m, .out = out, .first = out->n };
	char sk[KEY_MAX * 2];
	for (size_t i = 0; i < ntargets; i++) {
		seen_key(sk, sizeof(sk), targets[i].kind, targets[i].key, targets[i].sub);
		strmap_put(&w.seen, sk, (void *)1);
		if (targets[i].kind == SCHEMA_DEP_TABLE)
			strmap_put(&w.going, targets[i].key, (void *)1);
	}
	for (size_t i = 0; i < ntargets; i++)
		users_of(&w, targets[i].kind, targets[i].key, targets[i].sub, 1);
	/* out grows while it is walked: each entry's users come after every entry before it */
	for (size_t i = w.first; i < out->n; i++) {
		char kind = out->items[i].kind;
		char *key = xstrdup(out->items[i].key), *sub = out->items[i].sub ? xstrdup(out->items[i].sub) : NULL;
		users_of(&w, kind, key, sub, out->items[i].depth + 1);
		free(key);
		free(sub);
	}
	/* the maps were walked in their own order: the result in a stable one, level by level */
	if (out->n > w.first) /* items is NULL when nothing was ever found */
		qsort(out->items + w.first, out->n - w.first, sizeof(*out->items), cmp_dependent);
	/* parts of tables that go whole are not dependents of their own */
	size_t keep = w.first;
	for (size_t i = w.first; i < out->n; i++) {
		const char *owner = owner_table(&out->items[i]);
		if (owner && strmap_has(&w.going, owner) && out->items[i].kind != SCHEMA_DEP_TABLE) {
			dependent_release(&out->items[i]);
			continue;
		}
		out->items[keep++] = out->items[i];
	}
	out->n = keep;
	strmap_release(&w.seen);
	strmap_release(&w.going);
}

void schema_dependents_release(struct schema_dependents *d)
{
	for (size_t i = 0; i < d->n; i++)
		dependent_release(&d->items[i]);
	free(d->items);
	memset(d, 0, sizeof(*d));
}
