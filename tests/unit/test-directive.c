/* directive_parse: which comments are pgsieve directives, and what they name. */
#include "lint/directive.h"

#include "check.h"

/* Parses a comment at byte offset 100 of an imagined file. */
static int parse(const char *comment, struct directive *d)
{
	return directive_parse(comment, strlen(comment), 100, d);
}

static void test_line_comments(void)
{
	struct directive d;
	CHECK_INT(parse("-- pgsieve-ignore create-index-blocking", &d), 1);
	CHECK_INT(d.whole_file, 0);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "create-index-blocking");
	CHECK_INT(d.rule_offsets[0], 100 + 18);
	CHECK_INT(d.offset, 100);
	CHECK_INT(d.length, 39);
	CHECK_INT(d.stmt_index, -1);
	CHECK_INT(d.used[0], 0);
	directive_release(&d);
	CHECK_INT(d.nrules, 0);

	/* no space after the marker, and extra spaces around the ids */
	CHECK_INT(parse("--pgsieve-ignore   drop-table  ", &d), 1);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "drop-table");
	CHECK_INT(d.rule_offsets[0], 100 + 19);
	directive_release(&d);
}

static void test_block_comments(void)
{
	struct directive d;
	CHECK_INT(parse("/* pgsieve-ignore drop-table */", &d), 1);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "drop-table");
	CHECK_INT(d.rule_offsets[0], 100 + 18);
	directive_release(&d);

	CHECK_INT(parse("/*pgsieve-ignore drop-table*/", &d), 1);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "drop-table");
	directive_release(&d);

	/* a reason in a block comment, with a star in it */
	CHECK_INT(parse("/* pgsieve-ignore drop-table: the table is empty * really */", &d), 1);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "drop-table");
	directive_release(&d);

	/* the block spans lines */
	CHECK_INT(parse("/*\n   pgsieve-ignore drop-table,\n   drop-column\n*/", &d), 1);
	CHECK_INT(d.nrules, 2);
	CHECK_STR(d.rules[1], "drop-column");
	directive_release(&d);
}

static void test_several_rules_and_reasons(void)
{
	struct directive d;
	const char *c = "-- pgsieve-ignore add-column-rewrite,drop-table, rename-column : reviewed, ok";
	CHECK_INT(parse(c, &d), 1);
	CHECK_INT(d.nrules, 3);
	CHECK_STR(d.rules[0], "add-column-rewrite");
	CHECK_STR(d.rules[1], "drop-table");
	CHECK_STR(d.rules[2], "rename-column");
	CHECK_INT(d.rule_offsets[0], 100 + 18);
	CHECK_INT(d.rule_offsets[1], 100 + 37);
	CHECK_INT(d.rule_offsets[2], 100 + 49);
	directive_release(&d);

	/* the reason's words are not rule ids, even right after the colon */
	CHECK_INT(parse("-- pgsieve-ignore drop-table:drop-column", &d), 1);
	CHECK_INT(d.nrules, 1);
	CHECK_STR(d.rules[0], "drop-table");
	directive_release(&d);

	/* ids are kept as written, unknown ones too (the engine reports those) */
	CHECK_INT(parse("-- pgsieve-ignore No_Such_Rule", &d), 1);
	CHECK_STR(d.rules[0], "No_Such_Rule");
	directive_release(&d);

	/* more ids than fit: the first DIRECTIVE_MAX_RULES are kept */
	char many[1024];
	int n = snprintf(many, sizeof(many), "-- pgsieve-ignore ");
	for (int i = 0; i < DIRECTIVE_MAX_RULES + 4; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n, "r%d,", i);
	CHECK_INT(parse(many, &d), 1);
	CHECK_INT(d.nrules, DIRECTIVE_MAX_RULES);
	CHECK_STR(d.rules[DIRECTIVE_MAX_RULES - 1], "r15");
	directive_release(&d);
}

static void test_whole_file(void)
{
	struct directive d;
	CHECK_INT(parse("-- pgsieve-ignore-file prefer-text, ban-char: legacy schema", &d), 1);
	CHECK_INT(d.whole_file, 1);
	CHECK_INT(d.nrules, 2);
	CHECK_STR(d.rules[0], "prefer-text");
	CHECK_STR(d.rules[1], "ban-char");
	CHECK_INT(d.rule_offsets[0], 100 + 23);
	directive_release(&d);

	CHECK_INT(parse("/* pgsieve-ignore-file drop-table */", &d), 1);
	CHECK_INT(d.whole_file, 1);
	directive_release(&d);
}

static void test_no_rules(void)
{
	struct directive d;
	CHECK_INT(parse("-- pgsieve-ignore", &d), -1);
	CHECK_INT(d.nrules, 0);
	CHECK_INT(parse("-- pgsieve-ignore   ", &d), -1);
	CHECK_INT(parse("-- pgsieve-ignore: because", &d), -1);
	CHECK_INT(parse("-- pgsieve-ignore-file", &d), -1);
	CHECK_INT(d.whole_file, 1);
	CHECK_INT(parse("/* pgsieve-ignore */", &d), -1);
	CHECK_INT(parse("-- pgsieve-ignore ,,", &d), -1);
}

static void test_lookalikes(void)
{
	struct directive d;
	static const char *const not_ours[] = {
		"-- pgsieve-ignored drop-table",
		"-- pgsieve-ignores drop-table",
		"-- pgsieve-ignore_all drop-table",
		"-- pgsieve-ignore-files drop-table",
		"-- pgsieve-ignore-filed drop-table",
		"-- pgsieve-ignore-x drop-table",
		"-- pgsieve-ignor drop-table",
		"-- pgsieve drop-table",
		"-- note: pgsieve-ignore drop-table",
		"-- see the pgsieve-ignore docs",
		"- pgsieve-ignore drop-table",
		"/ * pgsieve-ignore drop-table */",
		"-- just a comment",
		"--",
		"-",
		"",
		"/**/",
		"/* */",
		"select 1 -- pgsieve-ignore drop-table",
		"'-- pgsieve-ignore drop-table'",
	};
	for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		int r = parse(not_ours[i], &d);
		if (!check_record(r == 0, __FILE__, __LINE__, "not a directive"))
			fprintf(stderr, "    \"%s\" gave %d\n", not_ours[i], r);
		CHECK_INT(d.nrules, 0);
	}
	/* a comment cut short by its length argument */
	CHECK_INT(directive_parse("-- pgsieve-ignore drop-table", 10, 0, &d), 0);
	CHECK_INT(directive_parse("-- pgsieve-ignore drop-table", 22, 0, &d), 1);
	CHECK_STR(d.rules[0], "drop");
	directive_release(&d);
}

int main(void)
{
	test_line_comments();
	test_block_comments();
	test_several_rules_and_reasons();
	test_whole_file();
	test_no_rules();
	test_lookalikes();
	return check_finish();
}
