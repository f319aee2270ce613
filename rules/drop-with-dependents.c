/* drop-with-dependents: a DROP TABLE, VIEW, MATERIALIZED VIEW, TYPE, DOMAIN, FUNCTION,
 * PROCEDURE or SCHEMA, or an ALTER TABLE ... DROP COLUMN, of an object other objects in the
 * model depend on. Without CASCADE PostgreSQL refuses the statement and the migration stops
 * there; with CASCADE it drops them all along, views on views included, and the migration does
 * not say so. The dependents come from schema_dependents() (schema/depend.h), a query of the
 * model, so the rule works with --db, with --schema and with what earlier migrations created;
 * what PostgreSQL drops along without being asked (a table's indexes and triggers, the indexes
 * on a dropped column) is not a dependent and is not reported. */
#include <stdlib.h>

#include "lint/rule.h"
#include "schema/apply.h"
#include "schema/depend.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_DROP_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_drop_with_dependents = {
	.id = "drop-with-dependents",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a DROP of an object that views, foreign keys, triggers or other objects depend on",
	.kinds = kinds,
	.visit = visit,
};

/* Dependents named in a message; the rest are counted. */
enum { MAX_NAMED = 12, MAX_TARGETS = 64 };

struct targets {
	struct schema_dep_object items[MAX_TARGETS];
	size_t n;
	const char *names; /* "table public.t, ..." for the message */
};

static void add_target(struct lint_ctx *ctx, struct targets *t, char kind, const char *key, const char *sub)
{
	if (t->n == MAX_TARGETS)
		return;
	const char *k = lint_printf(ctx, "%s", key), *s = sub ? lint_printf(ctx, "%s", sub) : NULL;
	t->items[t->n++] = (struct schema_dep_object){ kind, k, s };
	char *what = schema_dep_describe(lint_model(ctx), kind, key, sub);
	t->names = t->names ? lint_printf(ctx, "%s, %s", t->names, what) : lint_printf(ctx, "%s", what);
	free(what);
}

/* A name list ([schema,] name) of a DROP's object. */
static int names_of(PgQuery__Node *const *items, size_t n, const char **schema, const char **name)
{
	if (!n || n > 3)
		return -1;
	*name = sql_node_str(items[n - 1]);
	*schema = n >= 2 ? sql_node_str(items[n - 2]) : NULL;
	return *name ? 0 : -1;
}

static void drop_target(struct lint_ctx *ctx, const PgQuery__DropStmt *ds, const PgQuery__Node *obj,
			struct targets *t)
{
	const struct schema_model *m = lint_model(ctx);
	const char *schema = NULL, *name = NULL;
	char key[400];
	switch (ds->remove_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: {
		if (obj->node_case != PG_QUERY__NODE__NODE_LIST ||
		    names_of(obj->list->items, obj->list->n_items, &schema, &name))
			return;
		int table = ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
			    ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE;
		if (table) {
			const struct schema_table *tb = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
			if (tb)
				add_target(ctx, t, SCHEMA_DEP_TABLE, schema_key(key, sizeof(key), tb->schema, tb->name), NULL);
		} else {
			const struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
			/* DROP VIEW of a materialized view fails for another reason */
			if (v && v->materialized == (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW))
				add_target(ctx, t, SCHEMA_DEP_VIEW, schema_key(key, sizeof(key), v->schema, v->name), NULL);
		}
		break;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
		if (obj->node_case != PG_QUERY__NODE__NODE_TYPE_NAME ||
		    names_of(obj->type_name->names, obj->type_name->n_names, &schema, &name))
			return;
		const struct schema_type *ty = schema_object_find(m, SCHEMA_KIND_TYPE, schema, name);
		if (ty)
			add_target(ctx, t, SCHEMA_DEP_TYPE, schema_key(key, sizeof(key), ty->schema, ty->name), NULL);
		break;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
		if (obj->node_case != PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS)
			return;
		const struct schema_function *f = schema_apply_find_function(m, obj->object_with_args);
		if (f)
			add_target(ctx, t, SCHEMA_DEP_FUNCTION,
				   lint_printf(ctx, "%s.%s(%s)", f->schema, f->name, f->identity_args ? f->identity_args : ""),
				   NULL);
		break;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
		name = sql_node_str(obj);
		if (name && schema_object_find(m, SCHEMA_KIND_SCHEMA, NULL, name))
			add_target(ctx, t, SCHEMA_DEP_SCHEMA, name, NULL);
		break;
	default:
		break;
	}
}

static const char *command_of(const PgQuery__DropStmt *ds)
{
	switch (ds->remove_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		return "DROP TABLE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		return "DROP FOREIGN TABLE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		return "DROP VIEW";
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		return "DROP MATERIALIZED VIEW";
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
		return "DROP TYPE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
		return "DROP DOMAIN";
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
		return "DROP FUNCTION";
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
		return "DROP PROCEDURE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
		return "DROP ROUTINE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
		return "DROP SCHEMA";
	default:
		return NULL;
	}
}

/* "view public.v, constraint c on table public.t, view public.w (through view public.v)" and
 * "and 3 more" past MAX_NAMED. */
static const char *list_dependents(struct lint_ctx *ctx, const struct schema_dependents *d)
{
	const char *list = "";
	for (size_t i = 0; i < d->n && i < MAX_NAMED; i++) {
		const struct schema_dependent *x = &d->items[i];
		const char *item = x->depth > 1 ? lint_printf(ctx, "%s (through %s)", x->what, x->on) : x->what;
		list = i ? lint_printf(ctx, "%s, %s", list, item) : lint_printf(ctx, "%s", item);
	}
	if (d->n > MAX_NAMED)
		list = lint_printf(ctx, "%s and %zu more", list, d->n - MAX_NAMED);
	return list;
}

static void report(struct lint_ctx *ctx, const char *command, const struct targets *t, int cascade)
{
	if (!t->n)
		return;
	struct schema_dependents d = { 0 };
	schema_dependents(lint_model(ctx), t->items, t->n, &d);
	if (!d.n) {
		schema_dependents_release(&d);
		return;
	}
	size_t direct = 0;
	for (size_t i = 0; i < d.n; i++)
		direct += d.items[i].depth == 1;
	const char *list = list_dependents(ctx, &d);
	const char *objects = d.n == 1 ? "1 object" : lint_printf(ctx, "%zu objects", d.n);
	if (cascade) {
		lint_report(ctx, &rule_drop_with_dependents, -1,
			    "drop or change the dependents by name first, in this migration, so that it shows all it "
			    "removes (recreate views without the dropped object, ALTER TABLE ... DROP CONSTRAINT ...), and "
			    "drop without CASCADE: then a dependent nobody knew about stops the migration instead of "
			    "disappearing with it",
			    "%s CASCADE also drops %s that depend%s on %s: %s", command, objects, d.n == 1 ? "s" : "",
			    t->names, list);
	} else {
		lint_report(ctx, &rule_drop_with_dependents, -1,
			    lint_printf(ctx,
					"drop or change the dependents first, by name and in this migration (recreate a view "
					"without the dropped object, ALTER TABLE ... DROP CONSTRAINT ..., DROP TRIGGER ...), "
					"or, if all of them are to go, say CASCADE%s",
					d.n > direct ? " (it takes along the objects that depend on them too)" : ""),
			    "%s fails: %s depend%s on %s: %s", command, objects, d.n == 1 ? "s" : "", t->names, list);
	}
	schema_dependents_release(&d);
}

static void visit_drop(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	const char *command = command_of(ds);
	if (!command)
		return;
	struct targets t = { .n = 0 };
	for (size_t i = 0; i < ds->n_objects; i++)
		if (ds->objects[i])
			drop_target(ctx, ds, ds->objects[i], &t);
	report(ctx, command, &t, ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE);
}

static void visit_alter(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !as->relation)
		return;
	const struct schema_table *tb = lint_table(ctx, as->relation);
	if (!tb)
		return;
	char key[400];
	schema_key(key, sizeof(key), tb->schema, tb->name);
	struct targets t = { .n = 0 };
	int cascade = 0;
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	const char *columns = NULL;
	while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn))) {
		if (!*cmd->name || !schema_column_find(tb, cmd->name))
			continue;
		add_target(ctx, &t, SCHEMA_DEP_COLUMN, key, cmd->name);
		cascade |= cmd->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
		const char *col = lint_ident(ctx, cmd->name);
		columns = columns ? lint_printf(ctx, "%s, %s", columns, col) : col;
	}
	if (columns)
		report(ctx, lint_printf(ctx, "ALTER TABLE %s DROP COLUMN %s", lint_rel(ctx, as->relation), columns), &t,
		       cascade);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_DROP_STMT)
		visit_drop(ctx, node->drop_stmt);
	else
		visit_alter(ctx, node->alter_table_stmt);
}
