/* PostgreSQL has no nested transactions. A BEGIN inside an open transaction block only warns
 * ("there is already a transaction in progress") and changes nothing, so the first COMMIT ends
 * the outer transaction and what follows runs outside any: the migration is no longer atomic,
 * and under a runner that wraps it, the runner's own bookkeeping lands outside the
 * transaction it meant to share. The other way round, COMMIT or ROLLBACK with no transaction
 * open only warns and shows the author expected one; COMMIT AND CHAIN, SAVEPOINT, RELEASE and
 * ROLLBACK TO with none open are errors.
 *
 * The engine updates the transaction state after the rules have seen a statement, so at a
 * BEGIN lint_in_transaction() tells whether one was already open. */
#include <string.h>

#include "lint/rule.h"
#include "lint/run.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_TRANSACTION_STMT, LINT_KINDS_END };

const struct rule rule_transaction_nesting = {
	.id = "transaction-nesting",
	.severity = SEVERITY_WARNING,
	.category = "transactions",
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

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__TransactionStmt *ts = node->transaction_stmt;
	const char *kw = NULL;
	switch (ts->kind) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
		nested_begin(ctx, "BEGIN");
		return;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
		nested_begin(ctx, "START TRANSACTION");
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
