/* The SQL of a diff. Each difference is turned into statements of one or more phases; the plan
 * is the phases in order. Statements are written from the models' canonical fields: names
 * quoted as quote_ident() would, expressions as the model keeps them (libpg_query deparses
 * them, so they are valid SQL), string literals with doubled quotes. */
#include "diff/sql_plan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "effects/types.h"
#include "schema/depend.h"
#include "schema/norm.h"
#include "util/ident.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* In the order the plan runs them. Early drops make room for what replaces them (a view over a
 * column whose type changes, a constraint or index whose definition changes); the late ones
 * remove what `to` has no more, once nothing new depends on it. */
enum phase {
	PH_SETUP,
	PH_DROP_EARLY,
	PH_DROP_GENERATED,
	PH_SCHEMA,
	PH_EXTENSION,
	PH_COLLATION,
	PH_TYPE_ENUM,
	PH_TYPE_DOMAIN,
	PH_TYPE,
	PH_SEQUENCE,
	PH_FUNCTION_EARLY,
	PH_RENAME,
	PH_TABLE,
	PH_COLUMN,
	PH_COLUMN_READD,
	PH_OWNED,
	PH_FUNCTION,
	PH_VIEW,
	PH_KEY,
	PH_CONSTRAINT,
	PH_INDEX,
	PH_TRIGGER,
	PH_POLICY,
	PH_GRANT,
	PH_COMMENT,
	PH_DROP_TRIGGER,
	PH_DROP_VIEW,
	PH_DROP_INDEX,
	PH_DROP_FOREIGN_KEY,
	PH_DROP_CONSTRAINT,
	PH_DROP_COLUMN,
	PH_DROP_TABLE,
	PH_DROP_FUNCTION,
	PH_DROP_SEQUENCE,
	PH_DROP_TYPE,
	PH_DROP_COLLATION,
	PH_DROP_EXTENSION,
	PH_DROP_SCHEMA,
	PH_COUNT
};

struct builder {
	const struct diff *d;
	int pg_version;
	struct diff_plan phases[PH_COUNT];
	struct strmap new_tables;    /* tables (and matviews) the plan creates: keys in `to` */
	struct strmap renamed;       /* relation key in `from` -> key in `to` */
	struct strmap rebuilt_views; /* views dropped and created again: keys */
	struct strmap identity_seq;  /* "schema.table.column" -> identity sequence of `to` */
	struct strmap recreated_functions; /* bare names of functions dropped and created again */
	struct strmap probable_tables; /* added table key -> its item, when a probable rename */
	struct strmap replaced_keys;   /* tables whose PRIMARY KEY or UNIQUE is dropped and added */
	struct strmap handled_constraints; /* "schema.table.name" of constraints with items */
	/* triggers, policies and generated columns ("schema.table.name") dropped and created again
	 * around a column type change (make_way_sql), so their own items write nothing */
	struct strmap made_way;
	struct strmap readded_columns; /* the generated columns of made_way */
	struct strmap blocked_types;   /* "schema.table.column" whose type change is a note: why */
	const struct schema_table **dropped_tables; /* tables_drop() */
	size_t ndropped, dropped_cap;
	struct strbuf guards;        /* the checks of guards_sql() */
	size_t nguards;
	size_t unsupported;
};

/* ---- text ---- */

/* Identifiers into a ring of buffers, so that a statement can use several in one printf. */
static const char *qi(const char *name)
{
	static char ring[8][300];
	static unsigned next;
	char *buf = ring[next++ % 8];
	return ident_quote(name, buf, sizeof(ring[0]));
}

static const char *qn(const char *schema, const char *name)
{
	static char ring[8][640];
	static unsigned next;
	char *buf = ring[next++ % 8];
	char a[300], b[300];
	snprintf(buf, sizeof(ring[0]), "%s.%s", ident_quote(schema, a, sizeof(a)),
		 ident_quote(name, b, sizeof(b)));
	return buf;
}

/* A "schema.name" key as a qualified name (split at the first dot: schema names here have none). */
static const char *qkey(const char *key)
{
	const char *dot = strchr(key, '.');
	if (!dot)
		return qi(key);
	char schema[300];
	snprintf(schema, sizeof(schema), "%.*s", (int)(dot - key), key);
	return qn(schema, dot + 1);
}

static void add_literal(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

static void push(struct builder *b, enum phase ph, int no_tx, const char *note, char *sql)
{
	struct diff_plan *p = &b->phases[ph];
	XGROW(p->items, p->n + 1, p->cap);
	p->items[p->n].sql = sql;
	p->items[p->n].note = note ? xstrdup(note) : NULL;
	p->items[p->n].no_transaction = no_tx;
	p->n++;
}

static void stmt(struct builder *b, enum phase ph, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void stmt(struct builder *b, enum phase ph, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	push(b, ph, strstr(strbuf_str(&sb), " CONCURRENTLY ") != NULL, NULL, strbuf_detach(&sb));
}

static void unsupported(struct builder *b, enum phase ph, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void unsupported(struct builder *b, enum phase ph, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	push(b, ph, 0, strbuf_str(&sb), NULL);
	strbuf_release(&sb);
	b->unsupported++;
}

/* The model keeps a collation as SQL already (pg_catalog."C"). */
static const char *qcollation(const char *coll)
{
	return coll;
}

/* A column's type as SQL: a user-defined type qualified and quoted ("Role" of a Prisma schema is
 * public."Role", not public.Role, which names public.role). pg_catalog's types are written as
 * the model names them (int4, varchar(20)), which are valid type names as they are. */
static const char *type_text(const struct schema_column *c, char *buf, size_t size)
{
	if (!c->type || !c->type_schema)
		return schema_column_type_text(c, buf, size);
	int n = snprintf(buf, size, "%s", qn(c->type_schema, c->type));
	if (c->nmods == 1)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d)", c->mods[0]);
	else if (c->nmods == 2)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d,%d)", c->mods[0], c->mods[1]);
	for (int i = 0; i < c->array_dims && (size_t)n + 2 < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "[]");
	return buf;
}

/* Whether ALTER COLUMN ... TYPE from `from` to `to` needs a USING cast: not for the changes
 * PostgreSQL converts by itself without a rewrite (widening a varchar, varchar to text, ...),
 * where a USING would only make the statement read as a rewrite. */
static int needs_using(const struct schema_column *from, const struct schema_column *to)
{
	if (!from->type || !to->type || from->type_schema || to->type_schema)
		return 1;
	struct sql_type a = { from->type, { from->mods[0], from->mods[1] }, from->nmods, from->array_dims, -1 };
	struct sql_type b = { to->type, { to->mods[0], to->mods[1] }, to->nmods, to->array_dims, -1 };
	/* the version only decides timestamp <-> timestamptz, which converts implicitly either way */
	enum type_change c = type_change(&a, &b, 15);
	return c != TYPE_CHANGE_NONE && c != TYPE_CHANGE_CATALOG && c != TYPE_CHANGE_TIMEZONE;
}

/* ---- objects as SQL ---- */

static const struct schema_sequence *identity_sequence(struct builder *b, const struct schema_table *t,
							const char *column)
{
	char key[800];
	snprintf(key, sizeof(key), "%s.%s.%s", t->schema, t->name, column);
	return strmap_get(&b->identity_seq, key);
}

static void sequence_options(struct strbuf *sb, const struct schema_sequence *s, int with_type)
{
	if (with_type && s->type)
		strbuf_addf(sb, " AS %s", s->type);
	strbuf_addf(sb, " INCREMENT BY %lld MINVALUE %lld MAXVALUE %lld START WITH %lld CACHE %lld %sCYCLE",
		    (long long)s->increment, (long long)s->min, (long long)s->max, (long long)s->start,
		    (long long)s->cache, s->cycle ? "" : "NO ");
}

static void column_def(struct builder *b, struct strbuf *sb, const struct schema_table *t,
		       const struct schema_column *c)
{
	char buf[400];
	strbuf_addf(sb, "%s %s", qi(c->name), type_text(c, buf, sizeof(buf)));
	if (c->collation)
		strbuf_addf(sb, " COLLATE %s", qcollation(c->collation));
	if (c->generated && c->default_expr)
		strbuf_addf(sb, " GENERATED ALWAYS AS (%s) STORED", schema_expr_sql(c->default_expr, c->default_sql));
	else if (c->default_expr)
		strbuf_addf(sb, " DEFAULT %s", schema_expr_sql(c->default_expr, c->default_sql));
	if (c->not_null)
		strbuf_addstr(sb, " NOT NULL");
	if (c->identity) {
		strbuf_addf(sb, " GENERATED %s AS IDENTITY", c->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
		const struct schema_sequence *s = identity_sequence(b, t, c->name);
		if (s) {
			strbuf_addf(sb, " (SEQUENCE NAME %s", qn(s->schema, s->name));
			sequence_options(sb, s, 0);
			strbuf_addch(sb, ')');
		}
	}
}

static void name_list(struct strbuf *sb, const struct schema_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", qi(l->items[i]));
}

static const char *action_sql(char a)
{
	switch (a) {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return "NO ACTION";
	}
}

static void elems_sql(struct strbuf *sb, const struct schema_index_elem *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct schema_index_elem with_casts = e[i];
		with_casts.expr = (char *)schema_expr_sql(e[i].expr, e[i].expr_sql);
		char *s = schema_index_elem_text(&with_casts);
		strbuf_addf(sb, "%s%s", i ? ", " : "", s);
		free(s);
	}
}

/* The constraint's definition as ADD CONSTRAINT takes it, without NOT VALID. */
static void constraint_def(struct strbuf *sb, const struct schema_constraint *c)
{
	switch (c->type) {
	case SCHEMA_CON_PRIMARY:
	case SCHEMA_CON_UNIQUE:
		strbuf_addstr(sb, c->type == SCHEMA_CON_PRIMARY ? "PRIMARY KEY" : "UNIQUE");
		if (c->nulls_not_distinct)
			strbuf_addstr(sb, " NULLS NOT DISTINCT");
		strbuf_addstr(sb, " (");
		name_list(sb, &c->columns);
		strbuf_addch(sb, ')');
		if (c->include.n) {
			strbuf_addstr(sb, " INCLUDE (");
			name_list(sb, &c->include);
			strbuf_addch(sb, ')');
		}
		break;
	case SCHEMA_CON_FOREIGN:
		strbuf_addstr(sb, "FOREIGN KEY (");
		name_list(sb, &c->columns);
		strbuf_addf(sb, ") REFERENCES %s", c->ref_table ? qkey(c->ref_table) : "?");
		if (c->ref_columns.n) {
			strbuf_addstr(sb, " (");
			name_list(sb, &c->ref_columns);
			strbuf_addch(sb, ')');
		}
		if (c->match == 'f')
			strbuf_addstr(sb, " MATCH FULL");
		if (c->on_update && c->on_update != 'a')
			strbuf_addf(sb, " ON UPDATE %s", action_sql(c->on_update));
		if (c->on_delete && c->on_delete != 'a')
			strbuf_addf(sb, " ON DELETE %s", action_sql(c->on_delete));
		break;
	case SCHEMA_CON_CHECK:
		strbuf_addf(sb, "CHECK (%s)%s", c->expr ? schema_expr_sql(c->expr, c->expr_sql) : "true",
			    c->no_inherit ? " NO INHERIT" : "");
		break;
	case SCHEMA_CON_EXCLUDE:
		strbuf_addf(sb, "EXCLUDE USING %s (", c->method ? c->method : "gist");
		elems_sql(sb, c->elems, c->nelems);
		strbuf_addch(sb, ')');
		if (c->predicate)
			strbuf_addf(sb, " WHERE (%s)", schema_expr_sql(c->predicate, c->predicate_sql));
		break;
	default:
		break;
	}
	if (c->deferrable)
		strbuf_addf(sb, " DEFERRABLE INITIALLY %s", c->deferred ? "DEFERRED" : "IMMEDIATE");
}

static int is_new_table(const struct builder *b, const char *key)
{
	return strmap_has(&b->new_tables, key);
}

/* A relation of `from` as it is named once the renames have run (the late drops run after
 * them). */
static const char *live_key(const struct builder *b, const char *from_key)
{
	const char *to_key = strmap_get(&b->renamed, from_key);
	return qkey(to_key ? to_key : from_key);
}

static const char *live_table(const struct builder *b, const struct schema_table *t)
{
	char key[700];
	snprintf(key, sizeof(key), "%s.%s", t->schema, t->name);
	return live_key(b, key);
}

/* ---- grants and comments ---- */

static int acl_has(const struct schema_acl *a, const struct schema_grant *g, int need_grantable)
{
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(a->items[i].grantee, g->grantee) && !strcmp(a->items[i].privilege, g->privilege))
			return !need_grantable || a->items[i].grantable;
	return 0;
}

static const char *grantee_sql(const char *g)
{
	return !strcmp(g, "PUBLIC") ? "PUBLIC" : qi(g);
}

/* GRANT and REVOKE turning acl `from` (NULL: none, an object just created) into `to`. A column
 * privilege is "SELECT (col)", which GRANT takes as written. */
static void grants(struct builder *b, const char *object, const struct schema_acl *from, const struct schema_acl *to)
{
	for (size_t i = 0; from && i < from->n; i++) {
		const struct schema_grant *g = &from->items[i];
		if (!acl_has(to, g, 0))
			stmt(b, PH_GRANT, "REVOKE %s ON %s FROM %s;", g->privilege, object, grantee_sql(g->grantee));
		else if (g->grantable && !acl_has(to, g, 1))
			stmt(b, PH_GRANT, "REVOKE GRANT OPTION FOR %s ON %s FROM %s;", g->privilege, object,
			     grantee_sql(g->grantee));
	}
	for (size_t i = 0; to && i < to->n; i++) {
		const struct schema_grant *g = &to->items[i];
		if (!acl_has(from, g, g->grantable))
			stmt(b, PH_GRANT, "GRANT %s ON %s TO %s%s;", g->privilege, object, grantee_sql(g->grantee),
			     g->grantable ? " WITH GRANT OPTION" : "");
	}
}

static void comment(struct builder *b, const char *object, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "COMMENT ON %s IS ", object);
	if (text)
		add_literal(&sb, text);
	else
		strbuf_addstr(&sb, "NULL");
	strbuf_addch(&sb, ';');
	push(b, PH_COMMENT, 0, NULL, strbuf_detach(&sb));
}

/* ---- one kind at a time ---- */

/* Consecutive items of one object: a rename, then its changed attributes; or one added or
 * dropped item. */
struct group {
	const struct diff_item *first;
	size_t n;
	const struct diff_item *renamed; /* the RENAMED item, or NULL */
};

static int group_has(const struct group *g, const char *attribute)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->first[i].attribute && !strcmp(g->first[i].attribute, attribute))
			return 1;
	return 0;
}

/* Whether every changed attribute of the group is one of the list (NULL-terminated). */
static int group_only(const struct group *g, const char *const *attrs)
{
	for (size_t i = 0; i < g->n; i++) {
		const char *a = g->first[i].attribute;
		if (!a)
			continue;
		const char *const *p = attrs;
		while (*p && strcmp(*p, a))
			p++;
		if (!*p)
			return 0;
	}
	return 1;
}

static void schema_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_schema *from = it->from, *to = it->to;
	char object[400];
	snprintf(object, sizeof(object), "SCHEMA %s", qi(it->key));
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_SCHEMA, "DROP SCHEMA %s;", qi(it->key));
		return;
	}
	if (it->change == DIFF_ADDED) {
		stmt(b, PH_SCHEMA, "CREATE SCHEMA %s;", qi(it->key));
		grants(b, object, NULL, &to->acl);
		if (to->comment)
			comment(b, object, to->comment);
		return;
	}
	if (group_has(g, "grants"))
		grants(b, object, &from->acl, &to->acl);
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

static void extension_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	if (it->change == DIFF_DROPPED)
		stmt(b, PH_DROP_EXTENSION, "DROP EXTENSION %s;", qi(it->key));
	else if (it->change == DIFF_ADDED)
		stmt(b, PH_EXTENSION, "CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s;", qi(it->key),
		     qi(((const struct schema_extension *)it->to)->schema));
	else if (group_has(g, "schema"))
		stmt(b, PH_EXTENSION, "ALTER EXTENSION %s SET SCHEMA %s;", qi(it->key),
		     qi(((const struct schema_extension *)it->to)->schema));
}

static void collation_create(struct builder *b, const struct schema_collation *c)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE COLLATION %s (provider = %s, ", qn(c->schema, c->name), c->provider ? c->provider : "libc");
	if (c->lc_collate || c->lc_ctype) {
		strbuf_addstr(&sb, "lc_collate = ");
		add_literal(&sb, c->lc_collate ? c->lc_collate : "");
		strbuf_addstr(&sb, ", lc_ctype = ");
		add_literal(&sb, c->lc_ctype ? c->lc_ctype : "");
	} else {
		strbuf_addstr(&sb, "locale = ");
		add_literal(&sb, c->locale ? c->locale : "");
	}
	strbuf_addf(&sb, ", deterministic = %s);", c->deterministic ? "true" : "false");
	push(b, PH_COLLATION, 0, NULL, strbuf_detach(&sb));
}

/* A collation cannot be altered but for its version: one that differs is dropped and created
 * again, which PostgreSQL refuses while a column, index or domain uses it (a note then). */
static void collation_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_collation *from = it->from, *to = it->to;
	char object[700];
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_COLLATION, "DROP COLLATION %s;", qn(from->schema, from->name));
		return;
	}
	if (it->change == DIFF_ADDED) {
		collation_create(b, to);
		if (to->comment) {
			snprintf(object, sizeof(object), "COLLATION %s", qn(to->schema, to->name));
			comment(b, object, to->comment);
		}
		return;
	}
	snprintf(object, sizeof(object), "COLLATION %s", qn(to->schema, to->name));
	static const char *const comment_only[] = { "comment", NULL };
	if (group_only(g, comment_only)) {
		comment(b, object, to->comment);
		return;
	}
	unsupported(b, PH_COLLATION, "the definition of %s differs: PostgreSQL cannot alter a collation, and dropping "
		    "it drops what uses it (create a new one and move the columns to it)", object);
}

static void domain_constraint_add(struct builder *b, const struct schema_type *t, const struct schema_constraint *c)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ALTER DOMAIN %s ADD CONSTRAINT %s ", qn(t->schema, t->name), qi(c->name));
	constraint_def(&sb, c);
	strbuf_addstr(&sb, " NOT VALID;");
	push(b, PH_TYPE_DOMAIN, 0, NULL, strbuf_detach(&sb));
	if (c->validated)
		stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s;", qn(t->schema, t->name), qi(c->name));
}

static const struct schema_constraint *domain_constraint(const struct schema_type *t, const char *name)
{
	for (size_t i = 0; i < t->nconstraints; i++)
		if (!strcmp(t->constraints[i].name, name))
			return &t->constraints[i];
	return NULL;
}

static void type_create(struct builder *b, const struct schema_type *t)
{
	struct strbuf sb = STRBUF_INIT;
	const char *name = qn(t->schema, t->name);
	enum phase ph = t->kind == 'e' ? PH_TYPE_ENUM : t->kind == 'd' ? PH_TYPE_DOMAIN : PH_TYPE;
	if (t->kind == 'e') {
		strbuf_addf(&sb, "CREATE TYPE %s AS ENUM (", name);
		for (size_t i = 0; i < t->labels.n; i++) {
			if (i)
				strbuf_addstr(&sb, ", ");
			add_literal(&sb, t->labels.items[i]);
		}
		strbuf_addstr(&sb, ");");
	} else if (t->kind == 'd') {
		strbuf_addf(&sb, "CREATE DOMAIN %s AS %s", name, t->base_type ? t->base_type : "text");
		if (t->collation)
			strbuf_addf(&sb, " COLLATE %s", qcollation(t->collation));
		if (t->default_expr)
			strbuf_addf(&sb, " DEFAULT %s", schema_expr_sql(t->default_expr, t->default_sql));
		if (t->not_null)
			strbuf_addstr(&sb, " NOT NULL");
		for (size_t i = 0; i < t->nconstraints; i++) {
			strbuf_addf(&sb, " CONSTRAINT %s ", qi(t->constraints[i].name));
			constraint_def(&sb, &t->constraints[i]);
			if (!t->constraints[i].validated)
				strbuf_addstr(&sb, " NOT VALID");
		}
		strbuf_addch(&sb, ';');
	} else {
		strbuf_addf(&sb, "CREATE TYPE %s AS (", name);
		for (size_t i = 0; i < t->nattributes; i++) {
			char buf[400];
			const struct schema_column *c = &t->attributes[i];
			strbuf_addf(&sb, "%s%s %s", i ? ", " : "", qi(c->name), type_text(c, buf, sizeof(buf)));
			if (c->collation)
				strbuf_addf(&sb, " COLLATE %s", qcollation(c->collation));
		}
		strbuf_addstr(&sb, ");");
	}
	push(b, ph, 0, NULL, strbuf_detach(&sb));
}

static int inherited_column(const struct builder *b, const struct schema_table *t, const char *column);

static int is_type(const struct schema_column *c, const struct schema_type *t)
{
	return c->type && c->type_schema && !strcmp(c->type, t->name) && !strcmp(c->type_schema, t->schema);
}

/* Whether something else than table columns uses the type in `from`: a view over such a column,
 * a function's signature, a domain or a composite type over it. */
static int type_used_beyond_columns(const struct builder *b, const struct schema_type *t)
{
	const struct schema_model *m = b->d->from;
	char qualified[700];
	snprintf(qualified, sizeof(qualified), "%s.%s", t->schema, t->name);
	size_t it = 0;
	void *v;
	while (strmap_next(&m->functions, &it, NULL, &v)) {
		const struct schema_function *f = v;
		if ((f->arguments && strstr(f->arguments, qualified)) || (f->returns && strstr(f->returns, qualified)))
			return 1;
	}
	it = 0;
	while (strmap_next(&m->types, &it, NULL, &v)) {
		const struct schema_type *o = v;
		if (o->base_type && strstr(o->base_type, qualified))
			return 1;
		for (size_t i = 0; i < o->nattributes; i++)
			if (is_type(&o->attributes[i], t))
				return 1;
	}
	it = 0;
	while (strmap_next(&m->views, &it, NULL, &v)) {
		const struct schema_view *w = v;
		for (size_t i = 0; i < w->depends_on_columns.n; i++) {
			const char *col = strrchr(w->depends_on_columns.items[i], '.');
			if (!col)
				continue;
			char tk[700];
			snprintf(tk, sizeof(tk), "%.*s", (int)(col - w->depends_on_columns.items[i]), w->depends_on_columns.items[i]);
			const struct schema_table *tab = strmap_get(&m->tables, tk);
			const struct schema_column *c = tab ? schema_column_find(tab, col + 1) : NULL;
			if (c && is_type(c, t))
				return 1;
		}
	}
	return 0;
}

/* An enum loses labels. PostgreSQL cannot remove one (ALTER TYPE has ADD VALUE and RENAME VALUE,
 * no DROP VALUE), so the type is made again: the old one renamed out of the way, the new one created with `to`'s labels, every column cast to it
 * through text (a row holding a removed label fails the cast, and the plan stops there rather than
 * lose the value), the old one dropped at the end. A default is dropped and set again, since it
 * holds a constant of the old type. Only when nothing but table columns uses the type; else 0
 * (the caller writes a note). */
static int enum_recreate(struct builder *b, const struct schema_type *from, const struct schema_type *to)
{
	if (type_used_beyond_columns(b, from))
		return 0;
	const char *name = qn(to->schema, to->name);
	char moved[300], old_name[700];
	snprintf(moved, sizeof(moved), "%.50s_pgsieve_old", from->name);
	snprintf(old_name, sizeof(old_name), "%s", qn(from->schema, moved));
	push(b, PH_TYPE_ENUM, 0, "an enum label cannot be removed: the type is created again and the columns cast to it",
	     xasprintf("ALTER TYPE %s RENAME TO %s;", name, qi(moved)));
	type_create(b, to);
	size_t n;
	const char **keys = schema_sorted_keys(&b->d->from->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *ft = strmap_get(&b->d->from->tables, keys[i]);
		const struct schema_table *tt = strmap_get(&b->d->to->tables, keys[i]);
		if (!tt || ft->partition_of)
			continue; /* a dropped table goes with its columns; a partition follows its parent */
		for (size_t c = 0; c < ft->ncolumns; c++) {
			const struct schema_column *fc = &ft->columns[c];
			const struct schema_column *tc = schema_column_find(tt, fc->name);
			if (!is_type(fc, from) || !tc || !is_type(tc, to) || inherited_column(b, tt, fc->name))
				continue;
			const char *table = qn(tt->schema, tt->name);
			if (fc->default_expr && !fc->generated)
				stmt(b, PH_TYPE_ENUM, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", table, qi(fc->name));
			char dims[64];
			int nd = fc->array_dims < 30 ? fc->array_dims : 30;
			for (int d = 0; d < nd; d++)
				memcpy(dims + 2 * d, "[]", 2);
			dims[2 * nd] = '\0';
			stmt(b, PH_TYPE_ENUM, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::text%s::%s%s;", table,
			     qi(fc->name), name, dims, qi(fc->name), dims, name, dims);
			if (tc->default_expr && !tc->generated)
				stmt(b, PH_TYPE_ENUM, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", table, qi(tc->name),
				     schema_expr_sql(tc->default_expr, tc->default_sql));
		}
	}
	free(keys);
	stmt(b, PH_DROP_TYPE, "DROP TYPE %s;", old_name);
	char object[700];
	snprintf(object, sizeof(object), "TYPE %s", name);
	if (to->comment)
		comment(b, object, to->comment);
	return 1;
}

static void type_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_type *from = it->from, *to = it->to;
	const struct schema_type *t = to ? to : from;
	const char *kw = t->kind == 'd' ? "DOMAIN" : "TYPE";
	char object[700];
	snprintf(object, sizeof(object), "%s %s", kw, qn(t->schema, t->name));
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_TYPE, "DROP %s;", object);
		return;
	}
	if (it->change == DIFF_ADDED) {
		type_create(b, to);
		grants(b, object, NULL, &to->acl);
		if (to->comment)
			comment(b, object, to->comment);
		return;
	}
	if (from->kind != to->kind) {
		unsupported(b, PH_TYPE, "%s is a %s in --from and a %s in --to: drop and create it by hand", object,
			    from->kind == 'e' ? "enum" : from->kind == 'd' ? "domain" : "composite type",
			    to->kind == 'e' ? "enum" : to->kind == 'd' ? "domain" : "composite type");
		return;
	}
	if (to->kind == 'e' && group_has(g, "labels")) {
		size_t removed = 0;
		for (size_t i = 0; i < from->labels.n; i++)
			removed += schema_strlist_find(&to->labels, from->labels.items[i]) < 0;
		if (removed && enum_recreate(b, from, to))
			return;
		for (size_t i = 0; i < from->labels.n && removed; i++)
			if (schema_strlist_find(&to->labels, from->labels.items[i]) < 0)
				unsupported(b, PH_TYPE_ENUM, "the label '%s' of %s is not in --to: PostgreSQL cannot "
					    "remove an enum label, and a view, function, domain or composite type uses "
					    "the type (drop them, create a new type and move the columns to it)",
					    from->labels.items[i], object);
		/* new labels in place (BEFORE the next label `from` has, or AFTER the last one) */
		for (size_t i = 0; i < to->labels.n; i++) {
			if (schema_strlist_find(&from->labels, to->labels.items[i]) >= 0)
				continue;
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "ALTER TYPE %s ADD VALUE ", qn(t->schema, t->name));
			add_literal(&sb, to->labels.items[i]);
			size_t j = i + 1;
			while (j < to->labels.n && schema_strlist_find(&from->labels, to->labels.items[j]) < 0)
				j++;
			if (j < to->labels.n) {
				strbuf_addstr(&sb, " BEFORE ");
				add_literal(&sb, to->labels.items[j]);
			}
			strbuf_addch(&sb, ';');
			/* before PostgreSQL 12, ADD VALUE cannot run inside a transaction block */
			push(b, PH_TYPE_ENUM, b->pg_version < 12, NULL, strbuf_detach(&sb));
		}
	}
	if (to->kind == 'd') {
		const char *name = qn(t->schema, t->name);
		if (group_has(g, "base_type") || group_has(g, "collation"))
			unsupported(b, PH_TYPE_DOMAIN, "the base type or collation of %s differs: PostgreSQL cannot "
				    "alter it (create a new domain and move the columns to it)", object);
		if (group_has(g, "default")) {
			if (to->default_expr)
				stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s SET DEFAULT %s;", name,
				     schema_expr_sql(to->default_expr, to->default_sql));
			else
				stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s DROP DEFAULT;", name);
		}
		if (group_has(g, "not_null"))
			stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s %s NOT NULL;", name, to->not_null ? "SET" : "DROP");
		if (group_has(g, "constraints")) {
			for (size_t i = 0; i < from->nconstraints; i++) {
				const struct schema_constraint *c = &from->constraints[i], *n = domain_constraint(to, c->name);
				struct strbuf da = STRBUF_INIT, db = STRBUF_INIT;
				constraint_def(&da, c);
				if (n)
					constraint_def(&db, n);
				if (!n || strcmp(strbuf_str(&da), strbuf_str(&db)))
					stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s DROP CONSTRAINT %s;", name, qi(c->name));
				else if (!c->validated && n->validated)
					stmt(b, PH_TYPE_DOMAIN, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s;", name, qi(c->name));
				strbuf_release(&da);
				strbuf_release(&db);
			}
			for (size_t i = 0; i < to->nconstraints; i++) {
				const struct schema_constraint *n = &to->constraints[i], *c = domain_constraint(from, n->name);
				struct strbuf da = STRBUF_INIT, db = STRBUF_INIT;
				if (c)
					constraint_def(&da, c);
				constraint_def(&db, n);
				if (!c || strcmp(strbuf_str(&da), strbuf_str(&db)))
					domain_constraint_add(b, to, n);
				strbuf_release(&da);
				strbuf_release(&db);
			}
		}
	}
	if (to->kind == 'c' && group_has(g, "attributes")) {
		const char *name = qn(t->schema, t->name);
		for (size_t i = 0; i < from->nattributes; i++) {
			const struct schema_column *a = &from->attributes[i];
			size_t j = 0;
			while (j < to->nattributes && strcmp(to->attributes[j].name, a->name))
				j++;
			char ta[400], tb[400];
			if (j == to->nattributes)
				stmt(b, PH_TYPE, "ALTER TYPE %s DROP ATTRIBUTE %s;", name, qi(a->name));
			else if (strcmp(type_text(a, ta, sizeof(ta)), type_text(&to->attributes[j], tb, sizeof(tb))))
				stmt(b, PH_TYPE, "ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s;", name, qi(a->name), tb);
		}
		for (size_t j = 0; j < to->nattributes; j++) {
			const struct schema_column *a = &to->attributes[j];
			size_t i = 0;
			while (i < from->nattributes && strcmp(from->attributes[i].name, a->name))
				i++;
			char tb[400];
			if (i == from->nattributes)
				stmt(b, PH_TYPE, "ALTER TYPE %s ADD ATTRIBUTE %s %s;", name, qi(a->name),
				     type_text(a, tb, sizeof(tb)));
		}
	}
	if (group_has(g, "grants"))
		grants(b, object, &from->acl, &to->acl);
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

static void sequence_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_sequence *from = it->from, *to = it->to;
	const struct schema_sequence *s = to ? to : from;
	char object[700];
	snprintf(object, sizeof(object), "SEQUENCE %s", qn(s->schema, s->name));
	if (s->owner_kind == 'i' && it->change != DIFF_CHANGED)
		return; /* an identity column's: created and dropped with the column */
	if (it->change == DIFF_CHANGED && to->owner_kind == 'i' && from->owner_kind != 'i')
		return; /* a serial's sequence that becomes an identity's: identity_add() */
	if (it->change == DIFF_DROPPED) {
		/* an owned sequence goes with its column when that goes */
		if (from->owned_table) {
			const char *to_key = strmap_get(&b->renamed, from->owned_table);
			const struct schema_table *t = strmap_get(&b->d->to->tables, to_key ? to_key : from->owned_table);
			if (!t || (from->owned_column && !schema_column_find(t, from->owned_column)))
				return;
		}
		stmt(b, PH_DROP_SEQUENCE, "DROP %s;", object);
		return;
	}
	if (it->change == DIFF_ADDED) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "CREATE %s", object);
		sequence_options(&sb, to, 1);
		strbuf_addch(&sb, ';');
		push(b, PH_SEQUENCE, 0, NULL, strbuf_detach(&sb));
		if (to->owned_table && to->owned_column)
			stmt(b, PH_OWNED, "ALTER %s OWNED BY %s.%s;", object, qkey(to->owned_table), qi(to->owned_column));
		grants(b, object, NULL, &to->acl);
		if (to->comment)
			comment(b, object, to->comment);
		return;
	}
	static const char *const options[] = { "type", "start", "increment", "min", "max", "cache", "cycle", NULL };
	for (const char *const *o = options; *o; o++)
		if (group_has(g, *o)) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "ALTER %s", object);
			sequence_options(&sb, to, to->owner_kind != 'i');
			strbuf_addch(&sb, ';');
			push(b, PH_SEQUENCE, 0, NULL, strbuf_detach(&sb));
			break;
		}
	if (group_has(g, "owned_by") && to->owner_kind != 'i') {
		if (to->owned_table && to->owned_column)
			stmt(b, PH_OWNED, "ALTER %s OWNED BY %s.%s;", object, qkey(to->owned_table), qi(to->owned_column));
		else
			stmt(b, PH_OWNED, "ALTER %s OWNED BY NONE;", object);
	}
	if (group_has(g, "grants"))
		grants(b, object, &from->acl, &to->acl);
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

/* Whether a column of table t (in `to`) comes from a parent: a partition's columns all do, an
 * inheritance child's do when a parent has a column of that name. PostgreSQL adds a column added
 * to the parent to its children itself ("cannot add column to a partition"; "column already
 * exists" for a child), and CREATE TABLE ... INHERITS merges the parents' columns. */
static int inherited_column(const struct builder *b, const struct schema_table *t, const char *column)
{
	if (t->partition_of)
		return 1;
	for (size_t i = 0; i < t->inherits.n; i++) {
		const struct schema_table *p = strmap_get(&b->d->to->tables, t->inherits.items[i]);
		if (p && schema_column_find(p, column))
			return 1;
	}
	return 0;
}

static void table_create(struct builder *b, const struct schema_table *t, const char *probable_note)
{
	struct strbuf sb = STRBUF_INIT;
	const char *name = qn(t->schema, t->name);
	strbuf_addf(&sb, "CREATE %sTABLE %s", t->persistence == 'u' ? "UNLOGGED " : "", name);
	if (t->partition_of) {
		strbuf_addf(&sb, " PARTITION OF %s %s", qkey(t->partition_of),
			    t->partition_bound ? t->partition_bound : "DEFAULT");
	} else {
		strbuf_addstr(&sb, " (");
		size_t written = 0;
		for (size_t i = 0; i < t->ncolumns; i++) {
			if (inherited_column(b, t, t->columns[i].name))
				continue;
			strbuf_addstr(&sb, written++ ? ",\n\t" : "\n\t");
			column_def(b, &sb, t, &t->columns[i]);
		}
		strbuf_addstr(&sb, written ? "\n)" : ")");
		if (t->inherits.n) {
			strbuf_addstr(&sb, " INHERITS (");
			for (size_t i = 0; i < t->inherits.n; i++)
				strbuf_addf(&sb, "%s%s", i ? ", " : "", qkey(t->inherits.items[i]));
			strbuf_addch(&sb, ')');
		}
	}
	if (t->partition_key)
		strbuf_addf(&sb, " PARTITION BY %s", t->partition_key);
	if (t->options.n) {
		strbuf_addstr(&sb, " WITH (");
		for (size_t i = 0; i < t->options.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", t->options.items[i]);
		strbuf_addch(&sb, ')');
	}
	strbuf_addch(&sb, ';');
	push(b, PH_TABLE, 0, probable_note, strbuf_detach(&sb));
	if (t->rls_enabled)
		stmt(b, PH_TABLE, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;", name);
	if (t->rls_forced)
		stmt(b, PH_TABLE, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;", name);
	char object[700];
	snprintf(object, sizeof(object), "TABLE %s", name);
	grants(b, object, NULL, &t->acl);
	if (t->comment)
		comment(b, object, t->comment);
	for (size_t i = 0; i < t->ncolumns; i++)
		if (t->columns[i].comment) {
			snprintf(object, sizeof(object), "COLUMN %s.%s", name, qi(t->columns[i].name));
			comment(b, object, t->columns[i].comment);
		}
}

/* A partition or child after its parent when both are new. */
/* Whether table a depends on table b (its foreign key references b, or it is a partition or an
 * inheritance child of b): b is created before a and dropped after it. */
static int table_needs(const struct schema_table *a, const struct schema_table *b)
{
	if (a == b)
		return 0;
	char key[700];
	snprintf(key, sizeof(key), "%s.%s", b->schema, b->name);
	if ((a->partition_of && !strcmp(a->partition_of, key)) || schema_strlist_find(&a->inherits, key) >= 0)
		return 1;
	for (size_t i = 0; i < a->nconstraints; i++)
		if (a->constraints[i].type == SCHEMA_CON_FOREIGN && a->constraints[i].ref_table &&
		    !strcmp(a->constraints[i].ref_table, key))
			return 1;
	return 0;
}

/* The tables `to` has no more, each after the dropped tables that reference it or are its
 * partitions or children (PostgreSQL refuses to drop a table a foreign key references: "cannot
 * drop table ... because other objects depend on it"); in a cycle of foreign keys, the rest in
 * one statement, which PostgreSQL allows. */
static void tables_drop(struct builder *b)
{
	const struct schema_table **t = b->dropped_tables;
	size_t n = b->ndropped;
	char *done = xcalloc(n + 1, 1);
	for (size_t left = n; left;) {
		size_t before = left;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			int wait = 0;
			for (size_t j = 0; j < n && !wait; j++)
				wait = !done[j] && table_needs(t[j], t[i]);
			if (wait)
				continue;
			stmt(b, PH_DROP_TABLE, "DROP TABLE %s;", qn(t[i]->schema, t[i]->name));
			done[i] = 1;
			left--;
		}
		if (left == before) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < n; i++)
				if (!done[i]) {
					strbuf_addf(&sb, "%s%s", sb.len ? ", " : "DROP TABLE ", qn(t[i]->schema, t[i]->name));
					done[i] = 1;
				}
			strbuf_addch(&sb, ';');
			push(b, PH_DROP_TABLE, 0, NULL, strbuf_detach(&sb));
			left = 0;
		}
	}
	free(done);
	free(b->dropped_tables);
}

static void tables_create(struct builder *b, const struct schema_table **t, size_t n)
{
	char *done = xcalloc(n + 1, 1);
	for (size_t left = n, pass = 0; left && pass <= n; pass++) {
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			int wait = 0;
			for (size_t j = 0; j < n && !wait; j++) {
				if (done[j] || j == i)
					continue;
				char key[700];
				snprintf(key, sizeof(key), "%s.%s", t[j]->schema, t[j]->name);
				wait = (t[i]->partition_of && !strcmp(t[i]->partition_of, key)) ||
				       schema_strlist_find(&t[i]->inherits, key) >= 0;
			}
			if (wait && pass < n)
				continue;
			char key[700];
			snprintf(key, sizeof(key), "%s.%s", t[i]->schema, t[i]->name);
			const struct diff_item *it = strmap_get(&b->probable_tables, key);
			char *note = it ? xasprintf("probable rename of %s (%s): written as a create and a drop, "
						    "which loses its rows; if it is a rename, run pgsieve diff again "
						    "with --rename %s=%s", it->probable_rename_of, it->evidence,
						    it->probable_rename_of, it->key)
					: NULL;
			table_create(b, t[i], note);
			free(note);
			done[i] = 1;
			left--;
		}
	}
	free(done);
}

static void options_sql(struct builder *b, const char *name, const struct schema_strlist *from,
			const struct schema_strlist *to)
{
	struct strbuf set = STRBUF_INIT, reset = STRBUF_INIT;
	for (size_t i = 0; i < to->n; i++)
		if (schema_strlist_find(from, to->items[i]) < 0)
			strbuf_addf(&set, "%s%s", set.len ? ", " : "", to->items[i]);
	for (size_t i = 0; i < from->n; i++) {
		size_t k = strcspn(from->items[i], "=");
		int kept = 0;
		for (size_t j = 0; j < to->n && !kept; j++)
			kept = !strncmp(to->items[j], from->items[i], k) && to->items[j][k] == '=';
		if (!kept)
			strbuf_addf(&reset, "%s%.*s", reset.len ? ", " : "", (int)k, from->items[i]);
	}
	if (reset.len)
		stmt(b, PH_TABLE, "ALTER TABLE %s RESET (%s);", name, strbuf_str(&reset));
	if (set.len)
		stmt(b, PH_TABLE, "ALTER TABLE %s SET (%s);", name, strbuf_str(&set));
	strbuf_release(&set);
	strbuf_release(&reset);
}

static void table_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_table *from = it->from, *to = it->to;
	if (it->change == DIFF_ADDED)
		return; /* tables_create(), in dependency order */
	if (it->change == DIFF_DROPPED) {
		XGROW(b->dropped_tables, b->ndropped + 1, b->dropped_cap);
		b->dropped_tables[b->ndropped++] = from; /* tables_drop(), in dependency order */
		return;
	}
	const char *name = qn(to->schema, to->name);
	if (g->renamed) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "rename of %s to %s.%s: %s", g->renamed->old_key, to->schema, to->name,
			    g->renamed->evidence ? g->renamed->evidence : "the same columns");
		if (strcmp(from->schema, to->schema)) {
			/* its indexes, constraints and owned sequences go with it (ALTER TABLE: "SET
			 * SCHEMA ... associated indexes, constraints, and sequences owned by table columns
			 * are moved as well") */
			push(b, PH_RENAME, 0, strbuf_str(&sb),
			     xasprintf("ALTER TABLE %s SET SCHEMA %s;", qn(from->schema, from->name), qi(to->schema)));
			if (strcmp(from->name, to->name))
				stmt(b, PH_RENAME, "ALTER TABLE %s RENAME TO %s;", qn(to->schema, from->name), qi(to->name));
		} else {
			push(b, PH_RENAME, 0, strbuf_str(&sb),
			     xasprintf("ALTER TABLE %s RENAME TO %s;", qn(from->schema, from->name), qi(to->name)));
		}
		strbuf_release(&sb);
	}
	if (group_has(g, "kind"))
		unsupported(b, PH_TABLE, "%s is a %s in --from: PostgreSQL cannot change a table's kind", name,
			    from->kind == 'p' ? "partitioned table" : from->kind == 'f' ? "foreign table" : "plain table");
	if (group_has(g, "persistence") && to->persistence != 't')
		stmt(b, PH_TABLE, "ALTER TABLE %s SET %s;", name, to->persistence == 'u' ? "UNLOGGED" : "LOGGED");
	if (group_has(g, "partition_key"))
		unsupported(b, PH_TABLE, "the partition key of %s differs: PostgreSQL cannot change it", name);
	if (group_has(g, "partition_of") || group_has(g, "partition_bound")) {
		if (from->partition_of)
			stmt(b, PH_TABLE, "ALTER TABLE %s DETACH PARTITION %s;", qkey(from->partition_of), name);
		if (to->partition_of)
			stmt(b, PH_TABLE, "ALTER TABLE %s ATTACH PARTITION %s %s;", qkey(to->partition_of), name,
			     to->partition_bound ? to->partition_bound : "DEFAULT");
	}
	if (group_has(g, "inherits")) {
		for (size_t i = 0; i < from->inherits.n; i++)
			if (schema_strlist_find(&to->inherits, from->inherits.items[i]) < 0)
				stmt(b, PH_TABLE, "ALTER TABLE %s NO INHERIT %s;", name, qkey(from->inherits.items[i]));
		for (size_t i = 0; i < to->inherits.n; i++)
			if (schema_strlist_find(&from->inherits, to->inherits.items[i]) < 0)
				stmt(b, PH_TABLE, "ALTER TABLE %s INHERIT %s;", name, qkey(to->inherits.items[i]));
	}
	if (group_has(g, "options"))
		options_sql(b, name, &from->options, &to->options);
	if (group_has(g, "row_security")) {
		if (from->rls_enabled != to->rls_enabled)
			stmt(b, PH_TABLE, "ALTER TABLE %s %s ROW LEVEL SECURITY;", name, to->rls_enabled ? "ENABLE" : "DISABLE");
		if (from->rls_forced != to->rls_forced)
			stmt(b, PH_TABLE, "ALTER TABLE %s %sFORCE ROW LEVEL SECURITY;", name, to->rls_forced ? "" : "NO ");
	}
	char object[700];
	snprintf(object, sizeof(object), "TABLE %s", name);
	if (group_has(g, "grants"))
		grants(b, object, &from->acl, &to->acl);
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

static void not_null_sql(struct builder *b, const struct schema_table *t, const struct schema_column *c)
{
	const char *name = qn(t->schema, t->name);
	char key[700];
	snprintf(key, sizeof(key), "%s.%s", t->schema, t->name);
	if (b->pg_version < 12 || is_new_table(b, key)) {
		stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", name, qi(c->name));
		return;
	}
	/* SET NOT NULL skips its full scan under ACCESS EXCLUSIVE when a validated CHECK proves it;
	 * the CHECK is validated under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on */
	char *check = schema_choose_constraint_name(t->constraints, t->nconstraints, t->name, c->name, "not_null");
	stmt(b, PH_COLUMN, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;", name, qi(check),
	     qi(c->name));
	stmt(b, PH_COLUMN, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", name, qi(check));
	stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", name, qi(c->name));
	stmt(b, PH_COLUMN, "ALTER TABLE %s DROP CONSTRAINT %s;", name, qi(check));
	free(check);
}

/* Whether an index, constraint or view of `to` names the column (an expression is searched as
 * text: a false match only keeps the plan from dropping the column). */
static int column_referenced(const struct builder *b, const struct schema_table *t, const char *column, int views)
{
	char key[800];
	snprintf(key, sizeof(key), "%s.%s", t->schema, t->name);
	size_t it = 0;
	void *v;
	while (strmap_next(&b->d->to->indexes, &it, NULL, &v)) {
		const struct schema_index *ix = v;
		if (strcmp(ix->table_key, key))
			continue;
		if (ix->predicate && strstr(ix->predicate, column))
			return 1;
		for (size_t e = 0; e < ix->nelems; e++)
			if ((ix->elems[e].column && !strcmp(ix->elems[e].column, column)) ||
			    (ix->elems[e].expr && strstr(ix->elems[e].expr, column)))
				return 1;
	}
	for (size_t i = 0; i < t->nconstraints; i++) {
		const struct schema_constraint *c = &t->constraints[i];
		if (schema_strlist_find(&c->columns, column) >= 0 || (c->expr && strstr(c->expr, column)))
			return 1;
	}
	if (!views)
		return 0;
	char col[900];
	snprintf(col, sizeof(col), "%s.%s", key, column);
	it = 0;
	while (strmap_next(&b->d->to->views, &it, NULL, &v))
		if (schema_strlist_find(&((const struct schema_view *)v)->depends_on_columns, col) >= 0)
			return 1;
	return 0;
}

/* A generated column whose expression changes, before PostgreSQL 17 (which has SET EXPRESSION):
 * dropped and added again, which computes every row again, rewriting the table. */
static void generated_readd(struct builder *b, const struct schema_table *t, const struct schema_column *c)
{
	const char *name = qn(t->schema, t->name);
	push(b, PH_COLUMN, 0, "a generation expression cannot change before PostgreSQL 17: the column is dropped and "
	     "added again, which rewrites the table",
	     xasprintf("ALTER TABLE %s DROP COLUMN %s;", name, qi(c->name)));
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ALTER TABLE %s ADD COLUMN ", name);
	column_def(b, &sb, t, c);
	strbuf_addch(&sb, ';');
	push(b, PH_COLUMN, 0, NULL, strbuf_detach(&sb));
}

/* The sequence a column's DEFAULT nextval('...') draws from, in `from`. */
static const struct schema_sequence *default_sequence(const struct builder *b, const struct schema_column *c)
{
	const char *p = c->default_expr && !c->generated ? strstr(c->default_expr, "nextval('") : NULL;
	if (!p)
		return NULL;
	p += strlen("nextval('");
	const char *end = strchr(p, '\'');
	if (!end)
		return NULL;
	char text[700], schema[300], seqname[300], key[700];
	snprintf(text, sizeof(text), "%.*s", (int)(end - p), p);
	if (schema_parse_qualified(text, schema, sizeof(schema), seqname, sizeof(seqname)) != 0 || !schema[0])
		return NULL;
	return strmap_get(&b->d->from->sequences, schema_key(key, sizeof(key), schema, seqname));
}

/* A column becomes an identity column. A serial's identity continues where its sequence is, and
 * the serial's sequence goes (left behind, the identity would start again at 1 and the next
 * INSERT hit a duplicate key): the old sequence is renamed out of the way when the identity's
 * takes its name, the identity is added with `to`'s options (its type first set by the column's
 * ALTER TYPE, so MAXVALUE fits), set to the old sequence's position, and the old one dropped. */
static void identity_add(struct builder *b, const struct schema_table *ft, const struct schema_table *tt,
			 const struct schema_column *from, const struct schema_column *to)
{
	const char *name = qn(tt->schema, tt->name);
	const char *kw = to->identity == 'a' ? "ALWAYS" : "BY DEFAULT";
	const struct schema_sequence *old = default_sequence(b, from);
	const struct schema_sequence *s = identity_sequence(b, tt, to->name);
	char old_name[700] = "";
	int drop_old = 0;
	if (old) {
		char key[700];
		schema_key(key, sizeof(key), old->schema, old->name);
		const struct schema_sequence *kept = strmap_get(&b->d->to->sequences, key);
		/* owned by the column: nothing else drops it (sequence_sql() leaves a column's own) */
		drop_old = (!kept || kept->owner_kind == 'i') && old->owned_table && old->owned_column &&
			   !strcmp(old->owned_column, from->name);
		snprintf(old_name, sizeof(old_name), "%s", qn(old->schema, old->name));
		if (kept && kept->owner_kind == 'i') {
			char moved[300];
			snprintf(moved, sizeof(moved), "%.50s_pgsieve_old", old->name);
			stmt(b, PH_COLUMN, "ALTER SEQUENCE %s RENAME TO %s;", old_name, qi(moved));
			snprintf(old_name, sizeof(old_name), "%s", qn(old->schema, moved));
		}
	}
	(void)ft;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", name, qi(to->name), kw);
	if (s) {
		strbuf_addf(&sb, " (SEQUENCE NAME %s", qn(s->schema, s->name));
		sequence_options(&sb, s, 0);
		strbuf_addch(&sb, ')');
	}
	strbuf_addch(&sb, ';');
	push(b, PH_COLUMN, 0, NULL, strbuf_detach(&sb));
	if (!old)
		return;
	/* pg_get_serial_sequence() takes the column name as it is, not as an identifier */
	struct strbuf lit = STRBUF_INIT;
	if (s) {
		add_literal(&lit, qn(s->schema, s->name));
		strbuf_addf(&sb, "SELECT setval(%s", strbuf_str(&lit));
	} else {
		add_literal(&lit, name);
		strbuf_addf(&sb, "SELECT setval(pg_get_serial_sequence(%s, ", strbuf_str(&lit));
		strbuf_reset(&lit);
		add_literal(&lit, to->name);
		strbuf_addf(&sb, "%s)", strbuf_str(&lit));
	}
	strbuf_addf(&sb, ", last_value, is_called) FROM %s;", old_name);
	strbuf_release(&lit);
	push(b, PH_COLUMN, 0, "the identity continues from the serial's sequence", strbuf_detach(&sb));
	if (drop_old)
		stmt(b, PH_COLUMN, "DROP SEQUENCE %s;", old_name);
}

/* ---- guards: rows no statement can give what --to requires ----
 *
 * A column that --to makes NOT NULL, added without a default or existing with NULLs, cannot be
 * filled by a schema migration: the data is not in either schema. ADD COLUMN ... NOT NULL or SET
 * NOT NULL would stop the plan half way ("column ... contains null values"), with part of it
 * applied. So the plan starts with one check of all such columns, which stops it before it
 * changes anything and names each table and column. */

/* The table's name in the database the plan runs on, before any rename of the plan. */
static const char *table_now(const struct builder *b, const struct schema_table *t)
{
	char key[700];
	snprintf(key, sizeof(key), "%s.%s", t->schema, t->name);
	size_t it = 0;
	const char *from_key;
	void *to_key;
	while (strmap_next(&b->renamed, &it, &from_key, &to_key))
		if (!strcmp(to_key, key))
			return qkey(from_key);
	return qn(t->schema, t->name);
}

/* A check of the guard: `query` finds a row that lacks a value; `what` says which and why. */
static void guard_add(struct builder *b, const char *query, const char *what)
{
	strbuf_addstr(&b->guards, "    IF EXISTS (");
	strbuf_addstr(&b->guards, query);
	strbuf_addstr(&b->guards, ") THEN\n      missing := array_append(missing, ");
	add_literal(&b->guards, what);
	strbuf_addstr(&b->guards, ");\n    END IF;\n");
	b->nguards++;
}

static void guards_sql(struct builder *b)
{
	if (!b->nguards)
		return;
	struct strbuf sb = STRBUF_INIT;
	/* the body indented: no line of the plan starts with BEGIN, which reads as a transaction */
	strbuf_addf(&sb, "DO $pgsieve_guard$\n  DECLARE\n    missing text[] := '{}';\n  BEGIN\n%s", strbuf_str(&b->guards));
	strbuf_addstr(&sb, "    IF cardinality(missing) > 0 THEN\n"
			   "      RAISE EXCEPTION 'pgsieve plan stopped before changing anything: rows lack a value "
			   "that --to requires and no statement of the plan can give them: %', "
			   "array_to_string(missing, '; ')\n"
			   "        USING HINT = 'fill them first (or give the column a DEFAULT in --to), then run "
			   "pgsieve diff again';\n"
			   "    END IF;\n  END\n$pgsieve_guard$;");
	push(b, PH_SETUP, 0,
	     "rows that --to requires a value of, which no statement can give them (NOT NULL columns without "
	     "a default): stop here, before anything changes, when there are any",
	     strbuf_detach(&sb));
	strbuf_release(&b->guards);
}

static void column_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_column *from = it->from, *to = it->to;
	const struct schema_table *ft = it->from_table, *tt = it->to_table;
	if (strmap_has(&b->made_way, it->key))
		return; /* make_way_sql() */
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_COLUMN, "ALTER TABLE %s DROP COLUMN %s;", live_table(b, ft), qi(from->name));
		return;
	}
	const char *name = qn(tt->schema, tt->name);
	char object[800];
	snprintf(object, sizeof(object), "COLUMN %s.%s", name, qi(to->name));
	if (it->change == DIFF_ADDED) {
		if (inherited_column(b, tt, to->name))
			return; /* added to the parent, which adds it here */
		char tkey[700];
		snprintf(tkey, sizeof(tkey), "%s.%s", tt->schema, tt->name);
		if (to->not_null && !to->default_expr && !to->identity && !to->generated && !is_new_table(b, tkey)) {
			const char *table = table_now(b, tt);
			char *query = xasprintf("SELECT FROM %s", table);
			char *what = xasprintf("%s has rows, and --to adds the column %s NOT NULL without a default", table,
					       qi(to->name));
			guard_add(b, query, what);
			free(query);
			free(what);
		}
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "ALTER TABLE %s ADD COLUMN ", name);
		column_def(b, &sb, tt, to);
		strbuf_addch(&sb, ';');
		char *note = NULL;
		if (it->probable_rename_of)
			note = xasprintf("probable rename of %s (%s): written as a drop and an add, which loses its "
					 "values; if it is a rename, run pgsieve diff again with --rename %s=%s",
					 it->probable_rename_of, it->evidence, it->probable_rename_of, it->key);
		push(b, PH_COLUMN, 0, note, strbuf_detach(&sb));
		free(note);
		if (to->comment)
			comment(b, object, to->comment);
		return;
	}
	if (g->renamed) {
		char note[900];
		snprintf(note, sizeof(note), "rename of %s to %s: %s", g->renamed->old_key, it->key,
			 g->renamed->evidence ? g->renamed->evidence : "the same type at the same position");
		push(b, PH_RENAME, 0, note,
		     xasprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", name, qi(from->name), qi(to->name)));
	}
	char buf[400];
	const char *blocked = strmap_get(&b->blocked_types, it->key);
	if (blocked && (group_has(g, "type") || group_has(g, "collation")))
		unsupported(b, PH_COLUMN, "the type of %s: %s", object, blocked);
	/* a default is converted with the column: one that does not cast to the new type (text to
	 * an enum) stops ALTER TYPE, so it is dropped first and set again after */
	int default_around = !blocked && (group_has(g, "type") || group_has(g, "collation")) && from->default_expr &&
			     !from->generated;
	if (default_around)
		stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", name, qi(to->name));
	if (!blocked && (group_has(g, "type") || group_has(g, "collation"))) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN %s TYPE %s", name, qi(to->name), type_text(to, buf, sizeof(buf)));
		if (to->collation)
			strbuf_addf(&sb, " COLLATE %s", qcollation(to->collation));
		if (group_has(g, "type") && needs_using(from, to))
			strbuf_addf(&sb, " USING %s::%s", qi(to->name), buf);
		strbuf_addch(&sb, ';');
		push(b, PH_COLUMN, 0, NULL, strbuf_detach(&sb));
	}
	if (group_has(g, "default") || default_around) {
		if (to->default_expr && !to->generated)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", name, qi(to->name),
			     schema_expr_sql(to->default_expr, to->default_sql));
		else if (!to->generated && !default_around)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", name, qi(to->name));
	}
	if (group_has(g, "generated")) {
		if (from->generated && !to->generated && !to->default_expr && b->pg_version >= 13)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION;", name, qi(to->name));
		else if (from->generated && to->generated && b->pg_version >= 17)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET EXPRESSION AS (%s);", name, qi(to->name),
			     schema_expr_sql(to->default_expr, to->default_sql));
		else if (from->generated && to->generated && !column_referenced(b, tt, to->name, 1))
			generated_readd(b, tt, to);
		else
			unsupported(b, PH_COLUMN, "the generation expression of %s differs: PostgreSQL before 17 cannot "
				    "change it, and an index, constraint or view uses the column (drop them, drop and "
				    "add the column, create them again)", object);
	}
	if (group_has(g, "identity")) {
		if (!to->identity)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY;", name, qi(to->name));
		else if (!from->identity)
			identity_add(b, ft, tt, from, to);
		else
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s;", name, qi(to->name),
			     to->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
	}
	if (group_has(g, "not_null") && to->not_null && !from->not_null) {
		const char *table = table_now(b, tt);
		char *query = xasprintf("SELECT FROM %s WHERE %s IS NULL", table, qi(from->name));
		char *what = xasprintf("%s has rows where %s is NULL, and --to makes the column NOT NULL", table,
				       qi(from->name));
		guard_add(b, query, what);
		free(query);
		free(what);
	}
	if (group_has(g, "not_null")) {
		if (!to->not_null)
			stmt(b, PH_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;", name, qi(to->name));
		else
			not_null_sql(b, tt, to);
	}
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

static void constraint_add(struct builder *b, const struct schema_table *t, const struct schema_constraint *c)
{
	const char *name = qn(t->schema, t->name);
	char key[700];
	snprintf(key, sizeof(key), "%s.%s", t->schema, t->name);
	int fresh = is_new_table(b, key);
	enum phase ph = c->type == SCHEMA_CON_FOREIGN || c->type == SCHEMA_CON_CHECK ? PH_CONSTRAINT : PH_KEY;
	struct strbuf sb = STRBUF_INIT;
	if (!fresh && (c->type == SCHEMA_CON_PRIMARY || c->type == SCHEMA_CON_UNIQUE)) {
		/* the index is built without blocking writes, then becomes the constraint */
		strbuf_addf(&sb, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (", qi(c->name), name);
		name_list(&sb, &c->columns);
		strbuf_addch(&sb, ')');
		if (c->include.n) {
			strbuf_addstr(&sb, " INCLUDE (");
			name_list(&sb, &c->include);
			strbuf_addch(&sb, ')');
		}
		if (c->nulls_not_distinct)
			strbuf_addstr(&sb, " NULLS NOT DISTINCT");
		strbuf_addch(&sb, ';');
		push(b, ph, 1, NULL, strbuf_detach(&sb));
		stmt(b, ph, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s%s;", name, qi(c->name),
		     c->type == SCHEMA_CON_PRIMARY ? "PRIMARY KEY" : "UNIQUE", qi(c->name),
		     c->deferrable ? (c->deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE") : "");
	} else {
		int online = !fresh && (c->type == SCHEMA_CON_FOREIGN || c->type == SCHEMA_CON_CHECK);
		strbuf_addf(&sb, "ALTER TABLE %s ADD CONSTRAINT %s ", name, qi(c->name));
		constraint_def(&sb, c);
		if (online || !c->validated)
			strbuf_addstr(&sb, " NOT VALID");
		strbuf_addch(&sb, ';');
		push(b, ph, 0, NULL, strbuf_detach(&sb));
		if (online && c->validated)
			stmt(b, ph, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", name, qi(c->name));
	}
	if (c->comment) {
		char object[900];
		snprintf(object, sizeof(object), "CONSTRAINT %s ON %s", qi(c->name), name);
		comment(b, object, c->comment);
	}
}

static void constraint_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_constraint *from = it->from, *to = it->to;
	const struct schema_table *ft = it->from_table, *tt = it->to_table;
	char handled[900];
	snprintf(handled, sizeof(handled), "%s.%s.%s", ft ? ft->schema : tt->schema, ft ? ft->name : tt->name,
		 from ? from->name : to->name);
	strmap_put(&b->handled_constraints, handled, (void *)1);
	if (it->change == DIFF_DROPPED && from->type == SCHEMA_CON_FOREIGN) {
		/* first: nothing in the plan needs it, and it stands in the way of a type change of
		 * its columns ("cannot be implemented") and of replacing the key it references */
		stmt(b, PH_DROP_EARLY, "ALTER TABLE %s DROP CONSTRAINT %s;", qn(ft->schema, ft->name), qi(from->name));
		return;
	}
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_CONSTRAINT, "ALTER TABLE %s DROP CONSTRAINT %s;", live_table(b, ft), qi(from->name));
		return;
	}
	if (it->change == DIFF_ADDED) {
		constraint_add(b, tt, to);
		return;
	}
	const char *name = qn(tt->schema, tt->name);
	if (g->renamed) {
		char note[900];
		snprintf(note, sizeof(note), "rename of %s to %s: the same definition", g->renamed->old_key, it->key);
		push(b, PH_RENAME, 0, note,
		     xasprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s;", name, qi(from->name), qi(to->name)));
	}
	static const char *const in_place[] = { "validated", "comment", "deferrable", "deferred", NULL };
	if (group_only(g, in_place) && (!group_has(g, "validated") || to->validated) &&
	    (!(group_has(g, "deferrable") || group_has(g, "deferred")) || to->type == SCHEMA_CON_FOREIGN)) {
		if (group_has(g, "validated"))
			stmt(b, PH_CONSTRAINT, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", name, qi(to->name));
		if (group_has(g, "deferrable") || group_has(g, "deferred"))
			stmt(b, PH_CONSTRAINT, "ALTER TABLE %s ALTER CONSTRAINT %s %s;", name, qi(to->name),
			     !to->deferrable ? "NOT DEFERRABLE"
			     : to->deferred	 ? "DEFERRABLE INITIALLY DEFERRED"
						 : "DEFERRABLE INITIALLY IMMEDIATE");
		if (group_has(g, "comment")) {
			char object[900];
			snprintf(object, sizeof(object), "CONSTRAINT %s ON %s", qi(to->name), name);
			comment(b, object, to->comment);
		}
		return;
	}
	/* anything else: the constraint is dropped and added as `to` has it */
	stmt(b, PH_DROP_EARLY, "ALTER TABLE %s DROP CONSTRAINT %s;", qn(ft->schema, ft->name), qi(from->name));
	constraint_add(b, tt, to);
	if (from->type == SCHEMA_CON_PRIMARY || from->type == SCHEMA_CON_UNIQUE) {
		char key[700];
		snprintf(key, sizeof(key), "%s.%s", ft->schema, ft->name);
		strmap_put(&b->replaced_keys, key, (void *)1);
	}
}

/* The foreign keys that reference a key the plan replaces, and are otherwise the same: PostgreSQL
 * refuses to drop the key while they depend on its index ("cannot drop constraint ... because
 * other objects depend on it"), so they are dropped first and added again after it. */
static void foreign_keys_around(struct builder *b)
{
	if (!b->replaced_keys.count)
		return;
	size_t n;
	const char **keys = schema_sorted_keys(&b->d->from->tables, &n);
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *ft = strmap_get(&b->d->from->tables, keys[i]);
		const struct schema_table *tt = strmap_get(&b->d->to->tables, keys[i]);
		for (size_t k = 0; tt && k < ft->nconstraints; k++) {
			const struct schema_constraint *c = &ft->constraints[k];
			if (c->type != SCHEMA_CON_FOREIGN || !c->ref_table || !strmap_has(&b->replaced_keys, c->ref_table))
				continue;
			char handled[900];
			snprintf(handled, sizeof(handled), "%s.%s", keys[i], c->name);
			const struct schema_constraint *n2 = NULL;
			for (size_t j = 0; j < tt->nconstraints; j++)
				if (!strcmp(tt->constraints[j].name, c->name))
					n2 = &tt->constraints[j];
			if (!n2 || strmap_has(&b->handled_constraints, handled))
				continue;
			stmt(b, PH_DROP_EARLY, "ALTER TABLE %s DROP CONSTRAINT %s;", qn(ft->schema, ft->name), qi(c->name));
			constraint_add(b, tt, n2);
		}
	}
	free(keys);
}

/* An index's definition after its table: USING, the columns, INCLUDE, WITH, WHERE. */
static void index_tail(struct strbuf *sb, const struct schema_index *ix)
{
	if (ix->method && strcmp(ix->method, "btree"))
		strbuf_addf(sb, " USING %s", ix->method);
	strbuf_addstr(sb, " (");
	elems_sql(sb, ix->elems, ix->nelems);
	strbuf_addch(sb, ')');
	if (ix->include.n) {
		strbuf_addstr(sb, " INCLUDE (");
		name_list(sb, &ix->include);
		strbuf_addch(sb, ')');
	}
	if (ix->unique && ix->nulls_not_distinct)
		strbuf_addstr(sb, " NULLS NOT DISTINCT");
	if (ix->options.n) {
		strbuf_addstr(sb, " WITH (");
		for (size_t i = 0; i < ix->options.n; i++)
			strbuf_addf(sb, "%s%s", i ? ", " : "", ix->options.items[i]);
		strbuf_addch(sb, ')');
	}
	if (ix->predicate)
		strbuf_addf(sb, " WHERE %s", schema_expr_sql(ix->predicate, ix->predicate_sql));
}

/* An index on an existing partitioned table: CREATE INDEX CONCURRENTLY refuses a partitioned
 * table, and a plain CREATE INDEX locks every partition against writes while it builds. The
 * recipe of the PostgreSQL documentation (5.11.2.2, "Partition Maintenance"): the parent's index
 * created ON ONLY the parent (invalid, no build), each partition's built CONCURRENTLY and
 * attached, which makes the parent's valid once all are. A partition's index is named as
 * PostgreSQL names the ones it creates itself (partition_column_idx), so the result is the
 * schema a plain CREATE INDEX gives. A partition that is partitioned itself gets the same. */
static void index_partitioned(struct builder *b, const struct schema_index *ix, const char *schema, const char *name,
			      const char *table_key, int depth)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE %sINDEX %s ON ONLY %s", ix->unique ? "UNIQUE " : "", qi(name), qkey(table_key));
	index_tail(&sb, ix);
	strbuf_addch(&sb, ';');
	push(b, PH_INDEX, 0, NULL, strbuf_detach(&sb));
	size_t n;
	const char **keys = schema_sorted_keys(&b->d->to->tables, &n);
	struct strbuf part = STRBUF_INIT;
	for (size_t e = 0; e < ix->nelems; e++)
		strbuf_addf(&part, "%s%s", e ? "_" : "", ix->elems[e].column ? ix->elems[e].column : "expr");
	for (size_t i = 0; i < n; i++) {
		const struct schema_table *t = strmap_get(&b->d->to->tables, keys[i]);
		if (!t->partition_of || strcmp(t->partition_of, table_key))
			continue;
		char *child = schema_choose_relation_name(b->d->to, t->schema, t->name, strbuf_str(&part), "idx");
		if (t->kind == 'p' && depth < 32) {
			index_partitioned(b, ix, t->schema, child, keys[i], depth + 1);
		} else {
			strbuf_addf(&sb, "CREATE %sINDEX CONCURRENTLY %s ON %s", ix->unique ? "UNIQUE " : "", qi(child),
				    qkey(keys[i]));
			index_tail(&sb, ix);
			strbuf_addch(&sb, ';');
			push(b, PH_INDEX, 1, NULL, strbuf_detach(&sb));
		}
		stmt(b, PH_INDEX, "ALTER INDEX %s ATTACH PARTITION %s;", qn(schema, name), qn(t->schema, child));
		free(child);
	}
	strbuf_release(&part);
	free(keys);
}

static void index_create(struct builder *b, const struct schema_index *ix)
{
	int fresh = is_new_table(b, ix->table_key) || strmap_has(&b->rebuilt_views, ix->table_key);
	const struct schema_table *t = strmap_get(&b->d->to->tables, ix->table_key);
	if (!fresh && t && t->kind == 'p') {
		index_partitioned(b, ix, ix->schema, ix->name, ix->table_key, 0);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "CREATE %sINDEX %s%s ON %s", ix->unique ? "UNIQUE " : "", fresh ? "" : "CONCURRENTLY ",
			    qi(ix->name), qkey(ix->table_key));
		index_tail(&sb, ix);
		strbuf_addch(&sb, ';');
		push(b, PH_INDEX, !fresh, NULL, strbuf_detach(&sb));
	}
	if (ix->comment) {
		char object[700];
		snprintf(object, sizeof(object), "INDEX %s", qn(ix->schema, ix->name));
		comment(b, object, ix->comment);
	}
}

/* Whether a relation of `from` is gone with its table (dropped, not renamed). */
static int table_dropped(const struct builder *b, const char *from_key)
{
	const char *to_key = strmap_get(&b->renamed, from_key);
	return !strmap_has(&b->d->to->tables, to_key ? to_key : from_key) &&
	       !strmap_has(&b->d->to->views, to_key ? to_key : from_key);
}

static void index_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_index *from = it->from, *to = it->to;
	if (it->change == DIFF_DROPPED) {
		if (!table_dropped(b, from->table_key) && !strmap_has(&b->rebuilt_views, from->table_key))
			stmt(b, PH_DROP_INDEX, "DROP INDEX CONCURRENTLY %s;", qn(from->schema, from->name));
		return;
	}
	if (it->change == DIFF_ADDED) {
		index_create(b, to);
		return;
	}
	if (g->renamed) {
		char note[900];
		snprintf(note, sizeof(note), "rename of %s to %s: the same definition", g->renamed->old_key, it->key);
		/* an index moves with its table's SET SCHEMA: then it is only renamed, in its new schema */
		if (strcmp(from->name, to->name))
			push(b, PH_RENAME, 0, note,
			     xasprintf("ALTER INDEX %s RENAME TO %s;", qn(to->schema, from->name), qi(to->name)));
	}
	static const char *const comment_only[] = { "comment", NULL };
	if (group_only(g, comment_only)) {
		if (group_has(g, "comment")) {
			char object[700];
			snprintf(object, sizeof(object), "INDEX %s", qn(to->schema, to->name));
			comment(b, object, to->comment);
		}
		return;
	}
	stmt(b, PH_DROP_EARLY, "DROP INDEX CONCURRENTLY %s;", qn(from->schema, from->name));
	index_create(b, to);
}

static const char *view_kw(const struct schema_view *v)
{
	return v->materialized ? "MATERIALIZED VIEW" : "VIEW";
}

static void view_create(struct builder *b, const struct schema_view *v)
{
	struct strbuf sb = STRBUF_INIT;
	const char *name = qn(v->schema, v->name);
	strbuf_addf(&sb, "CREATE %s %s", view_kw(v), name);
	if (v->options.n) {
		strbuf_addstr(&sb, " WITH (");
		for (size_t i = 0; i < v->options.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", v->options.items[i]);
		strbuf_addch(&sb, ')');
	}
	strbuf_addf(&sb, " AS %s;", v->definition ? schema_expr_sql(v->definition, v->definition_sql) : "SELECT");
	push(b, PH_VIEW, 0, NULL, strbuf_detach(&sb));
	char object[700];
	snprintf(object, sizeof(object), "TABLE %s", name);
	grants(b, object, NULL, &v->acl);
	if (v->comment) {
		snprintf(object, sizeof(object), "%s %s", view_kw(v), name);
		comment(b, object, v->comment);
	}
}

/* ---- views: which are rebuilt, in which order ---- */

/* Whether the view reads a column whose type or collation changes, or a view being rebuilt. */
/* Whether a view's query calls one of the functions (their bare names) that the plan drops and
 * creates again: PostgreSQL refuses to drop a function a view calls. Read from the text, so a
 * column or alias of the same name followed by "(" also counts: the view is then rebuilt for
 * nothing, which is safe. */
static int view_calls(const struct schema_view *v, const struct strmap *functions)
{
	const char *d = v->definition;
	if (!d || !functions->count)
		return 0;
	for (const char *p = d; (p = strchr(p, '(')); p++) {
		const char *e = p;
		while (e > d && (e[-1] == ' '))
			e--;
		const char *s = e;
		while (s > d && (isalnum((unsigned char)s[-1]) || s[-1] == '_' || s[-1] == '"'))
			s--;
		if (s == e)
			continue;
		char name[300];
		snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
		if (name[0] == '"' && strlen(name) > 1 && name[strlen(name) - 1] == '"') {
			memmove(name, name + 1, strlen(name));
			name[strlen(name) - 1] = '\0';
		}
		if (strmap_has(functions, name))
			return 1;
	}
	return 0;
}

static int view_blocked(const struct builder *b, const struct schema_view *v, const struct strmap *changed_columns)
{
	if (view_calls(v, &b->recreated_functions))
		return 1;
	for (size_t i = 0; i < v->depends_on_columns.n; i++)
		if (strmap_has(changed_columns, v->depends_on_columns.items[i]))
			return 1;
	for (size_t i = 0; i < v->depends_on.n; i++)
		if (strmap_has(&b->rebuilt_views, v->depends_on.items[i]))
			return 1;
	return 0;
}

/* Views in dependency order: each after the views of `set` it reads. */
static void visit_view(const struct schema_model *m, const struct strmap *set, const char *key, struct strmap *seen,
		       const struct schema_view ***out, size_t *n, size_t *cap)
{
	if (strmap_has(seen, key))
		return;
	strmap_put(seen, key, (void *)1);
	const struct schema_view *v = strmap_get(&m->views, key);
	if (!v)
		return;
	for (size_t i = 0; i < v->depends_on.n; i++)
		if (strmap_has(set, v->depends_on.items[i]))
			visit_view(m, set, v->depends_on.items[i], seen, out, n, cap);
	XGROW(*out, *n + 1, *cap);
	(*out)[(*n)++] = v;
}

static size_t views_ordered(const struct schema_model *m, const struct strmap *set, const struct schema_view ***out)
{
	size_t nkeys, n = 0, cap = 0;
	const char **keys = schema_sorted_keys(set, &nkeys);
	struct strmap seen = STRMAP_INIT;
	*out = NULL;
	for (size_t i = 0; i < nkeys; i++)
		visit_view(m, set, keys[i], &seen, out, &n, &cap);
	strmap_release(&seen);
	free(keys);
	return n;
}

static void views_sql(struct builder *b)
{
	const struct diff *d = b->d;
	struct strmap changed_columns = STRMAP_INIT; /* "schema.table.column" of `from` */
	struct strmap to_drop = STRMAP_INIT, to_create = STRMAP_INIT, late_drop = STRMAP_INIT;
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		if (it->kind == DIFF_COLUMN && it->change == DIFF_CHANGED && it->attribute &&
		    (!strcmp(it->attribute, "type") || !strcmp(it->attribute, "collation"))) {
			char *k = xasprintf("%s.%s.%s", it->from_table->schema, it->from_table->name,
					    ((const struct schema_column *)it->from)->name);
			strmap_put(&changed_columns, k, (void *)1);
			free(k);
		}
		if (it->kind != DIFF_VIEW)
			continue;
		if (it->change == DIFF_ADDED) {
			strmap_put(&to_create, it->key, (void *)1);
		} else if (it->change == DIFF_DROPPED) {
			strmap_put(&late_drop, it->key, (void *)1);
		} else if (it->attribute && strcmp(it->attribute, "comment") && strcmp(it->attribute, "grants")) {
			strmap_put(&b->rebuilt_views, it->key, (void *)1);
		}
	}
	/* a generated column dropped and added again (make_way_sql) takes its views along too */
	size_t ri = 0;
	const char *rkey;
	while (strmap_next(&b->readded_columns, &ri, &rkey, NULL))
		strmap_put(&changed_columns, rkey, (void *)1);
	/* views of both models that must make way for a column change or a rebuilt view; a
	 * dropped view in the way goes early too */
	for (int changed = 1; changed;) {
		changed = 0;
		size_t it = 0;
		const char *key;
		void *v;
		while (strmap_next(&d->from->views, &it, &key, &v)) {
			if (strmap_has(&b->rebuilt_views, key) || !view_blocked(b, v, &changed_columns))
				continue;
			if (strmap_has(&d->to->views, key)) {
				strmap_put(&b->rebuilt_views, key, (void *)1);
				changed = 1;
				break; /* the map changed: start over */
			}
			if (strmap_remove(&late_drop, key))
				strmap_put(&to_drop, key, (void *)1);
		}
	}
	size_t it = 0;
	const char *key;
	while (strmap_next(&b->rebuilt_views, &it, &key, NULL)) {
		strmap_put(&to_drop, key, (void *)1);
		strmap_put(&to_create, key, (void *)1);
	}
	const struct schema_view **order;
	size_t n = views_ordered(d->from, &to_drop, &order);
	for (size_t i = n; i-- > 0;)
		stmt(b, PH_DROP_EARLY, "DROP %s %s;", view_kw(order[i]), qn(order[i]->schema, order[i]->name));
	free(order);
	n = views_ordered(d->from, &late_drop, &order);
	for (size_t i = n; i-- > 0;)
		stmt(b, PH_DROP_VIEW, "DROP %s %s;", view_kw(order[i]), qn(order[i]->schema, order[i]->name));
	free(order);
	n = views_ordered(d->to, &to_create, &order);
	for (size_t i = 0; i < n; i++) {
		view_create(b, order[i]);
		/* the indexes of a rebuilt materialized view go with it: create them again */
		char vk[700];
		snprintf(vk, sizeof(vk), "%s.%s", order[i]->schema, order[i]->name);
		if (order[i]->materialized && strmap_has(&b->rebuilt_views, vk)) {
			size_t ni;
			const char **ik = schema_sorted_keys(&d->to->indexes, &ni);
			for (size_t k = 0; k < ni; k++) {
				const struct schema_index *ix = strmap_get(&d->to->indexes, ik[k]);
				if (!strcmp(ix->table_key, vk) && strmap_has(&d->from->indexes, ik[k]))
					index_create(b, ix);
			}
			free(ik);
		}
	}
	free(order);
	/* grants and comments of the views that stay */
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *x = &d->items[i];
		if (x->kind != DIFF_VIEW || x->change != DIFF_CHANGED || strmap_has(&b->rebuilt_views, x->key))
			continue;
		const struct schema_view *from = x->from, *to = x->to;
		char object[700];
		if (!strcmp(x->attribute, "grants")) {
			snprintf(object, sizeof(object), "TABLE %s", qn(to->schema, to->name));
			grants(b, object, &from->acl, &to->acl);
		} else if (!strcmp(x->attribute, "comment")) {
			snprintf(object, sizeof(object), "%s %s", view_kw(to), qn(to->schema, to->name));
			comment(b, object, to->comment);
		}
	}
	strmap_release(&changed_columns);
	strmap_release(&to_drop);
	strmap_release(&to_create);
	strmap_release(&late_drop);
}

/* ---- functions, triggers, policies ---- */

/* A body in dollar quotes whose tag the body does not contain. */
static void add_body(struct strbuf *sb, const char *body)
{
	char tag[32] = "$$";
	for (int i = 0; strstr(body, tag); i++)
		snprintf(tag, sizeof(tag), "$body%d$", i);
	strbuf_addf(sb, "%s%s%s", tag, body, tag);
}

/* Whether a signature ("SETOF public.orders", "t public.orders, n int4") names a table or view
 * of `to`: a row type that exists only once the relation does. */
static int names_relation(const struct builder *b, const char *text)
{
	if (!text)
		return 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, " ,()[]");
		if (len && memchr(p, '.', len)) {
			char tok[700], schema[300], name[300], key[700];
			snprintf(tok, sizeof(tok), "%.*s", (int)len, p);
			if (schema_parse_qualified(tok, schema, sizeof(schema), name, sizeof(name)) == 0 && schema[0]) {
				schema_key(key, sizeof(key), schema, name);
				if (strmap_has(&b->d->to->tables, key) || strmap_has(&b->d->to->views, key))
					return 1;
			}
		}
		p += len + (p[len] != '\0');
	}
	return 0;
}

/* Functions are created before the tables (defaults, CHECKs, generated columns and index
 * expressions call them), with check_function_bodies off so a body may name a table created
 * later; only those that cannot come first come after the tables: a signature with a table's
 * row type, a BEGIN ATOMIC body (parsed and bound at creation). */
static enum phase function_phase(const struct builder *b, const struct schema_function *f)
{
	if ((f->body && !strncmp(f->body, "BEGIN ATOMIC", 12)) || names_relation(b, f->returns) ||
	    names_relation(b, f->arguments))
		return PH_FUNCTION;
	return PH_FUNCTION_EARLY;
}

static void function_create(struct builder *b, const struct schema_function *f, int replace)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE %s%s %s(%s)", replace ? "OR REPLACE " : "", f->kind == 'p' ? "PROCEDURE" : "FUNCTION",
		    qn(f->schema, f->name), f->arguments ? f->arguments : "");
	if (f->kind != 'p' && f->returns)
		strbuf_addf(&sb, " RETURNS %s", f->returns);
	strbuf_addf(&sb, " LANGUAGE %s", f->language ? f->language : "sql");
	if (f->kind != 'p') {
		strbuf_addstr(&sb, f->volatility == 'i' ? " IMMUTABLE" : f->volatility == 's' ? " STABLE" : " VOLATILE");
		if (f->strict)
			strbuf_addstr(&sb, " STRICT");
		if (f->leakproof)
			strbuf_addstr(&sb, " LEAKPROOF");
		strbuf_addstr(&sb, f->parallel == 's' ? " PARALLEL SAFE" : f->parallel == 'r' ? " PARALLEL RESTRICTED" : "");
	}
	if (f->security_definer)
		strbuf_addstr(&sb, " SECURITY DEFINER");
	for (size_t i = 0; i < f->config.n; i++) {
		const char *c = f->config.items[i], *eq = strchr(c, '=');
		if (!eq) {
			strbuf_addf(&sb, " SET %s", c); /* "name FROM CURRENT" */
			continue;
		}
		strbuf_addf(&sb, " SET %.*s TO ", (int)(eq - c), c);
		/* each value of the list as a literal, as pg_get_functiondef() writes them */
		for (const char *v = eq + 1; *v;) {
			size_t len = strcspn(v, ",");
			char *one = xstrndup(v, len);
			char *s = one;
			while (*s == ' ')
				s++;
			size_t sl = strlen(s);
			if (sl >= 2 && s[0] == '\'' && s[sl - 1] == '\'') {
				s[sl - 1] = '\0';
				s++;
			}
			if (v != eq + 1)
				strbuf_addstr(&sb, ", ");
			add_literal(&sb, s);
			free(one);
			v += len + (v[len] == ',');
		}
	}
	const char *body = f->body ? schema_expr_sql(f->body, f->body_sql) : "";
	if (!strncmp(body, "BEGIN ATOMIC", 12)) {
		strbuf_addf(&sb, " %s;", body);
	} else {
		strbuf_addstr(&sb, " AS ");
		add_body(&sb, body);
		strbuf_addch(&sb, ';');
	}
	push(b, function_phase(b, f), 0, NULL, strbuf_detach(&sb));
}

static void function_object(char *buf, size_t size, const struct schema_function *f)
{
	snprintf(buf, size, "%s %s(%s)", f->kind == 'p' ? "PROCEDURE" : "FUNCTION", qn(f->schema, f->name),
		 f->identity_args ? f->identity_args : "");
}

static void function_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_function *from = it->from, *to = it->to;
	char object[1200];
	function_object(object, sizeof(object), to ? to : from);
	/* what CREATE FUNCTION gives everyone, as the model has it */
	struct schema_grant public_execute = { (char *)"PUBLIC", (char *)"EXECUTE", 0 };
	struct schema_acl fresh_acl = { &public_execute, 1, 1 };
	if (it->change == DIFF_DROPPED) {
		stmt(b, PH_DROP_FUNCTION, "DROP %s;", object);
		return;
	}
	if (it->change == DIFF_ADDED) {
		function_create(b, to, 0);
		grants(b, object, &fresh_acl, &to->acl);
		if (to->comment)
			comment(b, object, to->comment);
		return;
	}
	static const char *const acl_comment[] = { "grants", "comment", NULL };
	if (!group_only(g, acl_comment)) {
		if (group_has(g, "arguments") || group_has(g, "returns") || group_has(g, "kind")) {
			char old[1200];
			function_object(old, sizeof(old), from);
			stmt(b, PH_DROP_EARLY, "DROP %s;", old);
			function_create(b, to, 0);
			grants(b, object, &fresh_acl, &to->acl);
			if (to->comment)
				comment(b, object, to->comment);
			return;
		}
		function_create(b, to, 1);
	}
	if (group_has(g, "grants"))
		grants(b, object, &from->acl, &to->acl);
	if (group_has(g, "comment"))
		comment(b, object, to->comment);
}

static void trigger_create(struct builder *b, const struct schema_trigger *t)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE %sTRIGGER %s %s", t->is_constraint ? "CONSTRAINT " : "", qi(t->name),
		    t->timing == 'B' ? "BEFORE" : t->timing == 'I' ? "INSTEAD OF" : "AFTER");
	static const char *const events[] = { "INSERT", "DELETE", "UPDATE", "TRUNCATE" };
	int first = 1;
	for (int i = 0; i < 4; i++) {
		if (!(t->events & (1u << i)))
			continue;
		strbuf_addf(&sb, "%s%s", first ? " " : " OR ", events[i]);
		first = 0;
		if (i == 2 && t->update_columns.n) {
			strbuf_addstr(&sb, " OF ");
			name_list(&sb, &t->update_columns);
		}
	}
	strbuf_addf(&sb, " ON %s", qkey(t->table_key));
	if (t->old_table || t->new_table) {
		strbuf_addstr(&sb, " REFERENCING");
		if (t->old_table)
			strbuf_addf(&sb, " OLD TABLE AS %s", qi(t->old_table));
		if (t->new_table)
			strbuf_addf(&sb, " NEW TABLE AS %s", qi(t->new_table));
	}
	if (t->is_constraint && t->deferrable)
		strbuf_addf(&sb, " DEFERRABLE INITIALLY %s", t->deferred ? "DEFERRED" : "IMMEDIATE");
	strbuf_addf(&sb, " FOR EACH %s", t->for_each_row ? "ROW" : "STATEMENT");
	if (t->when_expr)
		strbuf_addf(&sb, " WHEN (%s)", schema_expr_sql(t->when_expr, t->when_sql));
	strbuf_addf(&sb, " EXECUTE FUNCTION %s(", t->function ? qkey(t->function) : "?");
	for (size_t i = 0; i < t->args.n; i++) {
		if (i)
			strbuf_addstr(&sb, ", ");
		add_literal(&sb, t->args.items[i]);
	}
	strbuf_addstr(&sb, ");");
	push(b, PH_TRIGGER, 0, NULL, strbuf_detach(&sb));
	if (t->enabled && t->enabled != 'O')
		stmt(b, PH_TRIGGER, "ALTER TABLE %s %s TRIGGER %s;", qkey(t->table_key),
		     t->enabled == 'D' ? "DISABLE" : t->enabled == 'R' ? "ENABLE REPLICA" : "ENABLE ALWAYS", qi(t->name));
	if (t->comment) {
		char object[900];
		snprintf(object, sizeof(object), "TRIGGER %s ON %s", qi(t->name), qkey(t->table_key));
		comment(b, object, t->comment);
	}
}

static void trigger_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_trigger *from = it->from, *to = it->to;
	if (strmap_has(&b->made_way, it->key))
		return; /* make_way_sql() */
	if (it->change == DIFF_DROPPED) {
		if (!table_dropped(b, from->table_key))
			stmt(b, PH_DROP_TRIGGER, "DROP TRIGGER %s ON %s;", qi(from->name), live_key(b, from->table_key));
		return;
	}
	if (it->change == DIFF_ADDED) {
		trigger_create(b, to);
		return;
	}
	static const char *const light[] = { "comment", "enabled", NULL };
	if (group_only(g, light)) {
		if (group_has(g, "enabled"))
			stmt(b, PH_TRIGGER, "ALTER TABLE %s %s TRIGGER %s;", qkey(to->table_key),
			     to->enabled == 'D' ? "DISABLE" : to->enabled == 'R' ? "ENABLE REPLICA"
							  : to->enabled == 'A' ? "ENABLE ALWAYS" : "ENABLE",
			     qi(to->name));
		if (group_has(g, "comment")) {
			char object[900];
			snprintf(object, sizeof(object), "TRIGGER %s ON %s", qi(to->name), qkey(to->table_key));
			comment(b, object, to->comment);
		}
		return;
	}
	stmt(b, PH_DROP_EARLY, "DROP TRIGGER %s ON %s;", qi(from->name), qkey(from->table_key));
	trigger_create(b, to);
}

static void policy_create(struct builder *b, const struct schema_policy *p)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE POLICY %s ON %s AS %s FOR %s TO ", qi(p->name), qkey(p->table_key),
		    p->permissive ? "PERMISSIVE" : "RESTRICTIVE", p->command ? p->command : "ALL");
	for (size_t i = 0; i < p->roles.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", grantee_sql(p->roles.items[i]));
	if (!p->roles.n)
		strbuf_addstr(&sb, "PUBLIC");
	if (p->using_expr)
		strbuf_addf(&sb, " USING (%s)", schema_expr_sql(p->using_expr, p->using_sql));
	if (p->check_expr)
		strbuf_addf(&sb, " WITH CHECK (%s)", schema_expr_sql(p->check_expr, p->check_sql));
	strbuf_addch(&sb, ';');
	push(b, PH_POLICY, 0, NULL, strbuf_detach(&sb));
	if (p->comment) {
		char object[900];
		snprintf(object, sizeof(object), "POLICY %s ON %s", qi(p->name), qkey(p->table_key));
		comment(b, object, p->comment);
	}
}

static void policy_sql(struct builder *b, const struct group *g)
{
	const struct diff_item *it = g->first;
	const struct schema_policy *from = it->from, *to = it->to;
	if (strmap_has(&b->made_way, it->key))
		return; /* make_way_sql() */
	if (it->change == DIFF_DROPPED) {
		if (!table_dropped(b, from->table_key))
			stmt(b, PH_DROP_TRIGGER, "DROP POLICY %s ON %s;", qi(from->name), live_key(b, from->table_key));
		return;
	}
	if (it->change == DIFF_ADDED) {
		policy_create(b, to);
		return;
	}
	static const char *const comment_only[] = { "comment", NULL };
	if (group_only(g, comment_only)) {
		char object[900];
		snprintf(object, sizeof(object), "POLICY %s ON %s", qi(to->name), qkey(to->table_key));
		comment(b, object, to->comment);
		return;
	}
	stmt(b, PH_DROP_EARLY, "DROP POLICY %s ON %s;", qi(from->name), qkey(from->table_key));
	policy_create(b, to);
}

/* ---- what a column type change makes way for ---- */

/* PostgreSQL refuses to change the type of a column that a trigger's WHEN or UPDATE OF, a
 * policy or a generated column reads ("cannot alter type of a column used in a trigger
 * definition", "... in a policy definition", "... by a generated column"; views are
 * views_sql()'s). So they are dropped first and created again after, as `to` has them (not at
 * all when `to` has them no more). A generated column is dropped and added again, which
 * computes it for every row; one that an index or a constraint uses is not, and the type change
 * is left as a note instead. Their own items then write nothing (made_way). */
static void make_way_sql(struct builder *b)
{
	const struct diff *d = b->d;
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		if (it->kind != DIFF_COLUMN || it->change != DIFF_CHANGED || !it->attribute ||
		    (strcmp(it->attribute, "type") && strcmp(it->attribute, "collation")))
			continue;
		char table[700];
		snprintf(table, sizeof(table), "%s.%s", it->from_table->schema, it->from_table->name);
		struct schema_dep_object target = { SCHEMA_DEP_COLUMN, table, ((const struct schema_column *)it->from)->name };
		struct schema_dependents deps = { 0 };
		schema_dependents(d->from, &target, 1, &deps);
		for (size_t k = 0; k < deps.n; k++) {
			const struct schema_dependent *dep = &deps.items[k];
			if (dep->kind != SCHEMA_DEP_TRIGGER && dep->kind != SCHEMA_DEP_POLICY && dep->kind != SCHEMA_DEP_COLUMN)
				continue;
			char *key = xasprintf("%s.%s", dep->key, dep->sub);
			if (strmap_has(&b->made_way, key) || strmap_has(&b->blocked_types, it->key)) {
				free(key);
				continue;
			}
			if (dep->kind == SCHEMA_DEP_TRIGGER) {
				const struct schema_trigger *to = strmap_get(&d->to->triggers, key);
				stmt(b, PH_DROP_EARLY, "DROP TRIGGER %s ON %s;", qi(dep->sub), qkey(dep->key));
				if (to)
					trigger_create(b, to);
			} else if (dep->kind == SCHEMA_DEP_POLICY) {
				const struct schema_policy *to = strmap_get(&d->to->policies, key);
				stmt(b, PH_DROP_EARLY, "DROP POLICY %s ON %s;", qi(dep->sub), qkey(dep->key));
				if (to)
					policy_create(b, to);
			} else {
				const struct schema_table *tt = strmap_get(&d->to->tables, dep->key);
				const struct schema_column *tc = tt ? schema_column_find(tt, dep->sub) : NULL;
				if (tc && (!tc->generated || column_referenced(b, tt, tc->name, 0))) {
					char *why = xasprintf("PostgreSQL refuses it while the generated column %s.%s reads the "
							      "column, and that column cannot be dropped and added again "
							      "around the change (%s); drop what uses it, change the type, "
							      "and create them again",
							      qkey(dep->key), qi(dep->sub),
							      tc->generated ? "an index or a constraint uses it"
									    : "--to makes it a plain column, whose values would be lost");
					strmap_put(&b->blocked_types, it->key, why);
					free(key);
					continue;
				}
				push(b, PH_DROP_GENERATED, 0,
				     tc ? "a generated column reads a column whose type changes, which PostgreSQL refuses "
					  "while it exists: it is dropped and added again, computing it for every row "
					  "(a table rewrite)"
					: NULL,
				     xasprintf("ALTER TABLE %s DROP COLUMN %s;", qkey(dep->key), qi(dep->sub)));
				if (tc) {
					struct strbuf sb = STRBUF_INIT;
					strbuf_addf(&sb, "ALTER TABLE %s ADD COLUMN ", qn(tt->schema, tt->name));
					column_def(b, &sb, tt, tc);
					strbuf_addch(&sb, ';');
					push(b, PH_COLUMN_READD, 0, NULL, strbuf_detach(&sb));
					if (tc->comment) {
						char object[800];
						snprintf(object, sizeof(object), "COLUMN %s.%s", qn(tt->schema, tt->name),
							 qi(tc->name));
						comment(b, object, tc->comment);
					}
				}
				strmap_put(&b->readded_columns, key, (void *)1);
			}
			strmap_put(&b->made_way, key, (void *)1);
			free(key);
		}
		schema_dependents_release(&deps);
	}
}

/* ---- the plan ---- */

static void prepare(struct builder *b)
{
	const struct diff *d = b->d;
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		if (it->kind == DIFF_TABLE && it->change == DIFF_ADDED)
			strmap_put(&b->new_tables, it->key, (void *)1);
		if (it->kind == DIFF_VIEW && it->change == DIFF_ADDED)
			strmap_put(&b->new_tables, it->key, (void *)1);
		if (it->kind == DIFF_TABLE && it->change == DIFF_RENAMED)
			strmap_put(&b->renamed, it->old_key, (void *)it->key);
		if (it->kind == DIFF_TABLE && it->change == DIFF_ADDED && it->probable_rename_of)
			strmap_put(&b->probable_tables, it->key, (void *)it);
		if (it->kind == DIFF_FUNCTION && it->change == DIFF_CHANGED && it->attribute &&
		    (!strcmp(it->attribute, "arguments") || !strcmp(it->attribute, "returns") || !strcmp(it->attribute, "kind")))
			strmap_put(&b->recreated_functions, ((const struct schema_function *)it->from)->name, (void *)1);
	}
	size_t it = 0;
	void *v;
	while (strmap_next(&d->to->sequences, &it, NULL, &v)) {
		const struct schema_sequence *s = v;
		if (s->owner_kind == 'i' && s->owned_table && s->owned_column) {
			char *k = xasprintf("%s.%s", s->owned_table, s->owned_column);
			strmap_put(&b->identity_seq, k, v);
			free(k);
		}
	}
}

void diff_plan_build(struct diff_plan *p, const struct diff *d, int pg_version)
{
	struct builder b;
	memset(&b, 0, sizeof(b));
	b.d = d;
	b.pg_version = pg_version;
	prepare(&b);
	make_way_sql(&b);
	views_sql(&b);

	const struct schema_table **new_tables = xmalloc((d->n + 1) * sizeof(*new_tables));
	size_t nnew = 0;
	for (size_t i = 0; i < d->n;) {
		struct group g = { &d->items[i], 1, NULL };
		while (i + g.n < d->n && d->items[i + g.n].kind == g.first->kind && !strcmp(d->items[i + g.n].key, g.first->key) &&
		       g.first->change != DIFF_ADDED && g.first->change != DIFF_DROPPED)
			g.n++;
		if (g.first->change == DIFF_RENAMED)
			g.renamed = g.first;
		i += g.n;
		switch (g.first->kind) {
		case DIFF_SCHEMA: schema_sql(&b, &g); break;
		case DIFF_EXTENSION: extension_sql(&b, &g); break;
		case DIFF_COLLATION: collation_sql(&b, &g); break;
		case DIFF_TYPE: type_sql(&b, &g); break;
		case DIFF_SEQUENCE: sequence_sql(&b, &g); break;
		case DIFF_TABLE:
			if (g.first->change == DIFF_ADDED)
				new_tables[nnew++] = g.first->to;
			table_sql(&b, &g);
			break;
		case DIFF_COLUMN: column_sql(&b, &g); break;
		case DIFF_CONSTRAINT: constraint_sql(&b, &g); break;
		case DIFF_INDEX: index_sql(&b, &g); break;
		case DIFF_VIEW: break; /* views_sql() */
		case DIFF_FUNCTION: function_sql(&b, &g); break;
		case DIFF_TRIGGER: trigger_sql(&b, &g); break;
		case DIFF_POLICY: policy_sql(&b, &g); break;
		default: break;
		}
	}
	foreign_keys_around(&b);
	tables_create(&b, new_tables, nnew);
	tables_drop(&b);
	guards_sql(&b);
	/* the constraints and indexes of new tables, which come with no items of their own */
	for (size_t i = 0; i < nnew; i++)
		for (size_t k = 0; k < new_tables[i]->nconstraints; k++)
			constraint_add(&b, new_tables[i], &new_tables[i]->constraints[k]);
	free(new_tables);
	memset(p, 0, sizeof(*p));
	size_t total = 0;
	for (int ph = 0; ph < PH_COUNT; ph++)
		total += b.phases[ph].n;
	if (total) {
		int functions = b.phases[PH_FUNCTION].n + b.phases[PH_FUNCTION_EARLY].n > 0;
		XGROW(p->items, total + 2, p->cap);
		p->items[p->n++] = (struct diff_stmt){ xstrdup("SET lock_timeout = '5s';"),
			xstrdup("wait at most 5 s for each lock, instead of queueing the application behind "
				"the migration"), 0 };
		if (functions)
			p->items[p->n++] = (struct diff_stmt){ xstrdup("SET check_function_bodies = false;"),
				xstrdup("function bodies may name objects created later in the plan"), 0 };
	}
	for (int ph = 0; ph < PH_COUNT; ph++) {
		struct diff_plan *src = &b.phases[ph];
		for (size_t i = 0; i < src->n; i++) {
			XGROW(p->items, p->n + 1, p->cap);
			p->items[p->n++] = src->items[i];
		}
		free(src->items);
	}
	p->unsupported = b.unsupported;
	strmap_release(&b.new_tables);
	strmap_release(&b.renamed);
	strmap_release(&b.rebuilt_views);
	strmap_release(&b.identity_seq);
	strmap_release(&b.recreated_functions);
	strmap_release(&b.probable_tables);
	strmap_release(&b.replaced_keys);
	strmap_release(&b.handled_constraints);
	strmap_release(&b.made_way);
	strmap_release(&b.readded_columns);
	size_t bi = 0;
	void *why;
	while (strmap_next(&b.blocked_types, &bi, NULL, &why))
		free(why);
	strmap_release(&b.blocked_types);
}

void diff_plan_release(struct diff_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].sql);
		free(p->items[i].note);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}
