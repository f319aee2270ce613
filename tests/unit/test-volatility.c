/* effects/volatility and effects/types: the generated function table, the expression walk
 * (nested calls, casts, SQL value functions, unknown and qualified names), and the type-change
 * table against what PostgreSQL 15 was seen to do (pg_relation_filenode before and after). */
#include "effects/types.h"
#include "effects/volatility.h"

#include <string.h>

#include "sql/sql.h"
#include "sql/walk.h"
#include "util/strbuf.h"

#include "check.h"

static void check_table(void)
{
	CHECK_INT(volatility_of("now"), VOLATILITY_STABLE);
	CHECK_INT(volatility_of("random"), VOLATILITY_VOLATILE);
	CHECK_INT(volatility_of("clock_timestamp"), VOLATILITY_VOLATILE);
	CHECK_INT(volatility_of("gen_random_uuid"), VOLATILITY_VOLATILE);
	CHECK_INT(volatility_of("nextval"), VOLATILITY_VOLATILE);
	CHECK_INT(volatility_of("timeofday"), VOLATILITY_VOLATILE);
	CHECK_INT(volatility_of("lower"), VOLATILITY_IMMUTABLE);
	CHECK_INT(volatility_of("to_char"), VOLATILITY_STABLE); /* some overloads are immutable */
	CHECK_INT(volatility_of("uuid_generate_v4"), VOLATILITY_VOLATILE);
	CHECK_STR(volatility_source("uuid_generate_v4"), "uuid-ossp");
	CHECK_STR(volatility_source("gen_random_bytes"), "pgcrypto");
	CHECK_STR(volatility_source("now"), "");
	CHECK_INT(volatility_of("make_code"), VOLATILITY_UNKNOWN);
	CHECK(volatility_source("make_code") == NULL);
	CHECK_INT(volatility_of(""), VOLATILITY_UNKNOWN);
	CHECK_INT(volatility_of(NULL), VOLATILITY_UNKNOWN);
	CHECK_STR(volatility_name(VOLATILITY_VOLATILE), "volatile");
}

struct want {
	const char *expr; /* a SELECT target */
	enum volatility level;
	const char *func;
};

static const struct want wants[] = {
	{ "1", VOLATILITY_IMMUTABLE, NULL },
	{ "NULL", VOLATILITY_IMMUTABLE, NULL },
	{ "'x'::text", VOLATILITY_IMMUTABLE, NULL },
	{ "now()", VOLATILITY_STABLE, "now" },
	{ "pg_catalog.now()", VOLATILITY_STABLE, "now" },
	{ "CURRENT_TIMESTAMP", VOLATILITY_STABLE, "CURRENT_TIMESTAMP" },
	{ "current_user", VOLATILITY_STABLE, "CURRENT_USER" },
	{ "now() + interval '1 day'", VOLATILITY_STABLE, "now" },
	{ "random()", VOLATILITY_VOLATILE, "random" },
	{ "md5(random()::text)", VOLATILITY_VOLATILE, "random" },
	{ "CASE WHEN true THEN 1 ELSE floor(random() * 10) END", VOLATILITY_VOLATILE, "random" },
	{ "COALESCE(NULL, clock_timestamp())", VOLATILITY_VOLATILE, "clock_timestamp" },
	{ "ARRAY[1, (random() * 2)::int]", VOLATILITY_VOLATILE, "random" },
	{ "nextval('s'::regclass)", VOLATILITY_VOLATILE, "nextval" },
	{ "extensions.uuid_generate_v4()", VOLATILITY_VOLATILE, "uuid_generate_v4" },
	{ "app.make_code(8)", VOLATILITY_UNKNOWN, "make_code" },
	/* a known volatile call decides even after an unknown one */
	{ "app.make_code(8) || random()::text", VOLATILITY_VOLATILE, "random" },
};

static size_t current;

static int on_statement(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	const PgQuery__SelectStmt *sel = st->node->select_stmt;
	const PgQuery__Node *expr = sel->target_list[0]->res_target->val;
	struct volatility_cause cause;
	enum volatility v = expr_volatility(expr, &cause);
	if (v != wants[current].level)
		fprintf(stderr, "for %s:\n", wants[current].expr);
	CHECK_INT(v, wants[current].level);
	CHECK_STR(cause.func, wants[current].func);
	CHECK_INT(expr_is_volatile(expr, NULL), wants[current].level == VOLATILITY_VOLATILE);
	return 0;
}

static void check_expressions(void)
{
	for (current = 0; current < sizeof(wants) / sizeof(wants[0]); current++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT %s", wants[current].expr);
		struct sql_callbacks cb = { NULL, NULL, on_statement };
		sql_parse(sql, strlen(sql), &cb);
	}
}

/* The walk's depth limit (sql/walk.h): a call SQL_WALK_MAX_DEPTH - 100 arrays deep is found, an
 * expression nested past the limit is unknown (not a crash, not "immutable"). */
static enum volatility deep_want;

static int on_deep(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	CHECK(st->node != NULL);
	if (!st->node)
		return 0;
	const PgQuery__Node *expr = st->node->select_stmt->target_list[0]->res_target->val;
	CHECK_INT(expr_volatility(expr, NULL), deep_want);
	return 0;
}

static void check_deep(void)
{
	static const struct {
		int levels;
		const char *inner;
		enum volatility want;
	} cases[] = {
		{ SQL_WALK_MAX_DEPTH - 100, "random()", VOLATILITY_VOLATILE },
		{ SQL_WALK_MAX_DEPTH + 100, "1", VOLATILITY_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "SELECT ");
		for (int k = 0; k < cases[i].levels; k++)
			strbuf_addstr(&sb, "ARRAY[");
		strbuf_addstr(&sb, cases[i].inner);
		for (int k = 0; k < cases[i].levels; k++)
			strbuf_addstr(&sb, "]");
		deep_want = cases[i].want;
		struct sql_callbacks cb = { NULL, NULL, on_deep };
		sql_parse(strbuf_str(&sb), sb.len, &cb);
		strbuf_release(&sb);
	}
}

/* CREATE FUNCTION declarations, and a resolver that answers for them */
/* what the statement parsed next should declare; the tree lives only during the callback */
static enum volatility declared_want;
static const char *declared_name_want;

static int on_create_function(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	const char *name;
	CHECK_INT(volatility_declared(st->node, &name), declared_want);
	CHECK_STR(name, declared_name_want);
	return 0;
}

static enum volatility only_mine(void *ud, const char *name)
{
	(void)ud;
	return !strcmp(name, "mine") ? VOLATILITY_IMMUTABLE : VOLATILITY_UNKNOWN;
}

static int on_select(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	struct volatility_resolver r = { only_mine, NULL };
	const PgQuery__Node *expr = st->node->select_stmt->target_list[0]->res_target->val;
	CHECK_INT(expr_volatility_with(expr, &r, NULL), VOLATILITY_IMMUTABLE);
	CHECK_INT(expr_volatility(expr, NULL), VOLATILITY_UNKNOWN);
	return 0;
}

static void check_declared(void)
{
	static const struct {
		const char *sql;
		enum volatility want;
	} cases[] = {
		{ "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'select 1'", VOLATILITY_VOLATILE },
		{ "CREATE OR REPLACE FUNCTION f() RETURNS int IMMUTABLE LANGUAGE sql AS 'select 1'",
		  VOLATILITY_IMMUTABLE },
		{ "CREATE FUNCTION f() RETURNS int LANGUAGE sql STABLE AS 'select 1'", VOLATILITY_STABLE },
	};
	struct sql_callbacks cb = { NULL, NULL, on_create_function };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		declared_want = cases[i].want;
		declared_name_want = "f";
		sql_parse(cases[i].sql, strlen(cases[i].sql), &cb);
	}
	const char *other = "SELECT 1";
	declared_want = VOLATILITY_UNKNOWN;
	declared_name_want = NULL;
	sql_parse(other, strlen(other), &cb);
	const char *sel = "SELECT mine(1) + 2";
	cb.statement = on_select;
	sql_parse(sel, strlen(sel), &cb);
}

/* "varchar(20)" and friends, parsed the way the grammar spells them */
static struct sql_type ty(const char *name, int n, int32_t a, int32_t b, int dims)
{
	struct sql_type t = { name, { a, b }, n, dims, -1 };
	return t;
}

static void check_types(void)
{
	CHECK_STR(type_serial_base("bigserial"), "int8");
	CHECK_STR(type_serial_base("serial"), "int4");
	CHECK(type_serial_base("int4") == NULL);
	CHECK_INT(type_int_width("int2"), 2);
	CHECK_INT(type_int_width("serial"), 4);
	CHECK_INT(type_int_width("numeric"), 0);
	CHECK(type_is_known("timestamptz"));
	CHECK(!type_is_known("mood"));

	const int v = 15;
	struct sql_type vc10 = ty("varchar", 1, 10, 0, 0), vc20 = ty("varchar", 1, 20, 0, 0);
	struct sql_type vc = ty("varchar", 0, 0, 0, 0), text = ty("text", 0, 0, 0, 0);
	CHECK_INT(type_change(&vc10, &vc20, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&vc20, &vc10, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&vc10, &vc, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&vc10, &text, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&text, &vc, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&text, &vc10, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&vc, &vc10, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&vc10, &vc10, v), TYPE_CHANGE_NONE);

	struct sql_type ch5 = ty("bpchar", 1, 5, 0, 0), ch10 = ty("bpchar", 1, 10, 0, 0);
	CHECK_INT(type_change(&ch5, &ch10, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&ch5, &text, v), TYPE_CHANGE_REWRITE);

	struct sql_type n10_2 = ty("numeric", 2, 10, 2, 0), n12_2 = ty("numeric", 2, 12, 2, 0);
	struct sql_type n12_3 = ty("numeric", 2, 12, 3, 0), n = ty("numeric", 0, 0, 0, 0);
	struct sql_type n10 = ty("numeric", 1, 10, 0, 0), n12_0 = ty("numeric", 2, 12, 0, 0);
	CHECK_INT(type_change(&n10_2, &n12_2, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&n10_2, &n12_3, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&n12_2, &n10_2, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&n10_2, &n, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&n, &n10_2, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&n10, &n12_0, v), TYPE_CHANGE_CATALOG);

	struct sql_type vb5 = ty("varbit", 1, 5, 0, 0), vb10 = ty("varbit", 1, 10, 0, 0);
	struct sql_type vb = ty("varbit", 0, 0, 0, 0), bit5 = ty("bit", 1, 5, 0, 0);
	CHECK_INT(type_change(&vb5, &vb10, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&vb10, &vb5, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&bit5, &vb, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&bit5, &vb10, v), TYPE_CHANGE_REWRITE);
	/* bit without a length is bit(1): the length is checked, so the rows are rewritten */
	struct sql_type bit = ty("bit", 0, 0, 0, 0);
	CHECK_INT(type_change(&vb, &bit, v), TYPE_CHANGE_REWRITE);

	/* kept rows, rebuilt indexes: the default operator class changes (checked on a server) */
	struct sql_type ci = ty("citext", 0, 0, 0, 0), bpchar = ty("bpchar", 0, 0, 0, 0);
	CHECK_INT(type_change_rebuilds_indexes(&text, &ci), 1);
	CHECK_INT(type_change_rebuilds_indexes(&ci, &vc), 1);
	CHECK_INT(type_change_rebuilds_indexes(&vc10, &text), 0);
	CHECK_INT(type_change_rebuilds_indexes(&text, &bpchar), 1);
	CHECK_INT(type_change_rebuilds_indexes(&bit5, &vb), 1);

	struct sql_type cidr = ty("cidr", 0, 0, 0, 0), inet = ty("inet", 0, 0, 0, 0);
	CHECK_INT(type_change(&cidr, &inet, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&inet, &cidr, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change_rebuilds_indexes(&cidr, &inet), 0);
	struct sql_type xml = ty("xml", 0, 0, 0, 0);
	CHECK_INT(type_change_rebuilds_indexes(&xml, &text), -1);

	struct sql_type i4 = ty("int4", 0, 0, 0, 0), i8 = ty("int8", 0, 0, 0, 0);
	struct sql_type serial = ty("serial", 0, 0, 0, 0);
	CHECK_INT(type_change(&i4, &i8, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&serial, &i4, v), TYPE_CHANGE_NONE);
	CHECK_INT(type_change(&serial, &i8, v), TYPE_CHANGE_REWRITE);

	struct sql_type ts = ty("timestamp", 0, 0, 0, 0), tstz = ty("timestamptz", 0, 0, 0, 0);
	struct sql_type ts3 = ty("timestamp", 1, 3, 0, 0), ts6 = ty("timestamp", 1, 6, 0, 0);
	CHECK_INT(type_change(&ts, &tstz, 15), TYPE_CHANGE_TIMEZONE);
	CHECK_INT(type_change(&tstz, &ts, 12), TYPE_CHANGE_TIMEZONE);
	CHECK_INT(type_change(&ts, &tstz, 11), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&ts3, &ts6, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&ts6, &ts3, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&ts3, &ts, v), TYPE_CHANGE_CATALOG);

	struct sql_type iv3 = ty("interval", 2, 0x7FFF, 3, 0), iv6 = ty("interval", 2, 0x7FFF, 6, 0);
	struct sql_type iv = ty("interval", 0, 0, 0, 0);
	CHECK_INT(type_change(&iv3, &iv6, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&iv3, &iv, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&iv, &iv3, v), TYPE_CHANGE_REWRITE);

	/* arrays: even a binary-coercible element change goes through a rewriting coercion */
	struct sql_type vca = ty("varchar", 0, 0, 0, 1), texta = ty("text", 0, 0, 0, 1);
	CHECK_INT(type_change(&vca, &texta, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&texta, &texta, v), TYPE_CHANGE_NONE);

	struct sql_type json = ty("json", 0, 0, 0, 0), jsonb = ty("jsonb", 0, 0, 0, 0);
	struct sql_type citext = ty("citext", 0, 0, 0, 0), mood = ty("mood", 0, 0, 0, 0);
	CHECK_INT(type_change(&json, &jsonb, v), TYPE_CHANGE_REWRITE);
	CHECK_INT(type_change(&text, &citext, v), TYPE_CHANGE_CATALOG);
	CHECK_INT(type_change(&text, &mood, v), TYPE_CHANGE_UNKNOWN);
	CHECK_INT(type_change(&mood, &mood, v), TYPE_CHANGE_NONE);

	char buf[64];
	CHECK_STR(type_format(&i4, buf, sizeof(buf)), "integer");
	CHECK_STR(type_format(&ch5, buf, sizeof(buf)), "char(5)");
	CHECK_STR(type_format(&n10_2, buf, sizeof(buf)), "numeric(10,2)");
	CHECK_STR(type_format(&vca, buf, sizeof(buf)), "varchar[]");
}

int main(void)
{
	check_table();
	check_expressions();
	check_deep();
	check_declared();
	check_types();
	sql_shutdown();
	return check_finish();
}
