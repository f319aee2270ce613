/* privilege-change: GRANT, REVOKE, role membership, ALTER DEFAULT PRIVILEGES, changes of
 * owner, and role attributes that act as privileges (SUPERUSER, BYPASSRLS, CREATEROLE,
 * REPLICATION). None of them locks anything or loses data; they change who may read and write what,
 * which is a security review in its own right and easy to miss among schema changes. A GRANT to
 * PUBLIC reaches every role, including the ones created later: its message says so plainly, and
 * it is reported one severity step above the rule's (an error by default). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_GRANT_STMT,
	PG_QUERY__NODE__NODE_GRANT_ROLE_STMT,
	PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT,
	PG_QUERY__NODE__NODE_ALTER_OWNER_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_REASSIGN_OWNED_STMT,
	PG_QUERY__NODE__NODE_CREATE_ROLE_STMT,
	PG_QUERY__NODE__NODE_ALTER_ROLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_privilege_change = {
	.id = "privilege-change",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_SECURITY,
	.summary = "GRANT, REVOKE, ALTER DEFAULT PRIVILEGES or a change of owner in a migration",
	.kinds = kinds,
	.visit = visit,
};

/* The keyword GRANT and ALTER ... OWNER use for each kind of object. */
static const struct {
	PgQuery__ObjectType type;
	const char *keyword; /* ON <keyword> name */
	const char *plural;  /* ON ALL <plural> IN SCHEMA, and in ALTER DEFAULT PRIVILEGES */
} object_words[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "TABLE", "TABLES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "SEQUENCE", "SEQUENCES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION, "FUNCTION", "FUNCTIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, "PROCEDURE", "PROCEDURES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE, "ROUTINE", "ROUTINES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE, "AGGREGATE", "AGGREGATES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA, "SCHEMA", "SCHEMAS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE, "DATABASE", "DATABASES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TYPE, "TYPE", "TYPES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN, "DOMAIN", "DOMAINS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_LANGUAGE, "LANGUAGE", "LANGUAGES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_LARGEOBJECT, "LARGE OBJECT", "LARGE OBJECTS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER, "FOREIGN SERVER", "FOREIGN SERVERS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FDW, "FOREIGN DATA WRAPPER", "FOREIGN DATA WRAPPERS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, "FOREIGN TABLE", "FOREIGN TABLES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLESPACE, "TABLESPACE", "TABLESPACES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_PARAMETER_ACL, "PARAMETER", "PARAMETERS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "VIEW", "VIEWS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "MATERIALIZED VIEW", "MATERIALIZED VIEWS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_CONVERSION, "CONVERSION", "CONVERSIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION, "COLLATION", "COLLATIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_OPERATOR, "OPERATOR", "OPERATORS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION, "EXTENSION", "EXTENSIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_EVENT_TRIGGER, "EVENT TRIGGER", "EVENT TRIGGERS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_PUBLICATION, "PUBLICATION", "PUBLICATIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SUBSCRIPTION, "SUBSCRIPTION", "SUBSCRIPTIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_STATISTIC_EXT, "STATISTICS", "STATISTICS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TSCONFIGURATION, "TEXT SEARCH CONFIGURATION",
	  "TEXT SEARCH CONFIGURATIONS" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TSDICTIONARY, "TEXT SEARCH DICTIONARY",
	  "TEXT SEARCH DICTIONARIES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_OPCLASS, "OPERATOR CLASS", "OPERATOR CLASSES" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_OPFAMILY, "OPERATOR FAMILY", "OPERATOR FAMILIES" },
};

static const char *object_word(PgQuery__ObjectType type, int plural)
{
	for (size_t i = 0; i < sizeof(object_words) / sizeof(object_words[0]); i++)
		if (object_words[i].type == type)
			return plural ? object_words[i].plural : object_words[i].keyword;
	return plural ? "OBJECTS" : "OBJECT";
}

/* An ASCII copy of s in upper or lower case, in the run's memory. */
static char *case_copy(struct lint_ctx *ctx, const char *s, int upper)
{
	char *out = lint_printf(ctx, "%s", s);
	for (char *p = out; *p; p++) {
		if (upper && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!upper && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return out;
}

/* A list of String nodes as a quoted, dotted name: "public"."f". */
static const char *dotted(struct lint_ctx *ctx, PgQuery__Node *const *names, size_t n)
{
	const char *s = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *part = sql_node_str(names[i]);
		if (!part)
			continue;
		s = s ? lint_printf(ctx, "%s.%s", s, lint_ident(ctx, part)) : lint_ident(ctx, part);
	}
	return s ? s : "?";
}

static const char *object_name(struct lint_ctx *ctx, const PgQuery__Node *obj)
{
	switch (obj->node_case) {
	case PG_QUERY__NODE__NODE_RANGE_VAR:
		return lint_rel(ctx, obj->range_var);
	case PG_QUERY__NODE__NODE_STRING:
		return lint_ident(ctx, obj->string->sval);
	case PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS:
		return dotted(ctx, obj->object_with_args->objname, obj->object_with_args->n_objname);
	case PG_QUERY__NODE__NODE_LIST:
		return dotted(ctx, obj->list->items, obj->list->n_items);
	case PG_QUERY__NODE__NODE_TYPE_NAME:
		return dotted(ctx, obj->type_name->names, obj->type_name->n_names);
	case PG_QUERY__NODE__NODE_INTEGER:
		return lint_printf(ctx, "%d", obj->integer->ival);
	case PG_QUERY__NODE__NODE_FLOAT:
		return obj->float_->fval;
	default:
		return "?";
	}
}

/* "a", "a, b", "a, b and 3 more": messages stay one readable line. */
static const char *name_list(struct lint_ctx *ctx, const char *const *names, size_t n)
{
	enum { SHOWN = 3 };
	const char *s = "";
	for (size_t i = 0; i < n && i < SHOWN; i++)
		s = i ? lint_printf(ctx, "%s, %s", s, names[i]) : names[i];
	if (n > SHOWN)
		s = lint_printf(ctx, "%s and %zu more", s, n - SHOWN);
	return s;
}

static const char *objects_text(struct lint_ctx *ctx, PgQuery__Node *const *objs, size_t n)
{
	const char **names = lint_alloc(ctx, (n ? n : 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = object_name(ctx, objs[i]);
	return name_list(ctx, names, n);
}

/* Every name, comma-separated: column lists are short and must be exact. */
static const char *objects_text_all(struct lint_ctx *ctx, PgQuery__Node *const *objs, size_t n)
{
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = i ? lint_printf(ctx, "%s, %s", s, object_name(ctx, objs[i])) : object_name(ctx, objs[i]);
	return s;
}

static const char *role_name(struct lint_ctx *ctx, const PgQuery__RoleSpec *r)
{
	switch (r->roletype) {
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC:
		return "PUBLIC";
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_USER:
		return "CURRENT_USER";
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_ROLE:
		return "CURRENT_ROLE";
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_SESSION_USER:
		return "SESSION_USER";
	default:
		return lint_ident(ctx, r->rolename);
	}
}

/* The grantees as text; *public_at gets the location of PUBLIC among them (or -1). */
static const char *roles_text(struct lint_ctx *ctx, PgQuery__Node *const *roles, size_t n,
			      int *public_at)
{
	const char **names = lint_alloc(ctx, (n ? n : 1) * sizeof(*names));
	size_t k = 0;
	if (public_at)
		*public_at = -1;
	for (size_t i = 0; i < n; i++) {
		if (roles[i]->node_case != PG_QUERY__NODE__NODE_ROLE_SPEC)
			continue;
		const PgQuery__RoleSpec *r = roles[i]->role_spec;
		if (r->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC && public_at && *public_at < 0)
			*public_at = r->location;
		names[k++] = role_name(ctx, r);
	}
	return name_list(ctx, names, k);
}

/* "SELECT, INSERT", "SELECT (a, b)", or ALL when the list is empty (ALL PRIVILEGES). */
static const char *privileges_text(struct lint_ctx *ctx, PgQuery__Node *const *privs, size_t n)
{
	if (!n)
		return "ALL";
	const char *s = NULL;
	for (size_t i = 0; i < n; i++) {
		if (privs[i]->node_case != PG_QUERY__NODE__NODE_ACCESS_PRIV)
			continue;
		const PgQuery__AccessPriv *p = privs[i]->access_priv;
		const char *one = case_copy(ctx, *p->priv_name ? p->priv_name : "all", 1);
		if (p->n_cols)
			one = lint_printf(ctx, "%s (%s)", one, objects_text_all(ctx, p->cols, p->n_cols));
		s = s ? lint_printf(ctx, "%s, %s", s, one) : one;
	}
	return s ? s : "ALL";
}

/* The ON clause of a GRANT or REVOKE: ON TABLE "orders", ON ALL TABLES IN SCHEMA "public". */
static const char *target_text(struct lint_ctx *ctx, const PgQuery__GrantStmt *gs)
{
	if (gs->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA)
		return lint_printf(ctx, "ON ALL %s IN SCHEMA %s", object_word(gs->objtype, 1),
				   objects_text(ctx, gs->objects, gs->n_objects));
	if (gs->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_DEFAULTS)
		return lint_printf(ctx, "ON %s", object_word(gs->objtype, 1));
	return lint_printf(ctx, "ON %s %s", object_word(gs->objtype, 0),
			   objects_text(ctx, gs->objects, gs->n_objects));
}

static void grant(struct lint_ctx *ctx, const PgQuery__GrantStmt *gs)
{
	int public_at;
	const char *privs = privileges_text(ctx, gs->privileges, gs->n_privileges);
	const char *target = target_text(ctx, gs);
	const char *roles = roles_text(ctx, gs->grantees, gs->n_grantees, &public_at);
	const char *stmt = lint_printf(ctx, "%s %s%s %s %s %s", gs->is_grant ? "GRANT" : "REVOKE",
				       !gs->is_grant && gs->grant_option ? "GRANT OPTION FOR " : "",
				       privs, target, gs->is_grant ? "TO" : "FROM", roles);
	int all_in_schema = gs->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA;
	const char *scope = all_in_schema ? lint_printf(ctx, " on the %s that exist now (not on later ones)",
							case_copy(ctx, object_word(gs->objtype, 1), 0))
					  : "";

	if (gs->is_grant && public_at >= 0) {
		lint_report_escalated(ctx, &rule_privilege_change, public_at,
				      lint_printf(ctx,
						  "grant to the roles that need it instead of PUBLIC, for example "
						  "GRANT %s %s TO app_role; a role created later then gets nothing "
						  "until it is granted that role",
						  privs, target),
				      "%s grants to every role, including roles created later: anyone who can "
				      "connect gets %s%s%s",
				      stmt, gs->n_privileges ? "these privileges" : "all privileges", scope,
				      gs->grant_option ? " and may grant them on" : "");
		return;
	}
	if (gs->is_grant) {
		lint_report(ctx, &rule_privilege_change, -1,
			    "review it like code: grant to a group role rather than to login roles, only "
			    "the privileges the application uses on the objects it names (not ALL), "
			    "and without GRANT OPTION unless that role hands them on",
			    "%s changes who can reach the data%s%s", stmt, scope,
			    gs->grant_option ? ", and lets them grant it to others (WITH GRANT OPTION)"
					     : "");
		return;
	}
	lint_report(ctx, &rule_privilege_change, -1,
		    "check that no role the application, jobs or replicas connect as still needs it "
		    "(the privileges of a role show in \\dp and information_schema.role_table_grants) "
		    "and deploy the code that stops using it first",
		    "%s changes who can reach the data%s: a role that still uses it gets \"permission "
		    "denied\"",
		    stmt, scope);
}

static void grant_role(struct lint_ctx *ctx, const PgQuery__GrantRoleStmt *gs)
{
	const char **names = lint_alloc(ctx, (gs->n_granted_roles ? gs->n_granted_roles : 1) * sizeof(*names));
	size_t k = 0;
	for (size_t i = 0; i < gs->n_granted_roles; i++)
		if (gs->granted_roles[i]->node_case == PG_QUERY__NODE__NODE_ACCESS_PRIV)
			names[k++] = lint_ident(ctx, gs->granted_roles[i]->access_priv->priv_name);
	const char *granted = name_list(ctx, names, k);
	const char *members = roles_text(ctx, gs->grantee_roles, gs->n_grantee_roles, NULL);
	if (gs->is_grant)
		lint_report(ctx, &rule_privilege_change, -1,
			    "review it like code: membership passes on every privilege of the granted "
			    "role, including the ones it gets later; grant the narrower role that has "
			    "just what is needed",
			    "GRANT %s TO %s makes %s a member of %s with every privilege %s", granted,
			    members, members, granted, k > 1 ? "they have" : "it has");
	else
		lint_report(ctx, &rule_privilege_change, -1,
			    "check that nothing connecting as these roles still needs the membership, "
			    "and deploy the code that stops using it first",
			    "REVOKE %s FROM %s takes away every privilege %s gave: queries that relied on "
			    "them get \"permission denied\"",
			    granted, members, k > 1 ? "those roles" : "that role");
}

static void default_privileges(struct lint_ctx *ctx, const PgQuery__AlterDefaultPrivilegesStmt *ad)
{
	const PgQuery__GrantStmt *gs = ad->action;
	if (!gs)
		return;
	const char *schemas = NULL, *roles = NULL;
	for (size_t i = 0; i < ad->n_options; i++) {
		const PgQuery__Node *o = ad->options[i];
		if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !o->def_elem->arg ||
		    o->def_elem->arg->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		const PgQuery__List *l = o->def_elem->arg->list;
		if (!strcmp(o->def_elem->defname, "schemas"))
			schemas = objects_text(ctx, l->items, l->n_items);
		else if (!strcmp(o->def_elem->defname, "roles"))
			roles = roles_text(ctx, l->items, l->n_items, NULL);
	}
	int public_at;
	const char *grantees = roles_text(ctx, gs->grantees, gs->n_grantees, &public_at);
	const char *w = lint_printf(ctx, "every %s %s creates from now on%s%s",
				    case_copy(ctx, object_word(gs->objtype, 0), 0),
				    roles ? roles : "the current role", schemas ? " in schema " : "",
				    schemas ? schemas : "");
	const char *privs = privileges_text(ctx, gs->privileges, gs->n_privileges);
	if (gs->is_grant && public_at >= 0) {
		lint_report_escalated(ctx, &rule_privilege_change, public_at,
				      lint_printf(ctx, "grant to the roles that need it instead of PUBLIC: ALTER "
						       "DEFAULT PRIVILEGES ... GRANT %s ON %s TO app_role",
						  privs, object_word(gs->objtype, 1)),
				      "ALTER DEFAULT PRIVILEGES grants %s on %s to every role (PUBLIC), including "
				      "roles created later",
				      privs, w);
		return;
	}
	lint_report(ctx, &rule_privilege_change, -1,
		    "review it like code: default privileges apply silently to objects created later, "
		    "far from this migration; prefer explicit GRANTs in the migration that creates "
		    "each object, and check the result with \\ddp",
		    "ALTER DEFAULT PRIVILEGES %s %s on %s %s %s", gs->is_grant ? "grants" : "revokes",
		    privs, w, gs->is_grant ? "to" : "from", grantees);
}

static void report_owner(struct lint_ctx *ctx, const char *what, int is_table,
			 const PgQuery__RoleSpec *owner)
{
	const char *who = owner ? role_name(ctx, owner) : "?";
	lint_report(ctx, &rule_privilege_change, -1,
		    "own schema objects by one non-login role that runs migrations, and give the "
		    "application only the privileges it uses; check that the new owner is meant to be "
		    "able to drop and alter the object and its policies",
		    "%s OWNER TO %s gives %s every privilege on it: the owner can drop or alter it and "
		    "grant it to others%s",
		    what, who, who,
		    is_table ? ", and is exempt from the table's row-level security unless it is FORCEd"
			     : "");
}

/* Role attributes that are privileges in all but name: no GRANT can give or limit them. */
static const struct {
	const char *option; /* the DefElem name the parser gives it */
	const char *keyword;
	const char *power;
} role_powers[] = {
	{ "superuser", "SUPERUSER", "passes every permission check" },
	{ "bypassrls", "BYPASSRLS", "ignores every row-level security policy" },
	{ "createrole", "CREATEROLE", "can create, alter and drop roles" },
	{ "isreplication", "REPLICATION", "can stream every change made in the cluster" },
};

static void role_attributes(struct lint_ctx *ctx, const char *role, PgQuery__Node *const *opts,
			    size_t n, const char *verb)
{
	const char *keywords = NULL, *powers = NULL;
	int at = -1, superuser = 0;
	for (size_t i = 0; i < n; i++) {
		if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const PgQuery__DefElem *d = opts[i]->def_elem;
		if (!d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_BOOLEAN || !d->arg->boolean->boolval)
			continue;
		for (size_t k = 0; k < sizeof(role_powers) / sizeof(role_powers[0]); k++) {
			if (strcmp(d->defname, role_powers[k].option))
				continue;
			keywords = keywords ? lint_printf(ctx, "%s %s", keywords, role_powers[k].keyword)
					    : role_powers[k].keyword;
			powers = powers ? lint_printf(ctx, "%s; %s", powers, role_powers[k].power)
					: role_powers[k].power;
			if (at < 0)
				at = d->location;
			superuser |= !strcmp(d->defname, "superuser");
		}
	}
	if (!keywords)
		return;
	const char *help = "give roles only the attributes their work needs and keep role "
			   "administration out of application migrations; a role that must read every "
			   "row of one table is better served by a policy than by BYPASSRLS";
	const char *msg = lint_printf(ctx, "%s ROLE %s %s: the role %s, whatever was granted or revoked",
				      verb, role, keywords, powers);
	/* SUPERUSER is the widest grant there is: reported like a grant to PUBLIC */
	if (superuser)
		lint_report_escalated(ctx, &rule_privilege_change, at, help, "%s", msg);
	else
		lint_report(ctx, &rule_privilege_change, at, help, "%s", msg);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_GRANT_STMT:
		grant(ctx, node->grant_stmt);
		break;
	case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
		grant_role(ctx, node->grant_role_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
		default_privileges(ctx, node->alter_default_privileges_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT: {
		const PgQuery__AlterOwnerStmt *ao = node->alter_owner_stmt;
		const char *name = ao->relation ? lint_rel(ctx, ao->relation)
				   : ao->object      ? object_name(ctx, ao->object)
						     : "?";
		report_owner(ctx, lint_printf(ctx, "ALTER %s %s", object_word(ao->object_type, 0), name),
			     0, ao->newowner);
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
		const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
		size_t i = 0;
		const PgQuery__AlterTableCmd *cmd;
		while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner)))
			report_owner(ctx, lint_printf(ctx, "ALTER %s %s", object_word(as->objtype, 0),
						      lint_rel(ctx, as->relation)),
				     as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
					     as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE,
				     cmd->newowner);
		break;
	}
	case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: {
		const PgQuery__CreateRoleStmt *cr = node->create_role_stmt;
		role_attributes(ctx, lint_ident(ctx, cr->role), cr->options, cr->n_options, "CREATE");
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT: {
		const PgQuery__AlterRoleStmt *ar = node->alter_role_stmt;
		role_attributes(ctx, ar->role ? role_name(ctx, ar->role) : "?", ar->options, ar->n_options,
				"ALTER");
		break;
	}
	case PG_QUERY__NODE__NODE_REASSIGN_OWNED_STMT: {
		const PgQuery__ReassignOwnedStmt *ro = node->reassign_owned_stmt;
		const char *from = roles_text(ctx, ro->roles, ro->n_roles, NULL);
		const char *to = ro->newrole ? role_name(ctx, ro->newrole) : "?";
		lint_report(ctx, &rule_privilege_change, -1,
			    "list the objects and change their owners by name (ALTER TABLE ... OWNER TO) "
			    "so the migration shows what changes hands",
			    "REASSIGN OWNED BY %s TO %s gives %s every object %s own%s in this database, "
			    "with every privilege on them",
			    from, to, to, from, ro->n_roles > 1 ? "" : "s");
		break;
	}
	default:
		break;
	}
}
