/* Two models compared object by object through their canonical JSON: the JSON is what
 * `pgsieve schema dump` prints and what the round-trip tests prove equal across sources, so
 * comparing it is comparing exactly the fields that are schema, no more and no less. */
#include "diff/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema/json.h"
#include "util/strmap.h"
#include "util/xalloc.h"

static const char *const kind_names[DIFF_KIND_COUNT] = {
	[DIFF_SCHEMA] = "schema",	  [DIFF_EXTENSION] = "extension", [DIFF_COLLATION] = "collation",
	[DIFF_TYPE] = "type",
	[DIFF_SEQUENCE] = "sequence",	  [DIFF_TABLE] = "table",	  [DIFF_COLUMN] = "column",
	[DIFF_CONSTRAINT] = "constraint", [DIFF_INDEX] = "index",	  [DIFF_VIEW] = "view",
	[DIFF_FUNCTION] = "function",	  [DIFF_TRIGGER] = "trigger",	  [DIFF_POLICY] = "policy",
};

const char *diff_kind_name(enum diff_kind kind)
{
	return kind < DIFF_KIND_COUNT ? kind_names[kind] : "?";
}

const char *diff_item_kind_name(const struct diff_item *it)
{
	if (it->kind == DIFF_VIEW) {
		const struct schema_view *v = it->to ? it->to : it->from;
		if (v && v->materialized)
			return "materialized view";
	}
	if (it->kind == DIFF_TYPE) {
		const struct schema_type *t = it->to ? it->to : it->from;
		if (t && t->kind == 'd')
			return "domain";
	}
	return diff_kind_name(it->kind);
}

const char *diff_change_name(enum diff_change change)
{
	static const char *const names[] = { "added", "dropped", "changed", "renamed" };
	return change <= DIFF_RENAMED ? names[change] : "?";
}

/* ---- building the list ---- */

/* The state of one comparison: items are appended with the key they sort under (a column's
 * and a constraint's table, so that they stay in table order and columns in position order). */
struct builder {
	struct diff *d;
	struct strmap *renames; /* --rename: old key -> new key; NULL for none */
	char **group; /* parallel to d->items: the sort key */
	size_t group_cap;
};

static struct diff_item *add_item(struct builder *b, enum diff_kind kind, enum diff_change change,
				  const char *key, const char *old_key, const char *name, const char *group)
{
	struct diff *d = b->d;
	XGROW(d->items, d->n + 1, d->cap);
	XGROW(b->group, d->n + 1, b->group_cap);
	struct diff_item *it = &d->items[d->n];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->change = change;
	it->key = xstrdup(key);
	it->old_key = old_key && strcmp(old_key, key) ? xstrdup(old_key) : NULL;
	it->name = xstrdup(name ? name : key);
	b->group[d->n] = xstrdup(group ? group : key);
	d->n++;
	return it;
}

static int skipped(const char *k, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(k, *skip))
			return 1;
	return 0;
}

/* One "changed" item per attribute of ja and jb (objects) that differs; keys in skip are not
 * compared (they are objects of their own, or not schema). */
static void compare_attrs(struct builder *b, enum diff_kind kind, const char *key, const char *old_key,
			  const char *name, const char *group, json_t *ja, json_t *jb,
			  const char *const *skip, const void *from, const void *to,
			  const struct schema_table *ft, const struct schema_table *tt)
{
	const char *k;
	json_t *va;
	for (int side = 0; side < 2; side++) {
		json_t *first = side ? jb : ja, *other = side ? ja : jb;
		json_object_foreach (first, k, va) {
			if (skipped(k, skip) || (side && json_object_get(other, k)))
				continue; /* the second pass only adds keys the first side lacks */
			json_t *vb = json_object_get(other, k);
			if (vb ? json_equal(va, vb) : json_is_null(va))
				continue;
			struct diff_item *it = add_item(b, kind, DIFF_CHANGED, key, old_key, name, group);
			it->attribute = xstrdup(k);
			it->old_value = side ? json_null() : json_incref(va);
			it->new_value = side ? json_incref(va) : (vb ? json_incref(vb) : json_null());
			it->from = from;
			it->to = to;
			it->from_table = ft;
			it->to_table = tt;
		}
	}
}

static void add_whole(struct builder *b, enum diff_kind kind, enum diff_change change, const char *key,
		      const char *name, const char *group, json_t *value, const void *obj,
		      const struct schema_table *t)
{
	struct diff_item *it = add_item(b, kind, change, key, NULL, name, group);
	if (change == DIFF_ADDED) {
		it->new_value = value;
		it->to = obj;
		it->to_table = t;
	} else {
		it->old_value = value;
		it->from = obj;
		it->from_table = t;
	}
}

/* ---- a fast path: objects whose fields are all equal ----
 *
 * Building the JSON of every table and index of two 10,000-table models is most of a diff's
 * time, and nearly every object is equal. These compare the fields the JSON is made of, more
 * strictly than the JSON does (an ACL in another order, "NO ACTION" as 0 or 'a' count as
 * different): "same" here means the JSON is equal; "not same" means the JSON decides. Keep
 * them in step with schema/json.c: a field the JSON has and these do not compare would hide a
 * difference. */

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_list(const struct schema_strlist *a, const struct schema_strlist *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

static int same_acl(const struct schema_acl *a, const struct schema_acl *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i].grantee, b->items[i].grantee) || strcmp(a->items[i].privilege, b->items[i].privilege) ||
		    a->items[i].grantable != b->items[i].grantable)
			return 0;
	return 1;
}

static int same_column(const struct schema_column *a, const struct schema_column *b)
{
	if (!same_str(a->name, b->name) || !same_str(a->type, b->type) || !same_str(a->type_schema, b->type_schema) ||
	    a->nmods != b->nmods || a->array_dims != b->array_dims || a->not_null != b->not_null ||
	    !same_str(a->default_expr, b->default_expr) || a->identity != b->identity || a->generated != b->generated ||
	    !same_str(a->collation, b->collation) || !same_str(a->comment, b->comment))
		return 0;
	for (int i = 0; i < a->nmods && i < 2; i++)
		if (a->mods[i] != b->mods[i])
			return 0;
	return 1;
}

static int same_elems(const struct schema_index_elem *a, const struct schema_index_elem *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!same_str(a[i].column, b[i].column) || !same_str(a[i].expr, b[i].expr) ||
		    !same_str(a[i].opclass, b[i].opclass) || !same_str(a[i].collation, b[i].collation) ||
		    a[i].desc != b[i].desc || a[i].nulls != b[i].nulls || !same_str(a[i].op, b[i].op))
			return 0;
	return 1;
}

static int same_constraint(const struct schema_constraint *a, const struct schema_constraint *b)
{
	return same_str(a->name, b->name) && a->type == b->type && same_list(&a->columns, &b->columns) &&
	       same_list(&a->include, &b->include) && same_str(a->expr, b->expr) && a->nelems == b->nelems &&
	       same_elems(a->elems, b->elems, a->nelems) && same_str(a->method, b->method) &&
	       same_str(a->predicate, b->predicate) && same_str(a->ref_table, b->ref_table) &&
	       same_list(&a->ref_columns, &b->ref_columns) && a->on_update == b->on_update &&
	       a->on_delete == b->on_delete && a->match == b->match && a->deferrable == b->deferrable &&
	       a->deferred == b->deferred && a->validated == b->validated && a->no_inherit == b->no_inherit &&
	       a->nulls_not_distinct == b->nulls_not_distinct && same_str(a->comment, b->comment);
}

static int same_table(const struct schema_table *a, const struct schema_table *b)
{
	if (a->ncolumns != b->ncolumns || a->nconstraints != b->nconstraints || a->kind != b->kind ||
	    a->persistence != b->persistence || a->partial != b->partial || a->rls_enabled != b->rls_enabled ||
	    a->rls_forced != b->rls_forced || !same_str(a->partition_key, b->partition_key) ||
	    !same_str(a->partition_of, b->partition_of) || !same_str(a->partition_bound, b->partition_bound) ||
	    !same_list(&a->inherits, &b->inherits) || !same_list(&a->options, &b->options) ||
	    !same_acl(&a->acl, &b->acl) || !same_str(a->comment, b->comment))
		return 0;
	for (size_t i = 0; i < a->ncolumns; i++)
		if (!same_column(&a->columns[i], &b->columns[i]))
			return 0;
	for (size_t i = 0; i < a->nconstraints; i++)
		if (!same_constraint(&a->constraints[i], &b->constraints[i]))
			return 0;
	return 1;
}

static int same_index(const struct schema_index *a, const struct schema_index *b)
{
	return same_str(a->table_key, b->table_key) && same_str(a->method, b->method) && a->unique == b->unique &&
	       a->nulls_not_distinct == b->nulls_not_distinct && a->nelems == b->nelems &&
	       same_elems(a->elems, b->elems, a->nelems) && same_list(&a->include, &b->include) &&
	       same_str(a->predicate, b->predicate) && same_list(&a->options, &b->options) && a->valid == b->valid &&
	       same_str(a->constraint, b->constraint) && same_str(a->comment, b->comment);
}

/* ---- tables ---- */

/* "schema.table.name" */
static char *sub_key(const struct schema_table *t, const char *name)
{
	return xasprintf("%s.%s.%s", t->schema, t->name, name);
}

static char *table_key_of(const struct schema_table *t)
{
	return xasprintf("%s.%s", t->schema, t->name);
}

static const char *const table_skip[] = { "columns", "constraints", "partial", "stats", NULL };
static const char *const index_skip[] = { "stats", NULL };

/* Whether a constraint of ta and tb (by name: PostgreSQL keeps a constraint's name when a column
 * is renamed) has column old in ta where it has column new in tb. */
static int constraint_moved_column(const struct schema_table *ta, const struct schema_table *tb, const char *old,
				   const char *new)
{
	for (size_t i = 0; i < ta->nconstraints; i++) {
		const struct schema_constraint *ca = &ta->constraints[i];
		for (size_t j = 0; j < tb->nconstraints; j++) {
			const struct schema_constraint *cb = &tb->constraints[j];
			if (strcmp(ca->name, cb->name) || ca->columns.n != cb->columns.n)
				continue;
			for (size_t k = 0; k < ca->columns.n; k++)
				if (!strcmp(ca->columns.items[k], old) && !strcmp(cb->columns.items[k], new))
					return 1;
		}
	}
	return 0;
}

/* The columns of a table: JSON objects of ta and tb matched by name; a dropped and an added
 * column at the same position with the same type are a probable rename. */
static void compare_columns(struct builder *b, const struct schema_table *ta, const struct schema_table *tb,
			    json_t *ja, json_t *jb, const char *group)
{
	json_t *ca = json_object_get(ja, "columns"), *cb = json_object_get(jb, "columns");
	size_t na = json_array_size(ca), nb = json_array_size(cb);
	char *matched_b = xcalloc(nb + 1, 1);
	int *match_a = xmalloc((na + 1) * sizeof(int));
	for (size_t i = 0; i < na; i++) {
		match_a[i] = -1;
		const char *name = ta->columns[i].name;
		/* columns are usually at the same position in both: look there first */
		if (i < nb && !strcmp(tb->columns[i].name, name)) {
			match_a[i] = (int)i;
		} else {
			for (size_t j = 0; j < nb; j++)
				if (!strcmp(tb->columns[j].name, name)) {
					match_a[i] = (int)j;
					break;
				}
		}
		if (match_a[i] >= 0)
			matched_b[match_a[i]] = 1;
	}
	/* renames the user states, whatever the position and type */
	const char **evidence = xcalloc(na + 1, sizeof(*evidence));
	int *probable_b = xmalloc((nb + 1) * sizeof(int));
	for (size_t j = 0; j < nb; j++)
		probable_b[j] = -1;
	for (size_t i = 0; i < na && b->renames; i++) {
		if (match_a[i] >= 0)
			continue;
		char *k = sub_key(ta, ta->columns[i].name);
		char *want = strmap_get(b->renames, k);
		for (size_t j = 0; want && j < nb; j++) {
			char *kb = sub_key(tb, tb->columns[j].name);
			if (!matched_b[j] && !strcmp(kb, want)) {
				match_a[i] = (int)j;
				matched_b[j] = 2;
				evidence[i] = "--rename";
				free(strmap_remove(b->renames, k));
				want = NULL;
			}
			free(kb);
		}
		free(k);
	}
	/* same position, same type, the name only on one side each: a rename with evidence (the
	 * same comment), else only a probable one */
	for (size_t i = 0; i < na && i < nb; i++) {
		if (match_a[i] >= 0 || matched_b[i])
			continue;
		json_t *ta_type = json_object_get(json_array_get(ca, i), "type");
		json_t *tb_type = json_object_get(json_array_get(cb, i), "type");
		if (!ta_type || !tb_type || !json_equal(ta_type, tb_type))
			continue;
		if (constraint_moved_column(ta, tb, ta->columns[i].name, tb->columns[i].name)) {
			match_a[i] = (int)i;
			matched_b[i] = 2;
			evidence[i] = "the same type at the same position, and a constraint that kept its name names it";
		} else if (ta->columns[i].comment && tb->columns[i].comment &&
			   !strcmp(ta->columns[i].comment, tb->columns[i].comment)) {
			match_a[i] = (int)i;
			matched_b[i] = 2;
			evidence[i] = "the same type at the same position, and the same comment";
		} else {
			probable_b[i] = (int)i;
		}
	}
	for (size_t i = 0; i < na; i++) {
		json_t *col_a = json_array_get(ca, i);
		char *ka = sub_key(ta, ta->columns[i].name);
		if (match_a[i] < 0) {
			add_whole(b, DIFF_COLUMN, DIFF_DROPPED, ka, ta->columns[i].name, group, json_incref(col_a),
				  &ta->columns[i], ta);
			free(ka);
			continue;
		}
		size_t j = (size_t)match_a[i];
		char *kb = sub_key(tb, tb->columns[j].name);
		if (matched_b[j] == 2) {
			struct diff_item *it =
				add_item(b, DIFF_COLUMN, DIFF_RENAMED, kb, ka, tb->columns[j].name, group);
			it->evidence = xstrdup(evidence[i]);
			it->from = &ta->columns[i];
			it->to = &tb->columns[j];
			it->from_table = ta;
			it->to_table = tb;
		}
		static const char *const col_skip[] = { "name", NULL };
		compare_attrs(b, DIFF_COLUMN, kb, ka, tb->columns[j].name, group, col_a, json_array_get(cb, j),
			      col_skip, &ta->columns[i], &tb->columns[j], ta, tb);
		free(ka);
		free(kb);
	}
	for (size_t j = 0; j < nb; j++) {
		if (matched_b[j])
			continue;
		char *kb = sub_key(tb, tb->columns[j].name);
		add_whole(b, DIFF_COLUMN, DIFF_ADDED, kb, tb->columns[j].name, group,
			  json_incref(json_array_get(cb, j)), &tb->columns[j], tb);
		if (probable_b[j] >= 0) {
			struct diff_item *it = &b->d->items[b->d->n - 1];
			it->probable_rename_of = sub_key(ta, ta->columns[probable_b[j]].name);
			it->evidence = xstrdup("the same type at the same position");
		}
		free(kb);
	}
	free(matched_b);
	free(match_a);
	free(evidence);
	free(probable_b);
}

/* JSON equal but for the comment: the same definition under two names. */
static int same_definition(json_t *a, json_t *b)
{
	json_t *ca = json_deep_copy(a), *cb = json_deep_copy(b);
	json_object_del(ca, "comment");
	json_object_del(cb, "comment");
	int eq = json_equal(ca, cb);
	json_decref(ca);
	json_decref(cb);
	return eq;
}

static int cmp_constraint_name(const void *a, const void *b)
{
	return strcmp((*(const struct schema_constraint *const *)a)->name,
		      (*(const struct schema_constraint *const *)b)->name);
}

/* A table's constraints in name order: sources list them in different orders. */
static const struct schema_constraint **constraints_by_name(const struct schema_table *t)
{
	const struct schema_constraint **v = xmalloc((t->nconstraints + 1) * sizeof(*v));
	for (size_t i = 0; i < t->nconstraints; i++)
		v[i] = &t->constraints[i];
	qsort(v, t->nconstraints, sizeof(*v), cmp_constraint_name);
	return v;
}

static void compare_constraints(struct builder *b, const struct schema_table *ta, const struct schema_table *tb,
				json_t *ja, json_t *jb, const char *group)
{
	json_t *oa = json_object_get(ja, "constraints"), *ob = json_object_get(jb, "constraints");
	const struct schema_constraint **ca = constraints_by_name(ta), **cbs = constraints_by_name(tb);
	char *renamed_b = xcalloc(tb->nconstraints + 1, 1);
	for (size_t i = 0; i < ta->nconstraints; i++) {
		const struct schema_constraint *c = ca[i];
		json_t *va = json_object_get(oa, c->name);
		char *ka = sub_key(ta, c->name);
		const struct schema_constraint *cb = schema_constraint_find(tb, c->name);
		if (cb) {
			compare_attrs(b, DIFF_CONSTRAINT, ka, NULL, c->name, group, va,
				      json_object_get(ob, c->name), NULL, c, cb, ta, tb);
			free(ka);
			continue;
		}
		/* a constraint of tb with the same definition under a name ta does not have */
		size_t j = 0;
		for (; j < tb->nconstraints; j++)
			if (!renamed_b[j] && !schema_constraint_find(ta, cbs[j]->name) &&
			    same_definition(va, json_object_get(ob, cbs[j]->name)))
				break;
		if (j < tb->nconstraints) {
			const struct schema_constraint *nc = cbs[j];
			renamed_b[j] = 1;
			char *kb = sub_key(tb, nc->name);
			struct diff_item *it = add_item(b, DIFF_CONSTRAINT, DIFF_RENAMED, kb, ka, nc->name, group);
			it->evidence = xstrdup("the same definition");
			it->from = c;
			it->to = nc;
			it->from_table = ta;
			it->to_table = tb;
			compare_attrs(b, DIFF_CONSTRAINT, kb, ka, nc->name, group, va, json_object_get(ob, nc->name),
				      NULL, c, nc, ta, tb);
			free(kb);
		} else {
			add_whole(b, DIFF_CONSTRAINT, DIFF_DROPPED, ka, c->name, group, json_incref(va), c, ta);
		}
		free(ka);
	}
	for (size_t j = 0; j < tb->nconstraints; j++) {
		const struct schema_constraint *c = cbs[j];
		if (renamed_b[j] || schema_constraint_find(ta, c->name))
			continue;
		char *kb = sub_key(tb, c->name);
		add_whole(b, DIFF_CONSTRAINT, DIFF_ADDED, kb, c->name, group, json_incref(json_object_get(ob, c->name)),
			  c, tb);
		free(kb);
	}
	free(renamed_b);
	free(ca);
	free(cbs);
}

static void compare_table(struct builder *b, const struct schema_table *ta, const struct schema_table *tb,
			  json_t *ja, json_t *jb)
{
	char *ka = table_key_of(ta), *kb = table_key_of(tb);
	compare_attrs(b, DIFF_TABLE, kb, ka, tb->name, kb, ja, jb, table_skip, ta, tb, ta, tb);
	compare_columns(b, ta, tb, ja, jb, kb);
	compare_constraints(b, ta, tb, ja, jb, kb);
	free(ka);
	free(kb);
}

/* A table's rename signature: its schema and columns; tables without columns never match. */
static char *table_signature(const struct schema_table *t, json_t *j)
{
	if (!t->ncolumns)
		return NULL;
	char *cols = json_dumps(json_object_get(j, "columns"), JSON_COMPACT | JSON_SORT_KEYS);
	char *sig = xasprintf("%s\n%s", t->schema, cols);
	free(cols);
	return sig;
}

/* Evidence that tb is ta renamed, beyond the same columns: an index or a constraint of ta whose
 * name tb has (PostgreSQL renames neither with their table), or the same comment. NULL when
 * there is none; else the reason, in buf. */
static const char *table_trace(const struct builder *b, const struct schema_table *ta, const struct schema_table *tb,
			       char *buf, size_t size)
{
	for (size_t i = 0; i < ta->nconstraints; i++)
		for (size_t j = 0; j < tb->nconstraints; j++)
			if (!strcmp(ta->constraints[i].name, tb->constraints[j].name)) {
				snprintf(buf, size, "the constraint %s kept its name", tb->constraints[j].name);
				return buf;
			}
	char *ka = table_key_of(ta), *kb = table_key_of(tb);
	size_t it = 0;
	const char *key;
	void *v;
	const char *found = NULL;
	while (!found && strmap_next(&b->d->from->indexes, &it, &key, &v)) {
		const struct schema_index *ia = v, *ib = strmap_get(&b->d->to->indexes, key);
		if (!strcmp(ia->table_key, ka) && ib && !strcmp(ib->table_key, kb)) {
			snprintf(buf, size, "the index %s kept its name", key);
			found = buf;
		}
	}
	free(ka);
	free(kb);
	if (!found && ta->comment && tb->comment && !strcmp(ta->comment, tb->comment)) {
		snprintf(buf, size, "the same columns, and the same comment");
		found = buf;
	}
	return found;
}

/* The tables: the union of keys in order; dropped and added ones with the same signature are
 * probable renames. from_keys/to_keys map a table key of one model to the other's (renames)
 * for the comparison of indexes. */
static void compare_tables(struct builder *b, struct strmap *renamed_to)
{
	const struct schema_model *ma = b->d->from, *mb = b->d->to;
	size_t na, nb;
	const char **ka = schema_sorted_keys(&ma->tables, &na);
	const char **kb = schema_sorted_keys(&mb->tables, &nb);
	const struct schema_table **dropped = xmalloc((na + 1) * sizeof(*dropped));
	const struct schema_table **added = xmalloc((nb + 1) * sizeof(*added));
	size_t nd = 0, nad = 0, i = 0, j = 0;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(ka[i], kb[j]);
		if (c < 0) {
			dropped[nd++] = strmap_get(&ma->tables, ka[i++]);
		} else if (c > 0) {
			added[nad++] = strmap_get(&mb->tables, kb[j++]);
		} else {
			const struct schema_table *ta = strmap_get(&ma->tables, ka[i++]);
			const struct schema_table *tb = strmap_get(&mb->tables, kb[j++]);
			if (same_table(ta, tb))
				continue;
			json_t *ja = schema_table_json(ta, 0), *jb = schema_table_json(tb, 0);
			if (!json_equal(ja, jb))
				compare_table(b, ta, tb, ja, jb);
			json_decref(ja);
			json_decref(jb);
		}
	}
	/* renames: the added tables by signature, each matched once */
	struct strmap by_sig = STRMAP_INIT;
	json_t **added_json = xcalloc(nad + 1, sizeof(json_t *));
	size_t *next = xmalloc((nad + 1) * sizeof(size_t));
	char *used = xcalloc(nad + 1, 1);
	for (size_t k = nad; k-- > 0;) {
		added_json[k] = schema_table_json(added[k], 0);
		char *sig = table_signature(added[k], added_json[k]);
		next[k] = SIZE_MAX;
		if (sig) {
			void *prev = strmap_put(&by_sig, sig, (void *)(uintptr_t)(k + 1));
			if (prev)
				next[k] = (size_t)(uintptr_t)prev - 1;
		}
		free(sig);
	}
	/* the renames the user states come first, whatever the columns */
	size_t *stated = xmalloc((nd + 1) * sizeof(size_t));
	for (size_t k = 0; k < nd; k++) {
		stated[k] = SIZE_MAX;
		char *key_a = table_key_of(dropped[k]);
		const char *want = b->renames ? strmap_get(b->renames, key_a) : NULL;
		for (size_t m = 0; want && m < nad; m++) {
			char *key_b = table_key_of(added[m]);
			if (!used[m] && !strcmp(key_b, want)) {
				used[m] = 1;
				stated[k] = m;
				want = NULL;
			}
			free(key_b);
		}
		free(key_a);
	}
	size_t *probable = xmalloc((nad + 1) * sizeof(size_t)); /* added -> dropped */
	for (size_t m = 0; m < nad; m++)
		probable[m] = SIZE_MAX;
	for (size_t k = 0; k < nd; k++) {
		const struct schema_table *ta = dropped[k];
		json_t *ja = schema_table_json(ta, 0);
		char *sig = table_signature(ta, ja);
		char *key_a = table_key_of(ta);
		size_t m = stated[k];
		const char *why = "--rename";
		char trace[800];
		if (m == SIZE_MAX) {
			void *first = sig ? strmap_get(&by_sig, sig) : NULL;
			m = first ? (size_t)(uintptr_t)first - 1 : SIZE_MAX;
			while (m != SIZE_MAX && used[m])
				m = next[m];
			why = m != SIZE_MAX ? table_trace(b, ta, added[m], trace, sizeof(trace)) : NULL;
			if (m != SIZE_MAX && !why) {
				probable[m] = k;
				m = SIZE_MAX;
			}
			/* whatever the columns: an index or constraint of the old table whose name a new
			 * table of the schema has (PostgreSQL renames neither with the table; created
			 * afresh, the name would collide with the old one's) */
			for (size_t x = 0; m == SIZE_MAX && x < nad; x++) {
				if (used[x] || probable[x] != SIZE_MAX || strcmp(added[x]->schema, ta->schema))
					continue;
				why = table_trace(b, ta, added[x], trace, sizeof(trace));
				if (why && strcmp(why, "the same columns, and the same comment"))
					m = x;
				else
					why = NULL;
			}
			/* moved to another schema: the same name and the same columns */
			for (size_t x = 0; m == SIZE_MAX && x < nad; x++) {
				if (used[x] || probable[x] != SIZE_MAX || strcmp(added[x]->name, ta->name) ||
				    !added[x]->ncolumns ||
				    !json_equal(json_object_get(ja, "columns"), json_object_get(added_json[x], "columns")))
					continue;
				m = x;
				why = "the same name and columns, in another schema";
			}
		} else {
			free(strmap_remove(b->renames, key_a));
		}
		if (m != SIZE_MAX) {
			used[m] = 1;
			const struct schema_table *tb = added[m];
			char *key_b = table_key_of(tb);
			struct diff_item *it = add_item(b, DIFF_TABLE, DIFF_RENAMED, key_b, key_a, tb->name, key_b);
			it->evidence = xstrdup(why);
			it->from = ta;
			it->to = tb;
			it->from_table = ta;
			it->to_table = tb;
			compare_table(b, ta, tb, ja, added_json[m]);
			strmap_put(renamed_to, key_a, xstrdup(key_b));
			free(key_b);
			json_decref(ja);
		} else {
			add_whole(b, DIFF_TABLE, DIFF_DROPPED, key_a, ta->name, key_a, ja, ta, ta);
		}
		free(key_a);
		free(sig);
	}
	for (size_t k = 0; k < nad; k++) {
		if (used[k]) {
			json_decref(added_json[k]);
			continue;
		}
		char *key_b = table_key_of(added[k]);
		add_whole(b, DIFF_TABLE, DIFF_ADDED, key_b, added[k]->name, key_b, added_json[k], added[k], added[k]);
		if (probable[k] != SIZE_MAX) {
			struct diff_item *it = &b->d->items[b->d->n - 1];
			it->probable_rename_of = table_key_of(dropped[probable[k]]);
			it->evidence = xstrdup("the same columns");
		}
		free(key_b);
	}
	free(stated);
	free(probable);
	strmap_release(&by_sig);
	free(added_json);
	free(next);
	free(used);
	free(dropped);
	free(added);
	free(ka);
	free(kb);
}

/* ---- the other kinds: one JSON per object ---- */

typedef json_t *(*object_json_fn)(const void *obj);

static json_t *json_of_schema(const void *o) { return schema_schema_json(o); }
static json_t *json_of_extension(const void *o) { return schema_extension_json(o, 0); }
static json_t *json_of_collation(const void *o) { return schema_collation_json(o); }
static json_t *json_of_type(const void *o) { return schema_type_json(o); }
static json_t *json_of_sequence(const void *o) { return schema_sequence_json(o, 0); }
static json_t *json_of_view(const void *o) { return schema_view_json(o, 0); }
static json_t *json_of_function(const void *o) { return schema_function_json(o); }
static json_t *json_of_trigger(const void *o) { return schema_trigger_json(o); }
static json_t *json_of_policy(const void *o) { return schema_policy_json(o); }

/* The name an object has of its own, for messages: what follows the last dot of its key but for
 * functions (whose key has argument types with dots) and extensions and schemas (no dots). */
static const char *own_name(enum diff_kind kind, const void *obj, const char *key)
{
	switch (kind) {
	case DIFF_COLLATION: return ((const struct schema_collation *)obj)->name;
	case DIFF_TYPE: return ((const struct schema_type *)obj)->name;
	case DIFF_SEQUENCE: return ((const struct schema_sequence *)obj)->name;
	case DIFF_VIEW: return ((const struct schema_view *)obj)->name;
	case DIFF_FUNCTION: return ((const struct schema_function *)obj)->name;
	case DIFF_TRIGGER: return ((const struct schema_trigger *)obj)->name;
	case DIFF_POLICY: return ((const struct schema_policy *)obj)->name;
	case DIFF_INDEX: return ((const struct schema_index *)obj)->name;
	default: return key;
	}
}

static void compare_map(struct builder *b, enum diff_kind kind, const struct strmap *a, const struct strmap *bm,
			object_json_fn fn)
{
	size_t na, nb, i = 0, j = 0;
	const char **ka = schema_sorted_keys(a, &na);
	const char **kb = schema_sorted_keys(bm, &nb);
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(ka[i], kb[j]);
		if (c < 0) {
			const void *o = strmap_get(a, ka[i]);
			add_whole(b, kind, DIFF_DROPPED, ka[i], own_name(kind, o, ka[i]), NULL, fn(o), o, NULL);
			i++;
		} else if (c > 0) {
			const void *o = strmap_get(bm, kb[j]);
			add_whole(b, kind, DIFF_ADDED, kb[j], own_name(kind, o, kb[j]), NULL, fn(o), o, NULL);
			j++;
		} else {
			const void *oa = strmap_get(a, ka[i]), *ob = strmap_get(bm, kb[j]);
			json_t *ja = fn(oa), *jb = fn(ob);
			if (!json_equal(ja, jb))
				compare_attrs(b, kind, ka[i], NULL, own_name(kind, ob, ka[i]), NULL, ja, jb, NULL, oa, ob,
					      NULL, NULL);
			json_decref(ja);
			json_decref(jb);
			i++;
			j++;
		}
	}
	free(ka);
	free(kb);
}

/* An index's rename signature: its table (as named in `to`) and its definition. */
static char *index_signature(const struct schema_index *ix, const struct strmap *renamed_to)
{
	json_t *j = schema_index_json(ix, 0);
	json_object_del(j, "comment");
	const char *table = strmap_get(renamed_to, ix->table_key);
	json_object_set_new(j, "table", json_string(table ? table : ix->table_key));
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	/* an index moves with its table to another schema */
	int schema_len = table ? (int)strcspn(table, ".") : (int)strlen(ix->schema);
	char *sig = xasprintf("%.*s\n%s", schema_len, table ? table : ix->schema, s);
	free(s);
	return sig;
}

/* Indexes that implement a constraint are the constraint's. */
static void compare_indexes(struct builder *b, const struct strmap *renamed_to)
{
	const struct schema_model *ma = b->d->from, *mb = b->d->to;
	size_t na, nb, i = 0, j = 0;
	const char **ka = schema_sorted_keys(&ma->indexes, &na);
	const char **kb = schema_sorted_keys(&mb->indexes, &nb);
	const struct schema_index **dropped = xmalloc((na + 1) * sizeof(*dropped));
	const struct schema_index **added = xmalloc((nb + 1) * sizeof(*added));
	size_t nd = 0, nad = 0;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(ka[i], kb[j]);
		const struct schema_index *xa = c <= 0 ? strmap_get(&ma->indexes, ka[i]) : NULL;
		const struct schema_index *xb = c >= 0 ? strmap_get(&mb->indexes, kb[j]) : NULL;
		i += c <= 0;
		j += c >= 0;
		if (xa && xa->constraint)
			xa = NULL;
		if (xb && xb->constraint)
			xb = NULL;
		if (xa && !xb) {
			dropped[nd++] = xa;
		} else if (xb && !xa) {
			added[nad++] = xb;
		} else if (xa && xb && !same_index(xa, xb)) {
			json_t *ja = schema_index_json(xa, 0), *jb = schema_index_json(xb, 0);
			const char *mapped = strmap_get(renamed_to, xa->table_key);
			if (mapped) /* the table's rename is not the index's change */
				json_object_set_new(ja, "table", json_string(mapped));
			if (!json_equal(ja, jb))
				compare_attrs(b, DIFF_INDEX, kb[j - 1], NULL, xb->name, NULL, ja, jb, index_skip, xa, xb,
					      NULL, NULL);
			json_decref(ja);
			json_decref(jb);
		}
	}
	struct strmap by_sig = STRMAP_INIT;
	size_t *next = xmalloc((nad + 1) * sizeof(size_t));
	char *used = xcalloc(nad + 1, 1);
	for (size_t k = nad; k-- > 0;) {
		char *sig = index_signature(added[k], &(struct strmap)STRMAP_INIT);
		void *prev = strmap_put(&by_sig, sig, (void *)(uintptr_t)(k + 1));
		next[k] = prev ? (size_t)(uintptr_t)prev - 1 : SIZE_MAX;
		free(sig);
	}
	for (size_t k = 0; k < nd; k++) {
		char *sig = index_signature(dropped[k], renamed_to);
		void *first = strmap_get(&by_sig, sig);
		size_t m = first ? (size_t)(uintptr_t)first - 1 : SIZE_MAX;
		while (m != SIZE_MAX && used[m])
			m = next[m];
		char *key_a = xasprintf("%s.%s", dropped[k]->schema, dropped[k]->name);
		if (m != SIZE_MAX) {
			used[m] = 1;
			char *key_b = xasprintf("%s.%s", added[m]->schema, added[m]->name);
			struct diff_item *it = add_item(b, DIFF_INDEX, DIFF_RENAMED, key_b, key_a, added[m]->name, NULL);
			it->evidence = xstrdup("the same definition");
			it->from = dropped[k];
			it->to = added[m];
			json_t *ja = schema_index_json(dropped[k], 0), *jb = schema_index_json(added[m], 0);
			json_object_set(ja, "table", json_object_get(jb, "table"));
			compare_attrs(b, DIFF_INDEX, key_b, key_a, added[m]->name, NULL, ja, jb, index_skip,
				      dropped[k], added[m], NULL, NULL);
			json_decref(ja);
			json_decref(jb);
			free(key_b);
		} else {
			add_whole(b, DIFF_INDEX, DIFF_DROPPED, key_a, dropped[k]->name, NULL,
				  schema_index_json(dropped[k], 0), dropped[k], NULL);
		}
		free(key_a);
		free(sig);
	}
	for (size_t k = 0; k < nad; k++) {
		if (used[k])
			continue;
		char *key_b = xasprintf("%s.%s", added[k]->schema, added[k]->name);
		add_whole(b, DIFF_INDEX, DIFF_ADDED, key_b, added[k]->name, NULL, schema_index_json(added[k], 0),
			  added[k], NULL);
		free(key_b);
	}
	strmap_release(&by_sig);
	free(next);
	free(used);
	free(dropped);
	free(added);
	free(ka);
	free(kb);
}

/* ---- ordering ---- */

struct sort_entry {
	struct diff_item item;
	const char *group;
	size_t seq;
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct sort_entry *a = pa, *b = pb;
	/* columns and constraints sort with their table, right after the table's own items */
	enum diff_kind ka = a->item.kind == DIFF_COLUMN || a->item.kind == DIFF_CONSTRAINT ? DIFF_TABLE : a->item.kind;
	enum diff_kind kb = b->item.kind == DIFF_COLUMN || b->item.kind == DIFF_CONSTRAINT ? DIFF_TABLE : b->item.kind;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	int c = strcmp(a->group, b->group);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diff_models(struct diff *d, const struct schema_model *from, const struct schema_model *to)
{
	diff_models_renaming(d, from, to, NULL);
}

void diff_models_renaming(struct diff *d, const struct schema_model *from, const struct schema_model *to,
			  struct strmap *renames)
{
	memset(d, 0, sizeof(*d));
	d->from = from;
	d->to = to;
	struct builder b = { d, renames, NULL, 0 };
	struct strmap renamed_to = STRMAP_INIT; /* table key in from -> key in to */
	compare_map(&b, DIFF_SCHEMA, &from->schemas, &to->schemas, json_of_schema);
	compare_map(&b, DIFF_EXTENSION, &from->extensions, &to->extensions, json_of_extension);
	compare_map(&b, DIFF_COLLATION, &from->collations, &to->collations, json_of_collation);
	compare_map(&b, DIFF_TYPE, &from->types, &to->types, json_of_type);
	compare_map(&b, DIFF_SEQUENCE, &from->sequences, &to->sequences, json_of_sequence);
	compare_tables(&b, &renamed_to);
	compare_indexes(&b, &renamed_to);
	compare_map(&b, DIFF_VIEW, &from->views, &to->views, json_of_view);
	compare_map(&b, DIFF_FUNCTION, &from->functions, &to->functions, json_of_function);
	compare_map(&b, DIFF_TRIGGER, &from->triggers, &to->triggers, json_of_trigger);
	compare_map(&b, DIFF_POLICY, &from->policies, &to->policies, json_of_policy);

	struct sort_entry *e = xmalloc((d->n + 1) * sizeof(*e));
	for (size_t i = 0; i < d->n; i++) {
		e[i].item = d->items[i];
		e[i].group = b.group[i];
		e[i].seq = i;
	}
	qsort(e, d->n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < d->n; i++) {
		d->items[i] = e[i].item;
		free(b.group[i]);
	}
	free(e);
	free(b.group);
	size_t it = 0;
	void *v;
	while (strmap_next(&renamed_to, &it, NULL, &v))
		free(v);
	strmap_release(&renamed_to);
}

void diff_item_release(struct diff_item *it)
{
	free(it->key);
	free(it->old_key);
	free(it->name);
	free(it->attribute);
	free(it->evidence);
	free(it->probable_rename_of);
	json_decref(it->old_value);
	json_decref(it->new_value);
}

void diff_release(struct diff *d)
{
	for (size_t i = 0; i < d->n; i++)
		diff_item_release(&d->items[i]);
	free(d->items);
	memset(d, 0, sizeof(*d));
}

/* ---- output ---- */

json_t *diff_json(const struct diff *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		json_t *j = json_object();
		json_object_set_new(j, "kind", json_string(diff_item_kind_name(it)));
		json_object_set_new(j, "key", json_string(it->key));
		json_object_set_new(j, "change", json_string(diff_change_name(it->change)));
		if (it->old_key)
			json_object_set_new(j, "old_key", json_string(it->old_key));
		if (it->attribute)
			json_object_set_new(j, "attribute", json_string(it->attribute));
		if (it->probable_rename_of)
			json_object_set_new(j, "probable_rename_of", json_string(it->probable_rename_of));
		if (it->evidence)
			json_object_set_new(j, "evidence", json_string(it->evidence));
		if (it->old_value)
			json_object_set(j, "from", it->old_value);
		if (it->new_value)
			json_object_set(j, "to", it->new_value);
		json_array_append_new(arr, j);
	}
	return arr;
}

/* A value for a line of text: strings as they are, the rest as compact JSON. */
static char *value_text(json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("none");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : xstrdup("?");
}

static void print_item(FILE *out, const struct diff_item *it, int indent)
{
	const char *kind = diff_item_kind_name(it);
	const char *label = indent ? it->name : it->key;
	fprintf(out, "%*s", indent, "");
	switch (it->change) {
	case DIFF_ADDED:
		fprintf(out, "+ %s %s", kind, label);
		if (it->kind == DIFF_COLUMN) {
			char buf[400];
			const struct schema_column *c = it->to;
			fprintf(out, " %s%s", schema_column_type_text(c, buf, sizeof(buf)), c->not_null ? " NOT NULL" : "");
		}
		if (it->probable_rename_of)
			fprintf(out, " (only in --to; probable rename of %s: %s; not renamed without "
				"--rename %s=%s)\n", it->probable_rename_of, it->evidence, it->probable_rename_of, it->key);
		else
			fputs(" (only in --to)\n", out);
		break;
	case DIFF_DROPPED:
		fprintf(out, "- %s %s (only in --from)\n", kind, label);
		break;
	case DIFF_RENAMED: {
		const char *old = it->old_key;
		if (indent && it->old_key && strrchr(it->old_key, '.'))
			old = strrchr(it->old_key, '.') + 1;
		fprintf(out, "> %s %s renamed to %s (%s)\n", kind, old, label,
			it->evidence ? it->evidence : "the same definition");
		break;
	}
	case DIFF_CHANGED: {
		char *a = value_text(it->old_value), *b = value_text(it->new_value);
		fprintf(out, "~ %s %s: %s: %s -> %s\n", kind, label, it->attribute, a, b);
		free(a);
		free(b);
		break;
	}
	}
}

void diff_print_text(FILE *out, const struct diff *d)
{
	const char *table = NULL; /* the table whose columns and constraints are being listed */
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		if (it->kind == DIFF_COLUMN || it->kind == DIFF_CONSTRAINT) {
			const struct schema_table *t = it->to_table ? it->to_table : it->from_table;
			char *tk = table_key_of(t);
			if (!table || strcmp(table, tk)) {
				fprintf(out, "~ table %s\n", tk);
				free((char *)table);
				table = tk;
			} else {
				free(tk);
			}
			print_item(out, it, 4);
			continue;
		}
		if (it->kind == DIFF_TABLE) {
			free((char *)table);
			table = xstrdup(it->key);
		}
		print_item(out, it, 0);
	}
	free((char *)table);
	if (d->n == 0)
		fputs("no differences\n", out);
	else
		fprintf(out, "%zu difference%s\n", d->n, d->n == 1 ? "" : "s");
}
