/* external-side-effect: statements that reach outside the database while the migration runs:
 * COPY ... PROGRAM, COPY to or from a file on the server, calls to dblink, large-object file
 * import and export, the server file-system functions, HTTP from SQL, and IMPORT FOREIGN
 * SCHEMA. A migration must give the same result on every server it runs on (a laptop, CI, a
 * replica rebuilt next year); these depend on files, programs and other servers that may not be
 * there or may have changed, and several of them need superuser-like rights.
 *
 * A call only counts where the migration runs it: not in the definition of a function, view,
 * policy, rule or trigger (those run later, when used), and not in a column default or a
 * constraint of a table being created. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_COPY_STMT,
	PG_QUERY__NODE__NODE_FUNC_CALL,
	PG_QUERY__NODE__NODE_IMPORT_FOREIGN_SCHEMA_STMT,
	LINT_KINDS_END,
};

const struct rule rule_external_side_effect = {
	.id = "external-side-effect",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_SECURITY,
	.summary = "a migration that reads or writes outside the database",
	.kinds = kinds,
	.visit = visit,
};

/* Functions that leave the database. schema NULL: any schema (extensions are installed in
 * whatever schema the user picked); otherwise the call must be qualified with it, for names
 * too common to claim unqualified. */
static const struct {
	const char *schema, *name;
	const char *does; /* completes "NAME() ..." */
} external_functions[] = {
	/* dblink: another database, perhaps another server */
	{ NULL, "dblink", "runs a query in another database through dblink" },
	{ NULL, "dblink_exec", "runs a command in another database through dblink" },
	{ NULL, "dblink_connect", "opens a connection to another database" },
	{ NULL, "dblink_connect_u", "opens a connection to another database" },
	{ NULL, "dblink_send_query", "sends a query to another database" },
	{ NULL, "dblink_open", "opens a cursor in another database" },
	{ NULL, "dblink_fetch", "reads from a cursor in another database" },
	/* server-side large-object file transfer */
	{ NULL, "lo_import", "reads a file from the database server's file system" },
	{ NULL, "lo_export", "writes a file to the database server's file system" },
	/* the generic file access functions */
	{ NULL, "pg_read_file", "reads a file from the database server's file system" },
	{ NULL, "pg_read_binary_file", "reads a file from the database server's file system" },
	{ NULL, "pg_stat_file", "reads the database server's file system" },
	{ NULL, "pg_ls_dir", "lists a directory of the database server" },
	{ NULL, "pg_ls_logdir", "lists a directory of the database server" },
	{ NULL, "pg_ls_waldir", "lists a directory of the database server" },
	{ NULL, "pg_ls_tmpdir", "lists a directory of the database server" },
	{ NULL, "pg_ls_archive_statusdir", "lists a directory of the database server" },
	{ NULL, "pg_ls_logicalsnapdir", "lists a directory of the database server" },
	{ NULL, "pg_ls_logicalmapdir", "lists a directory of the database server" },
	{ NULL, "pg_ls_replslotdir", "lists a directory of the database server" },
	/* adminpack */
	{ NULL, "pg_file_write", "writes a file on the database server" },
	{ NULL, "pg_file_rename", "renames a file on the database server" },
	{ NULL, "pg_file_unlink", "deletes a file on the database server" },
	{ NULL, "pg_file_sync", "writes a file on the database server to disk" },
	{ NULL, "pg_logdir_ls", "lists the database server's log directory" },
	/* the pgsql-http extension, and supabase's pg_net (schema net) */
	{ NULL, "http_get", "makes an HTTP request from the database server" },
	{ NULL, "http_post", "makes an HTTP request from the database server" },
	{ NULL, "http_put", "makes an HTTP request from the database server" },
	{ NULL, "http_patch", "makes an HTTP request from the database server" },
	{ NULL, "http_delete", "makes an HTTP request from the database server" },
	{ NULL, "http_head", "makes an HTTP request from the database server" },
	{ "extensions", "http", "makes an HTTP request from the database server" },
	{ "net", "http_collect_response", "waits for an HTTP response from another server" },
};

/* Statements that only store an expression for later: their calls do not run now. */
static int deferred_statement(const PgQuery__Node *stmt)
{
	switch (stmt->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
	case PG_QUERY__NODE__NODE_VIEW_STMT:
	case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
	case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
	case PG_QUERY__NODE__NODE_RULE_STMT:
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
	case PG_QUERY__NODE__NODE_CREATE_STMT:
	case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
		return 1;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		/* WITH NO DATA: the query is planned, not run */
		return stmt->create_table_as_stmt->into && stmt->create_table_as_stmt->into->skip_data;
	default:
		return 0;
	}
}

/* An ALTER TABLE column default or constraint runs only for the rows that exist when it is
 * added: a default of a new column is evaluated once (for every row, if it is volatile), a
 * SET DEFAULT never now. Keep the cases that run now and skip SET DEFAULT. */
static int in_set_default(const struct lint_ctx *ctx)
{
	for (int up = 0;; up++) {
		const PgQuery__Node *p = lint_parent(ctx, up);
		if (!p)
			return 0;
		if (p->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			return p->alter_table_cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault;
	}
}

static const char *call_name(struct lint_ctx *ctx, const PgQuery__FuncCall *fc)
{
	const char *s = NULL;
	for (size_t i = 0; i < fc->n_funcname; i++) {
		const char *part = sql_node_str(fc->funcname[i]);
		if (part)
			s = s ? lint_printf(ctx, "%s.%s", s, part) : part;
	}
	return s ? s : "?";
}

static void func_call(struct lint_ctx *ctx, const PgQuery__FuncCall *fc)
{
	const char *name = sql_names_last(fc->funcname, fc->n_funcname);
	const char *schema = fc->n_funcname >= 2 ? sql_node_str(fc->funcname[fc->n_funcname - 2]) : NULL;
	if (!name)
		return;
	for (size_t i = 0; i < sizeof(external_functions) / sizeof(external_functions[0]); i++) {
		if (strcmp(external_functions[i].name, name))
			continue;
		if (external_functions[i].schema && (!schema || strcmp(schema, external_functions[i].schema)))
			continue;
		if (deferred_statement(lint_statement(ctx)) || in_set_default(ctx))
			return;
		lint_report(ctx, &rule_external_side_effect, fc->location,
			    "keep migrations to schema and data changes inside this database: move "
			    "file transfers, calls to other servers and HTTP requests to the deploy "
			    "tooling or an application job, and load data with COPY ... FROM STDIN "
			    "(psql's \\copy) from there",
			    "%s() %s while the migration runs: the result depends on what exists "
			    "outside the database, so the migration is not repeatable and may need "
			    "superuser rights",
			    call_name(ctx, fc), external_functions[i].does);
		return;
	}
}

static void copy(struct lint_ctx *ctx, const PgQuery__CopyStmt *cs)
{
	if (!cs->is_program && !*cs->filename)
		return; /* STDIN / STDOUT: the client sends or receives the data */
	const char *what = cs->relation ? lint_rel(ctx, cs->relation) : "(query)";
	const char *dir = cs->is_from ? "FROM" : "TO";
	if (cs->is_program)
		lint_report(ctx, &rule_external_side_effect, -1,
			    lint_printf(ctx,
					"run the program in the deploy tooling and stream its output "
					"through the client: COPY %s %s %s (psql's \\copy ... %s PROGRAM runs it "
					"on the client)",
					what, dir, cs->is_from ? "STDIN" : "STDOUT", dir),
			    "COPY %s %s PROGRAM runs a shell command on the database server as the "
			    "operating-system user of PostgreSQL: the migration depends on that server's "
			    "programs and needs pg_execute_server_program",
			    what, dir);
	else
		lint_report(ctx, &rule_external_side_effect, -1,
			    lint_printf(ctx,
					"send the data through the client instead: COPY %s %s %s, fed by "
					"psql's \\copy or the deploy tooling, or a data migration written as "
					"INSERT statements",
					what, dir, cs->is_from ? "STDIN" : "STDOUT"),
			    "COPY %s %s '%s' %s a file on the database server: the file must exist on "
			    "every server the migration runs on, and the role needs pg_%s_server_files",
			    what, dir, cs->filename, cs->is_from ? "reads" : "writes",
			    cs->is_from ? "read" : "write");
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		func_call(ctx, node->func_call);
		break;
	case PG_QUERY__NODE__NODE_COPY_STMT:
		copy(ctx, node->copy_stmt);
		break;
	case PG_QUERY__NODE__NODE_IMPORT_FOREIGN_SCHEMA_STMT: {
		const PgQuery__ImportForeignSchemaStmt *is = node->import_foreign_schema_stmt;
		lint_report(ctx, &rule_external_side_effect, -1,
			    "declare the foreign tables the application uses one by one with CREATE "
			    "FOREIGN TABLE, so the migration does not depend on the remote schema of the "
			    "day it runs",
			    "IMPORT FOREIGN SCHEMA %s FROM SERVER %s connects to the foreign server while "
			    "the migration runs and creates whatever tables it has at that moment",
			    lint_ident(ctx, is->remote_schema), lint_ident(ctx, is->server_name));
		break;
	}
	default:
		break;
	}
}
