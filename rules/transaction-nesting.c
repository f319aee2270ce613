/* PostgreSQL has no nested transactions. A BEGIN inside an open transaction block only warns
 * ("there is already a transaction in progress") and changes nothing, so the first COMMIT ends
 * the outer transaction and what follows runs outside any: the migration is no longer atomic,
 * and under a runner that wraps it, the runner's own bookkeeping lands outside the
 * transaction it meant to share. The other way round, COMMIT or ROLLBACK with no transaction
 * open only warns and shows the author expected one; COMMIT AND CHAIN, SAVEPOINT, RELEASE and
 * ROLLBACK TO with none open are errors.
 *
 * Inside the transaction a runner opens around the migration, COMMIT or ROLLBACK after work of
 * the migration splits it: COMMIT makes the statements before it permanent, so a later failure
 * leaves the migration half applied while the runner reports it as failed; ROLLBACK undoes
 * them, and the runner goes on and records the migration as applied. A COMMIT before any work
 * is the known way out of the runner's transaction (for CREATE INDEX CONCURRENTLY, with a BEGIN
 * at the end for the runner's COMMIT) and is left alone.
 *
 * The engine updates the transaction state after the rules have seen a statement, so at a
 * BEGIN lint_in_transaction() tells whether one was already open. */
#include <string.h>

#include "lint/rule.h"
#include "lint/run.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

/* Every statement: work done inside the runner's transaction is remembered (rule state). */
static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_transaction_nesting = {
	.id = "transaction-nesting",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TRANSACTIONS,
	.summary = "BEGIN inside an open transaction, or COMMIT/ROLLBACK with none open",
	.kinds = kinds,
	.visit = visit,
};

/* The runner's name, and how to turn its transaction off (docs/frameworks.md). */
static const struct {
	const char *framework, *name, *off;
} runners[] = {
	{ "pop", "pop", "it off by naming the files .autocommit.up.sql and .autocommit.down.sql" },
	{ "diesel", "Diesel", "it off with run_in_transaction = false in the migration's metadata.toml" },
	{ "dbmate", "dbmate", "it off with transaction:false on the section's marker line "
			      "(-- migrate:up transaction:false)" },
	{ "flyway", "Flyway", "it off with executeInTransaction=false in the script's .sql.conf" },
	{ "alembic", "Alembic", "to op.get_context().autocommit_block() instead of transaction "
				"statements in op.execute()" },
	{ "supabase", "the Supabase CLI", "it into separate migration files instead: the CLI has no "
					  "switch for it" },
};

static const char *runner_name(struct lint_ctx *ctx)
{
	const char *fw = lint_framework(ctx);
	for (size_t i = 0; fw && i < sizeof(runners) / sizeof(runners[0]); i++)
		if (!strcmp(runners[i].framework, fw))
			return runners[i].name;
	return "the runner";
}

static const char *runner_switch(struct lint_ctx *ctx)
{
	const char *fw = lint_framework(ctx);
	for (size_t i = 0; fw && i < sizeof(runners) / sizeof(runners[0]); i++)
		if (!strcmp(runners[i].framework, fw))
			return runners[i].off;
	return "the runner's transaction off for this migration";
}

static void nested_begin(struct lint_ctx *ctx, const char *kw)
{
	if (lint_explicit_transaction(ctx)) {
		lint_report(ctx, &rule_transaction_nesting, -1,
			    "remove this BEGIN (and the COMMIT that was meant to close it), or COMMIT the "
			    "first transaction before starting the next; use SAVEPOINT for a nested step "
			    "that can be rolled back on its own",
			    "%s inside the transaction an earlier BEGIN in this file opened: PostgreSQL only "
			    "warns, and the first COMMIT ends both, so what follows it runs outside a "
			    "transaction",
			    kw);
		return;
	}
	/* a BEGIN in the implicit transaction of a multi-statement query turns it into an explicit
	 * one: that is how such runners expect transactions to be written */
	if (lint_framework_transaction(ctx) && lint_framework_tx_kind(ctx) == LINT_TX_WRAPPED)
		lint_report(ctx, &rule_transaction_nesting, -1,
			    lint_printf(ctx, "remove BEGIN and COMMIT from the migration: %s already runs it in "
					     "a transaction. If it must control its own transactions, turn %s",
					runner_name(ctx), runner_switch(ctx)),
			    "%s inside the transaction the migration runner opens: PostgreSQL only warns, "
			    "so the file's COMMIT commits the runner's transaction early and the rest of the "
			    "migration runs outside a transaction",
			    kw);
}

/* Whether the statement runs in the transaction the runner wraps the migration in, and no BEGIN
 * of the file's own is open. */
static int in_runner_transaction(const struct lint_ctx *ctx)
{
	return lint_framework_transaction(ctx) && !lint_explicit_transaction(ctx) &&
	       lint_framework_tx_kind(ctx) == LINT_TX_WRAPPED;
}

/* COMMIT or ROLLBACK that ends the runner's transaction after the migration did some work in it. */
static void split_runner_transaction(struct lint_ctx *ctx, const PgQuery__TransactionStmt *ts)
{
	int commit = ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT;
	const char *help = lint_printf(
		ctx, "remove the %s: %s already commits the migration as a whole. If a statement "
		     "must run outside a transaction, put it in a migration of its own and turn %s",
		commit ? "COMMIT" : "ROLLBACK", runner_name(ctx), runner_switch(ctx));
	if (commit)
		lint_report(ctx, &rule_transaction_nesting, -1, help,
			    "COMMIT inside the transaction the migration runner opens makes the statements "
			    "before it permanent: if a later statement fails, they stay applied while the "
			    "runner reports the migration as failed, and running it again fails on them");
	else
		lint_report(ctx, &rule_transaction_nesting, -1, help,
			    "ROLLBACK inside the transaction the migration runner opens undoes the "
			    "statements before it, and the rest of the migration runs outside a "
			    "transaction: the runner still records the migration as applied");
}

enum { STATE_WORKED = 1, STATE_BEGIN = 2 };

static int is_work(const PgQuery__Node *node)
{
	return node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT &&
	       node->node_case != PG_QUERY__NODE__NODE_VARIABLE_SET_STMT &&
	       node->node_case != PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	/* STATE_WORKED once a statement did work in the runner's transaction (the engine ends
	 * that transaction at the first COMMIT or ROLLBACK, after which nothing sets it again);
	 * STATE_BEGIN once a BEGIN inside it was reported, whose finding covers its COMMIT */
	int *state = lint_rule_state(ctx, &rule_transaction_nesting);
	if (node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
		if (is_work(node) && in_runner_transaction(ctx))
			*state |= STATE_WORKED;
		return;
	}
	const PgQuery__TransactionStmt *ts = node->transaction_stmt;
	const char *kw = NULL;
	if ((ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
	     ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK) &&
	    !ts->chain && *state == STATE_WORKED && in_runner_transaction(ctx)) {
		split_runner_transaction(ctx, ts);
		return;
	}
	switch (ts->kind) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
		if (in_runner_transaction(ctx))
			*state |= STATE_BEGIN;
		nested_begin(ctx, ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN
					  ? "BEGIN"
					  : "START TRANSACTION");
		return;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
		kw = ts->chain ? "COMMIT AND CHAIN" : "COMMIT";
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
		kw = ts->chain ? "ROLLBACK AND CHAIN" : "ROLLBACK";
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
		kw = "PREPARE TRANSACTION";
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
		kw = "SAVEPOINT";
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
		kw = "RELEASE SAVEPOINT";
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
		kw = "ROLLBACK TO SAVEPOINT";
		break;
	default: /* COMMIT PREPARED, ROLLBACK PREPARED: not-in-transaction's business */
		return;
	}

	int is_savepoint = ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT ||
			   ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE ||
			   ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO;
	/* savepoints need a real transaction block: the implicit transaction of a
	 * multi-statement query refuses them as well */
	int open = is_savepoint ? lint_explicit_transaction(ctx) ||
					  (lint_framework_transaction(ctx) &&
					   lint_framework_tx_kind(ctx) != LINT_TX_IMPLICIT)
				: lint_in_transaction(ctx);
	if (open)
		return;
	if (is_savepoint || ts->chain)
		lint_report(ctx, &rule_transaction_nesting, -1,
			    "open the transaction with BEGIN first, or remove this statement",
			    "%s with no transaction block open fails (\"can only be used in transaction "
			    "blocks\"): the migration fails here",
			    kw);
	else if (ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK)
		lint_report(ctx, &rule_transaction_nesting, -1,
			    "add the BEGIN that should start the transaction before the statements it "
			    "must undo, or remove this ROLLBACK",
			    "ROLLBACK with no transaction open rolls nothing back: PostgreSQL only warns, "
			    "and the statements before it are already committed");
	else
		lint_report(ctx, &rule_transaction_nesting, -1,
			    lint_printf(ctx, "add the missing BEGIN before the statements that must "
					     "commit together, or remove this %s", kw),
			    "%s with no transaction open: PostgreSQL only warns, so the statements before "
			    "it were not in the transaction it was meant to end (a BEGIN is missing, or an "
			    "earlier COMMIT already ended it)",
			    kw);
}
