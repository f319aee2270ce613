/* ban-char: char(n) / character(n), canonically bpchar. It pads every value with spaces to n
 * characters, drops trailing spaces when comparing and when casting to text, and stores the
 * padding: never faster than text or varchar, and a source of surprising comparisons. The
 * quoted "char" is PostgreSQL's internal one-byte type, a different type: sql_type_from_node()
 * leaves it as "char", so it never matches here. */
#include "column-type.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_ban_char = {
	.id = "ban-char",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_TYPES,
	.summary = "char(n) pads with spaces and is never faster than text",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct coltype ct;
	if (!coltype_of(ctx, node, &ct) || strcmp(ct.type.name, "bpchar"))
		return;
	/* the grammar gives char without a length the length 1 */
	struct sql_type shown = ct.type;
	shown.name = "char";
	char buf[64];
	const char *written = sql_type_format(&shown, buf, sizeof(buf));
	const char *col = lint_ident(ctx, ct.column);
	const char *text = lint_printf(ctx, "text%s", coltype_array_suffix(&ct));
	const char *help;
	if (ct.type.nmods == 1 && ct.type.array_dims == 0 && ct.site == COLTYPE_CREATE)
		help = lint_printf(ctx, "use %s CHECK (char_length(%s) = %d) if every value has "
					"exactly that length, or without the CHECK if it is only a maximum",
				   coltype_rewrite(ctx, &ct, text), col, ct.type.mods[0]);
	else
		help = lint_printf(ctx, "use %s, with a CHECK (char_length(%s) ...) constraint if "
					"the length matters",
				   coltype_rewrite(ctx, &ct, text), col);
	lint_report(ctx, &rule_ban_char, ct.node->location, help,
		    "%s is %s: it pads values with spaces to the full length, ignores trailing spaces "
		    "when comparing, and is no faster than text",
		    coltype_subject(ctx, &ct), written);
}
