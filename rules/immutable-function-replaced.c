/* immutable-function-replaced: CREATE OR REPLACE FUNCTION of a function that an index (its
 * expression or predicate), a stored generated column or a CHECK constraint calls. PostgreSQL
 * stores what these computed with the old definition and never computes it again on its own:
 * the index keeps its old entries (a query through it finds rows by the old results: seen on a
 * server, an index on f(a) still answered f(a) = 3 with the row whose new f(a) is 4), stored
 * values keep the old results until their row is updated, and existing rows are not checked
 * against a CHECK's new meaning. Nothing fails; the data silently disagrees with the function.
 *
 * The users come from schema_dependents() (schema/depend.h), so the rule sees what earlier
 * migrations and a schema source (--db, --schema) created. A replacement whose body is the one
 * the model already has (the same migration run again) is left alone. */
#include <stdlib.h>
#include <string.h>

#include "lint/rule.h"
#include "schema/apply.h"
#include "schema/depend.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT, LINT_KINDS_END };

const struct rule rule_immutable_function_replaced = {
	.id = "immutable-function-replaced",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "redefining a function that indexes, stored generated columns or CHECK constraints use",
	.kinds = kinds,
	.visit = visit,
};

/* The body of AS '...' (NULL for a BEGIN ATOMIC body or none). */
static const char *body_of(const PgQuery__CreateFunctionStmt *fs)
{
	for (size_t i = 0; i < fs->n_options; i++) {
		const PgQuery__Node *o = fs->options[i];
		if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || strcmp(o->def_elem->defname, "as") ||
		    !o->def_elem->arg || o->def_elem->arg->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		const PgQuery__List *l = o->def_elem->arg->list;
		return l->n_items ? sql_node_str(l->items[0]) : NULL;
	}
	return NULL;
}

/* Whether the dependent stores what the function computed. */
static int stores_results(const struct schema_dependent *d)
{
	return d->depth == 1 && (d->kind == SCHEMA_DEP_INDEX || d->kind == SCHEMA_DEP_COLUMN ||
				 d->kind == SCHEMA_DEP_CONSTRAINT);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__CreateFunctionStmt *fs = node->create_function_stmt;
	if (!fs->replace || fs->is_procedure)
		return;
	const struct schema_model *m = lint_model(ctx);
	PgQuery__ObjectWithArgs oa = PG_QUERY__OBJECT_WITH_ARGS__INIT;
	oa.n_objname = fs->n_funcname;
	oa.objname = fs->funcname;
	oa.n_objfuncargs = fs->n_parameters;
	oa.objfuncargs = fs->parameters;
	const struct schema_function *f = schema_apply_find_function(m, &oa);
	if (!f)
		return; /* a new function: nothing uses it yet */
	const char *body = body_of(fs);
	if (body && f->body && !strcmp(body, f->body))
		return;
	struct schema_dep_object target = {
		SCHEMA_DEP_FUNCTION, lint_printf(ctx, "%s.%s(%s)", f->schema, f->name, f->identity_args ? f->identity_args : ""),
		NULL
	};
	struct schema_dependents d = { 0 };
	schema_dependents(m, &target, 1, &d);
	const char *users = NULL;
	size_t n = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (!stores_results(&d.items[i]))
			continue;
		users = users ? lint_printf(ctx, "%s, %s", users, d.items[i].what) : lint_printf(ctx, "%s", d.items[i].what);
		n++;
	}
	schema_dependents_release(&d);
	if (!n)
		return;
	const char *fn = lint_printf(ctx, "%s(%s)", lint_ident(ctx, f->name), f->identity_args ? f->identity_args : "");
	lint_report(ctx, &rule_immutable_function_replaced, -1,
		    lint_printf(ctx,
				"give the new definition a new name (CREATE FUNCTION %s_v2 ...) and move each user "
				"to it: CREATE INDEX CONCURRENTLY on the new expression then DROP INDEX "
				"CONCURRENTLY the old one; a generated column added anew (or the rows updated, in "
				"batches, after the switch); a CHECK added NOT VALID with the new function and "
				"validated. If the function must keep its name, REINDEX INDEX CONCURRENTLY each "
				"index and update the rows right after this migration, knowing that queries in "
				"between see the old results",
				f->name),
		    "CREATE OR REPLACE FUNCTION %s changes a function that %s use%s: PostgreSQL keeps what "
		    "was computed with the old definition (index entries, stored generated values) and does "
		    "not check existing rows against a CHECK again, so the data silently disagrees with the "
		    "new definition, and queries through an index find rows by the old results, until it is "
		    "rebuilt",
		    fn, users, n == 1 ? "s" : "");
}
