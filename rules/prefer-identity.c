/* prefer-identity: smallserial, serial and bigserial (and serial2/4/8). A serial column is an
 * integer with a DEFAULT nextval() on a sequence that is a separate object: it needs its own
 * grants, rows inserted with explicit ids do not advance it (so later inserts collide), and
 * copying the table definition shares the sequence instead of making a new one. Identity
 * columns (PostgreSQL 10+) are the SQL-standard replacement and have none of these problems. */
#include "column-type.h"

#include "effects/types.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_prefer_identity = {
	.id = "prefer-identity",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TYPES,
	.summary = "serial types instead of identity columns",
	.kinds = kinds,
	.visit = visit,
};

/* serial and smallserial count in 32 and 16 bits: a counter, key or not, runs out, and every
 * insert after that fails ("nextval: reached maximum value of sequence"). */
static const char *limit_clause(const char *serial)
{
	int width = type_int_width(serial);
	if (width == 4)
		return "; and as an integer it stops at 2^31 - 1 (2,147,483,647): after that every "
		       "insert fails";
	if (width == 2)
		return "; and as a smallint it stops at 2^15 - 1 (32,767): after that every insert fails";
	return "";
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct coltype ct;
	/* serial is no type for ALTER COLUMN ... TYPE, so only CREATE TABLE and ADD COLUMN */
	if (!coltype_of(ctx, node, &ct) || ct.site == COLTYPE_ALTER || !type_is_serial(ct.type.name))
		return;
	/* bigint: an identity column is almost always a key, and prefer-bigint asks for 64 bits
	 * there; the help must not contradict it */
	lint_report(ctx, &rule_prefer_identity, ct.node->location,
		    lint_printf(ctx,
				"use %s (BY DEFAULT instead of ALWAYS if code or data loads insert their "
				"own ids)",
				coltype_rewrite(ctx, &ct, "bigint GENERATED ALWAYS AS IDENTITY")),
		    "%s is %s: it makes a separate sequence that needs its own grants, that explicit "
		    "ids inserted around it do not advance (later inserts then fail with duplicate "
		    "keys), and that copies of the table share%s",
		    coltype_subject(ctx, &ct), ct.type.name, limit_clause(ct.type.name));
}
