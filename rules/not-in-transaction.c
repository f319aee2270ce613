/* A statement PostgreSQL refuses inside a transaction block (effects/notx.h has the list), run
 * while one is open: the file's own BEGIN, the runner's transaction, the implicit transaction
 * of a multi-statement query, or a DO block. The server fails it before doing anything, so
 * the whole migration fails (and rolls back) there. */
#include <string.h>

#include "effects/notx.h"
#include "lint/rule.h"
#include "lint/run.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_not_in_transaction = {
	.id = "not-in-transaction",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_TRANSACTIONS,
	.summary = "a statement that cannot run inside a transaction block while one is open",
	.kinds = kinds,
	.visit = visit,
};

enum { MAX_NEW_ENUMS = 64 };

struct state {
	/* The runner sends the migration as one multi-statement query. PostgreSQL then keeps
	 * an implicit transaction block around every statement of it, even after a COMMIT in
	 * the middle, so nothing in such a file may refuse transaction blocks. */
	int implicit_multi;
	/* DO blocks: the statements a DO block runs are visited with the DO statement's index */
	int do_stmt_index;
	/* Enum types created in the current transaction (ALTER TYPE ... ADD VALUE is allowed on
	 * them below PostgreSQL 12), as "schema.name"; cleared when a transaction ends. */
	const char *new_enums[MAX_NEW_ENUMS];
	int nnew_enums;
};

static struct state *state_of(struct lint_ctx *ctx)
{
	void **slot = lint_rule_data(ctx, &rule_not_in_transaction);
	if (!*slot) {
		struct state *s = lint_alloc(ctx, sizeof(*s));
		/* the first statement of the migration: the runner's transaction is still as it
		 * was sent, before any COMMIT in the file */
		s->implicit_multi = lint_framework_tx_kind(ctx) == LINT_TX_IMPLICIT && lint_framework_transaction(ctx);
		s->do_stmt_index = -1;
		*slot = s;
	}
	return *slot;
}

static const char *type_key(struct lint_ctx *ctx, PgQuery__Node *const *names, size_t n)
{
	const char *name = sql_names_last(names, n);
	const char *schema = n >= 2 ? sql_node_str(names[n - 2]) : NULL;
	return name ? lint_printf(ctx, "%s.%s", schema ? schema : "public", name) : NULL;
}

/* Keeps what the ALTER TYPE ... ADD exception needs: enum types created since the current
 * transaction began. */
static void track(struct lint_ctx *ctx, struct state *s, const PgQuery__Node *node, int in_tx)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_ENUM_STMT) {
		const PgQuery__CreateEnumStmt *ce = node->create_enum_stmt;
		const char *key = type_key(ctx, ce->type_name, ce->n_type_name);
		if (key && in_tx && s->nnew_enums < MAX_NEW_ENUMS)
			s->new_enums[s->nnew_enums++] = key;
	} else if (node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
		switch (node->transaction_stmt->kind) {
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
			s->nnew_enums = 0;
			break;
		default:
			break;
		}
	}
}

static int enum_is_new(struct lint_ctx *ctx, const struct state *s, const PgQuery__AlterEnumStmt *ae)
{
	const char *key = type_key(ctx, ae->type_name, ae->n_type_name);
	for (int i = 0; key && i < s->nnew_enums; i++)
		if (!strcmp(s->new_enums[i], key))
			return 1;
	return 0;
}

/* How each framework's runner takes a statement out of its transaction: when it wraps the
 * migration in one, and when it sends the migration as one multi-statement query (an implicit
 * transaction). The facts and their sources are in docs/frameworks.md. */
struct runner_fix {
	const char *framework, *wrapped, *implicit;
};

static const struct runner_fix runner_fixes[] = {
	{ "golang-migrate", NULL,
	  "golang-migrate sends the whole file as one query, which PostgreSQL runs as one implicit "
	  "transaction: put the statement alone in a migration file of its own" },
	{ "pop",
	  "pop runs this migration in a transaction: put the statement alone in a migration of its "
	  "own whose file names end in .autocommit.up.sql and .autocommit.down.sql",
	  "pop sends an .autocommit. file as one query, which PostgreSQL runs as one implicit "
	  "transaction when it holds several statements: keep the statement alone in its file" },
	{ "diesel",
	  "Diesel runs this migration in a transaction: put the statement alone in a migration of its "
	  "own with run_in_transaction = false in its metadata.toml",
	  "with run_in_transaction = false Diesel still sends up.sql as one query, which PostgreSQL "
	  "runs as one implicit transaction when it holds several statements: keep the statement alone "
	  "in its migration" },
	{ "dbmate",
	  "dbmate runs this section in a transaction: put the statement in a migration of its own and "
	  "add transaction:false to the section's marker line (-- migrate:up transaction:false)",
	  "with transaction:false dbmate still sends the section as one query, which PostgreSQL runs "
	  "as one implicit transaction when it holds several statements: keep the statement alone in "
	  "its section" },
	{ "flyway",
	  "Flyway runs this migration in a transaction (its parser does not take this statement for one "
	  "that refuses transactions, or the script's .conf says executeInTransaction=true): put "
	  "executeInTransaction=false in the script's .sql.conf (V<version>__<name>.sql.conf)",
	  NULL },
	{ "alembic",
	  "Alembic runs this revision in a transaction: wrap the operation in `with "
	  "op.get_context().autocommit_block():`, which commits what came before and runs it outside "
	  "a transaction",
	  NULL },
	{ "prisma", NULL,
	  "Prisma sends migration.sql to PostgreSQL as one script, which runs as one implicit "
	  "transaction when it holds several statements: put the statement alone in a migration of "
	  "its own" },
	{ "drizzle",
	  "Drizzle's migrator runs every pending migration in one transaction and has no way to run "
	  "one outside it: run this statement outside the migrator (psql, or a step of the deploy "
	  "before or after migrate()), or write it another way",
	  NULL },
	{ "supabase",
	  "the Supabase CLI sends a migration file and its history record as one pipeline, which "
	  "PostgreSQL runs as one transaction, and takes only CREATE/DROP INDEX CONCURRENTLY, REINDEX "
	  "CONCURRENTLY, VACUUM, ALTER SYSTEM and CLUSTER out of it: run this statement outside the "
	  "migrations (psql), or write it another way",
	  NULL },
};

static const struct runner_fix *runner_fix_for(struct lint_ctx *ctx)
{
	const char *fw = lint_framework(ctx);
	for (size_t i = 0; fw && i < sizeof(runner_fixes) / sizeof(runner_fixes[0]); i++)
		if (!strcmp(runner_fixes[i].framework, fw))
			return &runner_fixes[i];
	return NULL;
}

/* Where the open transaction comes from, and so how to get the statement out of it. */
static const char *how_to_fix(struct lint_ctx *ctx, const struct state *s, int in_do)
{
	const struct runner_fix *rf = runner_fix_for(ctx);
	if (in_do)
		return "run it as a statement of its own, not from a DO block (PostgreSQL refuses it "
		       "in functions and DO blocks), in a migration that runs without a transaction";
	if (lint_explicit_transaction(ctx))
		return "this file's BEGIN opened the transaction block: move the statement after its "
		       "COMMIT, or into a migration of its own with no BEGIN ... COMMIT around it";
	if (s->implicit_multi && rf && rf->implicit)
		return rf->implicit;
	if (!s->implicit_multi && rf && rf->wrapped)
		return rf->wrapped;
	if (s->implicit_multi)
		return "the runner sends the whole file as one query, which PostgreSQL runs as one "
		       "implicit transaction: put the statement alone in a migration file of its own";
	return "the migration runner wraps this migration in a transaction: put the statement in a "
	       "migration of its own and turn the runner's transaction off for it (dbmate: "
	       "`-- migrate:up transaction:false`; Flyway: executeInTransaction=false in the "
	       "script's .sql.conf; Diesel: run_in_transaction = false in metadata.toml; Alembic: "
	       "op.get_context().autocommit_block(); Rails: disable_ddl_transaction!; Django: "
	       "atomic = False)";
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct state *s = state_of(ctx);
	int stmt_index = lint_mark_here(ctx, -1).stmt_index;
	int in_do = s->do_stmt_index >= 0 && stmt_index == s->do_stmt_index;
	if (node->node_case == PG_QUERY__NODE__NODE_DO_STMT)
		s->do_stmt_index = stmt_index;

	struct notx_info info;
	int in_tx = lint_in_transaction(ctx) || s->implicit_multi;
	if (in_tx && notx_check(node, lint_pg_version(ctx), &info) &&
	    !(info.unless_type_is_new && enum_is_new(ctx, s, node->alter_enum_stmt))) {
		const char *index_note = "";
		/* CREATE, DROP and REINDEX ... CONCURRENTLY */
		if (strstr(info.command, "INDEX CONCURRENTLY"))
			index_note = "; once it runs on its own, a failed or cancelled CONCURRENTLY "
				     "operation leaves an INVALID index to drop before retrying";
		lint_report(ctx, &rule_not_in_transaction, info.location,
			    lint_printf(ctx, "%s (%s)%s", how_to_fix(ctx, s, in_do), info.why, index_note),
			    "%s cannot run inside %s: the migration fails here", info.command,
			    in_do ? "a DO block" : "a transaction block");
	}
	track(ctx, s, node, in_tx);
}
