/* security-definer-search-path: a SECURITY DEFINER function or procedure that does not pin its
 * search_path. It runs with its owner's privileges but resolves unqualified names through the
 * caller's search_path, so a caller who can create a function, operator or table in a schema
 * on that path (pg_temp included) gets their code run as the owner.
 *
 * The fix may come in a later statement (ALTER FUNCTION f SET search_path = ...), and a
 * function can be made SECURITY DEFINER by ALTER FUNCTION, so the rule follows each function
 * through the migration by name and reports, in finish(), the statement that left it a definer
 * without a pinned path. Overloads share a name here: a fix for one silences the others, which
 * errs on the quiet side. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT,
	PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT,
	LINT_KINDS_END,
};

const struct rule rule_security_definer_search_path = {
	.id = "security-definer-search-path",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_SECURITY,
	.summary = "SECURITY DEFINER function without a fixed search_path",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

enum { UNKNOWN = -1 };

struct func {
	const char *schema, *name; /* schema "" when not written */
	int definer, pinned;        /* 1, 0 or UNKNOWN (a function from before the migration) */
	int pending;                /* a finding waits at mark */
	struct lint_mark mark;
	const char *message, *help;
	struct func *next;
};

struct state {
	struct func *funcs; /* in order of first appearance */
	struct func **tail;
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_security_definer_search_path, sizeof(*st), &fresh);
	if (fresh)
		st->tail = &st->funcs;
	return st;
}

static struct func *find_func(struct lint_ctx *ctx, PgQuery__Node *const *names, size_t n)
{
	const char *name = sql_names_last(names, n);
	const char *schema = n >= 2 ? sql_node_str(names[n - 2]) : "";
	if (!name || !schema)
		return NULL;
	struct state *st = get_state(ctx);
	for (struct func *f = st->funcs; f; f = f->next)
		if (!strcmp(f->name, name) && (!*f->schema || !*schema || !strcmp(f->schema, schema)))
			return f;
	struct func *f = lint_alloc(ctx, sizeof(*f));
	f->schema = lint_keep(ctx, schema);
	f->name = lint_keep(ctx, name);
	f->definer = f->pinned = UNKNOWN;
	*st->tail = f;
	st->tail = &f->next;
	return f;
}

static const char *func_display(struct lint_ctx *ctx, PgQuery__Node *const *names, size_t n)
{
	const char *s = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *part = sql_node_str(names[i]);
		if (part)
			s = s ? lint_printf(ctx, "%s.%s", s, lint_ident(ctx, part)) : lint_ident(ctx, part);
	}
	return s ? s : "?";
}

static const char *type_text(struct lint_ctx *ctx, const PgQuery__TypeName *tn)
{
	struct sql_type t;
	char buf[128];
	sql_type_from_node(tn, &t);
	return lint_printf(ctx, "%s", sql_type_format(&t, buf, sizeof(buf)));
}

/* The argument list ALTER FUNCTION needs to name the function: input arguments only. */
static const char *create_args(struct lint_ctx *ctx, const PgQuery__CreateFunctionStmt *cf)
{
	const char *s = "";
	int first = 1;
	for (size_t i = 0; i < cf->n_parameters; i++) {
		const PgQuery__Node *p = cf->parameters[i];
		if (p->node_case != PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
			continue;
		const PgQuery__FunctionParameter *fp = p->function_parameter;
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
		    fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
			continue;
		const char *t = type_text(ctx, fp->arg_type);
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC)
			t = lint_printf(ctx, "VARIADIC %s", t);
		s = first ? t : lint_printf(ctx, "%s, %s", s, t);
		first = 0;
	}
	return s;
}

static const char *alter_args(struct lint_ctx *ctx, const PgQuery__ObjectWithArgs *ow)
{
	if (ow->args_unspecified)
		return NULL;
	const char *s = "";
	for (size_t i = 0; i < ow->n_objargs; i++) {
		const PgQuery__Node *a = ow->objargs[i];
		if (a->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
			continue;
		const char *t = type_text(ctx, a->type_name);
		s = i ? lint_printf(ctx, "%s, %s", s, t) : t;
	}
	return s;
}

/* What a function's options or ALTER actions say: SECURITY DEFINER or INVOKER (*definer, with
 * the place of the clause), and whether search_path gets a fixed value (*pinned = 1: SET
 * search_path = ..., or FROM CURRENT, which freezes the migration's own path) or loses it
 * (*pinned = 0: RESET search_path, RESET ALL, SET search_path TO DEFAULT). Untouched: UNKNOWN. */
static void read_options(PgQuery__Node *const *opts, size_t n, int *definer, int *definer_at,
			 int *pinned, int *pinned_at)
{
	*definer = *pinned = UNKNOWN;
	*definer_at = *pinned_at = -1;
	for (size_t i = 0; i < n; i++) {
		if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const PgQuery__DefElem *d = opts[i]->def_elem;
		if (!strcmp(d->defname, "security") && d->arg &&
		    d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) {
			*definer = d->arg->boolean->boolval ? 1 : 0;
			*definer_at = d->location;
		} else if (!strcmp(d->defname, "set") && d->arg &&
			   d->arg->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT) {
			const PgQuery__VariableSetStmt *vs = d->arg->variable_set_stmt;
			if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL) {
				*pinned = 0;
				*pinned_at = d->location;
			} else if (!strcmp(vs->name, "search_path")) {
				*pinned = vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE ||
					  vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT;
				*pinned_at = d->location;
			}
		}
	}
}

/* lead: the start of the message, naming the statement and what it did. */
static void update(struct lint_ctx *ctx, struct func *f, const char *lead, const char *kind,
		   const char *target, int location)
{
	if (f->definer != 1 || f->pinned == 1) {
		f->pending = 0;
		return;
	}
	f->pending = 1;
	f->mark = lint_mark_here(ctx, location);
	f->message = lint_printf(
		ctx,
		"%s: it runs with its owner's privileges but finds tables, functions and operators "
		"through the caller's search_path, so a caller who can create objects in a schema on "
		"that path, or a temporary table, runs their own code as the owner",
		lead);
	f->help = lint_printf(
		ctx,
		"pin the path: add SET search_path = pg_catalog, pg_temp to the definition, or run "
		"ALTER %s %s SET search_path = pg_catalog, pg_temp; then schema-qualify every table "
		"and function the body uses (public.orders); a list of trusted schemas that ends with "
		"pg_temp (SET search_path = public, pg_temp) also works when only trusted roles can "
		"create objects in them",
		kind, target);
}

static const char *lower_kind(const char *kind)
{
	return !strcmp(kind, "PROCEDURE") ? "procedure" : !strcmp(kind, "ROUTINE") ? "routine" : "function";
}

static void create_function(struct lint_ctx *ctx, const PgQuery__CreateFunctionStmt *cf)
{
	int definer, definer_at, pinned, pinned_at;
	read_options(cf->options, cf->n_options, &definer, &definer_at, &pinned, &pinned_at);
	struct func *f = find_func(ctx, cf->funcname, cf->n_funcname);
	if (!f)
		return;
	/* CREATE (OR REPLACE) sets every option: what is not written is the default */
	f->definer = definer == 1;
	f->pinned = pinned == 1;
	const char *kind = cf->is_procedure ? "PROCEDURE" : "FUNCTION";
	const char *display = func_display(ctx, cf->funcname, cf->n_funcname);
	update(ctx, f,
	       lint_printf(ctx, "SECURITY DEFINER %s %s has no SET search_path", lower_kind(kind),
			   display),
	       kind, lint_printf(ctx, "%s(%s)", display, create_args(ctx, cf)), definer_at);
}

/* A function first met in an ALTER: what the model knows of it from earlier migrations or a
 * schema file (the model stores its settings as "search_path=...", sorted). */
static void from_model(struct lint_ctx *ctx, struct func *f)
{
	const struct schema_function *known =
		schema_function_find_any(lint_model(ctx), *f->schema ? f->schema : NULL, f->name);
	if (!known)
		return;
	f->definer = known->security_definer != 0;
	f->pinned = 0;
	for (size_t i = 0; i < known->config.n; i++)
		if (!strncmp(known->config.items[i], "search_path=", strlen("search_path=")))
			f->pinned = 1;
}

static void alter_function(struct lint_ctx *ctx, const PgQuery__AlterFunctionStmt *af)
{
	if (!af->func)
		return;
	int definer, definer_at, pinned, pinned_at;
	read_options(af->actions, af->n_actions, &definer, &definer_at, &pinned, &pinned_at);
	if (definer == UNKNOWN && pinned == UNKNOWN)
		return;
	struct func *f = find_func(ctx, af->func->objname, af->func->n_objname);
	if (!f)
		return;
	if (f->definer == UNKNOWN && f->pinned == UNKNOWN)
		from_model(ctx, f);
	if (definer != UNKNOWN)
		f->definer = definer;
	if (pinned != UNKNOWN)
		f->pinned = pinned;
	const char *kind = af->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE ? "PROCEDURE"
			   : af->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE ? "ROUTINE"
										 : "FUNCTION";
	const char *display = func_display(ctx, af->func->objname, af->func->n_objname);
	const char *args = alter_args(ctx, af->func);
	const char *target = args ? lint_printf(ctx, "%s(%s)", display, args) : display;
	if (definer == 1) /* report at the SECURITY DEFINER clause */
		update(ctx, f,
		       lint_printf(ctx, "ALTER %s %s makes it SECURITY DEFINER without a fixed "
					"search_path (none is set for it in this migration)",
				   kind, display),
		       kind, target, definer_at);
	else if (pinned == 0) /* at the RESET */
		update(ctx, f,
		       lint_printf(ctx, "ALTER %s %s removes the search_path setting of a SECURITY "
					"DEFINER %s",
				   kind, display, lower_kind(kind)),
		       kind, target, pinned_at);
	else if (f->definer != 1 || f->pinned == 1)
		f->pending = 0;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT)
		create_function(ctx, node->create_function_stmt);
	else
		alter_function(ctx, node->alter_function_stmt);
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_security_definer_search_path);
	if (!st)
		return;
	/* in file order: repeatedly take the earliest pending finding */
	for (;;) {
		struct func *first = NULL;
		for (struct func *f = st->funcs; f; f = f->next)
			if (f->pending && (!first || f->mark.offset < first->mark.offset))
				first = f;
		if (!first)
			break;
		first->pending = 0;
		lint_report_mark(ctx, &rule_security_definer_search_path, &first->mark, first->help, "%s",
				 first->message);
	}
}
