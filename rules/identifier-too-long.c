/* identifier-too-long: a name longer than PostgreSQL keeps. NAMEDATALEN is 64, so an identifier
 * keeps its first 63 bytes: the scanner cuts longer ones and says so only in a NOTICE
 * ("identifier ... will be truncated to ..."), which migration runners do not show. Two names
 * that differ only after byte 63 are one name to PostgreSQL: the second CREATE fails with
 * "already exists", and a reference reaches the other object.
 *
 * Names PostgreSQL makes itself (an index, key, foreign key, CHECK or serial sequence created
 * without a name) never exceed 63 bytes: makeObjectName() shortens the longer of the table and
 * column parts until "<table>_<columns>_<label>" fits. The name it picks is then not the one
 * people and tools expect ("orders_customer_reference_number_fkey"), so a later DROP CONSTRAINT
 * or an ORM comparing names misses it: reported one severity lower, with the name it gets.
 *
 * The tree holds names already cut, so written lengths come from the statement's tokens
 * (lint_statement_long_identifiers()). Collisions are found within a migration part. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_identifier_too_long = {
	.id = "identifier-too-long",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a name longer than 63 bytes, which PostgreSQL cuts silently",
	.kinds = kinds,
	.visit = visit,
};

enum { NAME_MAX_BYTES = 63, IDENTS_MAX = 64 };

/* A long identifier seen earlier in the migration part. */
struct seen_name {
	struct lint_link link;
	const char *name, *cut;
	uint32_t line;
};

/* The byte length of the longest prefix of s of at most limit bytes that ends on a UTF-8
 * character boundary (pg_mbcliplen() for a UTF-8 database). */
static size_t clip(const char *s, size_t limit)
{
	size_t n = strlen(s);
	if (n <= limit)
		return n;
	while (limit > 0 && ((unsigned char)s[limit] & 0xC0) == 0x80)
		limit--;
	return limit;
}

static void remember(struct lint_ctx *ctx, const char *name, const char *cut)
{
	struct seen_name *s = lint_list_push(ctx, &rule_identifier_too_long, sizeof(*s));
	s->name = name;
	s->cut = cut;
	s->line = lint_statement_line(ctx);
}

static const struct seen_name *collision(struct lint_ctx *ctx, const char *name, const char *cut)
{
	for (const struct seen_name *s = lint_list_head(ctx, &rule_identifier_too_long); s; s = s->link.next)
		if (!strcmp(s->cut, cut) && strcmp(s->name, name))
			return s;
	return NULL;
}

static void written_names(struct lint_ctx *ctx)
{
	struct lint_ident_token ids[IDENTS_MAX];
	size_t n = lint_statement_long_identifiers(ctx, NAME_MAX_BYTES, ids, IDENTS_MAX);
	for (size_t i = 0; i < n; i++) {
		int repeated = 0; /* once per name and statement */
		for (size_t k = 0; k < i && !repeated; k++)
			repeated = !strcmp(ids[k].name, ids[i].name);
		if (repeated)
			continue;
		const char *cut = lint_printf(ctx, "%.*s", (int)clip(ids[i].name, NAME_MAX_BYTES), ids[i].name);
		const char *shown = lint_ident(ctx, ids[i].name), *cut_shown = lint_ident(ctx, cut);
		const char *help = "use a name of at most 63 bytes (PostgreSQL's NAMEDATALEN - 1): the name "
				   "in the migration is then the name in the database";
		const struct seen_name *other = collision(ctx, ids[i].name, cut);
		if (other)
			lint_report_escalated(ctx, &rule_identifier_too_long, ids[i].location, help,
					      "identifier %s and %s (line %u) differ only after byte 63, so PostgreSQL "
					      "takes both as %s: a second CREATE with it fails with \"already "
					      "exists\", and a reference reaches the other object",
					      shown, lint_ident(ctx, other->name), other->line, cut_shown);
		else
			lint_report(ctx, &rule_identifier_too_long, ids[i].location, help,
				    "identifier %s is %zu bytes: PostgreSQL keeps its first 63, %s, and says so "
				    "only in a NOTICE; the database then holds a name the migration does not show",
				    shown, ids[i].bytes, cut_shown);
		remember(ctx, ids[i].name, cut);
	}
}

/* ---- names PostgreSQL makes ---- */

/* makeObjectName(): "<name1>_<name2>_<label>", the longer of name1 and name2 shortened first
 * until it fits in 63 bytes. name2 may be NULL. */
static const char *object_name(struct lint_ctx *ctx, const char *name1, const char *name2, const char *label)
{
	size_t overhead = strlen(label) + 1 + (name2 ? 1 : 0);
	size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
	size_t avail = NAME_MAX_BYTES - overhead;
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = clip(name1, n1);
	if (name2)
		return lint_printf(ctx, "%.*s_%.*s_%s", (int)n1, name1, (int)clip(name2, n2), name2, label);
	return lint_printf(ctx, "%.*s_%s", (int)n1, name1, label);
}

/* Column names of a list of String or IndexElem nodes joined with '_' ("expr" for an
 * expression, as ChooseIndexColumnNames() does). */
static const char *joined_columns(struct lint_ctx *ctx, PgQuery__Node *const *items, size_t n)
{
	const char *out = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(items[i]);
		if (!s && items[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
			const PgQuery__IndexElem *ie = items[i]->index_elem;
			s = *ie->indexcolname ? ie->indexcolname : *ie->name ? ie->name : "expr";
		}
		out = out ? lint_printf(ctx, "%s_%s", out, s ? s : "") : (s ? s : "");
	}
	return out;
}

static void made_name(struct lint_ctx *ctx, int location, const char *what, const char *name1,
		      const char *name2, const char *label)
{
	const char *natural = name2 ? lint_printf(ctx, "%s_%s_%s", name1, name2, label)
				    : lint_printf(ctx, "%s_%s", name1, label);
	if (strlen(natural) <= NAME_MAX_BYTES)
		return;
	const char *actual = object_name(ctx, name1, name2, label);
	lint_report_lowered(ctx, &rule_identifier_too_long, location,
			    "name it yourself, in at most 63 bytes (CONSTRAINT <name> ..., CREATE INDEX <name> "
			    "...), so that later migrations and tools can name it as it is",
			    "the %s gets a name from PostgreSQL, and \"%s\" would be %zu bytes: it is named %s "
			    "instead, which a later DROP or ALTER written with the longer name, or a tool that "
			    "derives names the same way, does not find",
			    what, natural, strlen(natural), lint_ident(ctx, actual));
}

static void constraint_name(struct lint_ctx *ctx, const char *table, const char *column,
			    const PgQuery__Constraint *con)
{
	if (*con->conname)
		return;
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		if (!*con->indexname)
			made_name(ctx, con->location, "primary key", table, NULL, "pkey");
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		if (!*con->indexname)
			made_name(ctx, con->location, "unique constraint", table,
				  column ? column : joined_columns(ctx, con->keys, con->n_keys), "key");
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
		made_name(ctx, con->location, "foreign key", table,
			  column ? column : joined_columns(ctx, con->fk_attrs, con->n_fk_attrs), "fkey");
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		if (column) /* a table CHECK is named after a column only when it reads one */
			made_name(ctx, con->location, "CHECK constraint", table, column, "check");
		break;
	default:
		break;
	}
}

static void column_names(struct lint_ctx *ctx, const char *table, const PgQuery__ColumnDef *cd)
{
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	if (!strcmp(ty.name, "serial") || !strcmp(ty.name, "bigserial") || !strcmp(ty.name, "smallserial"))
		made_name(ctx, cd->location, "sequence of the serial column", table, cd->colname, "seq");
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			constraint_name(ctx, table, cd->colname, cd->constraints[i]->constraint);
}

static void table_element(struct lint_ctx *ctx, const char *table, const PgQuery__Node *n)
{
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
		column_names(ctx, table, n->column_def);
	else if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
		constraint_name(ctx, table, NULL, n->constraint);
}

static void made_names(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT: {
		const PgQuery__CreateStmt *cs = node->create_stmt;
		for (size_t i = 0; cs->relation && i < cs->n_table_elts; i++)
			table_element(ctx, cs->relation->relname, cs->table_elts[i]);
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
		const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
		size_t i = 0;
		const PgQuery__AlterTableCmd *cmd;
		while (as->relation && (cmd = sql_alter_next(as, &i, 0))) {
			if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn ||
			     cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint) && cmd->def)
				table_element(ctx, as->relation->relname, cmd->def);
		}
		break;
	}
	case PG_QUERY__NODE__NODE_INDEX_STMT: {
		const PgQuery__IndexStmt *is = node->index_stmt;
		if (!*is->idxname && is->relation)
			made_name(ctx, is->relation->location, "index", is->relation->relname,
				  joined_columns(ctx, is->index_params, is->n_index_params), "idx");
		break;
	}
	default:
		break;
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	written_names(ctx);
	made_names(ctx, node);
}
