/* The JSON reporter writes its findings itself rather than through jansson's objects (see
 * report_json_write_fn): the text must be what jansson writes for the same values. Each case
 * is reported, read back with jansson and dumped again with the reporter's flags; the two texts
 * must be equal, and the values read back must be the ones reported. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lint/registry.h"
#include "lint/run.h"
#include "report/report.h"
#include "util/strbuf.h"

#include "check.h"

static char *report(const struct lint_run *run)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct report_options o = { 0, "9.9.9", "https://example.invalid" };
	CHECK(report_json(out, run, &o) == 0);
	fclose(out);
	return text;
}

/* The reporter's text equals jansson's dump of what it parses to; returns the parsed tree. */
static json_t *same_as_jansson(const char *text, int line)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	if (!check_record(root != NULL, __FILE__, line, "the report is JSON")) {
		fprintf(stderr, "    %s at %d\n", err.text, err.position);
		return NULL;
	}
	char *again = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n = strlen(again);
	/* the reporter ends the document with a newline, json_dumps() does not */
	int same = strlen(text) == n + 1 && !memcmp(text, again, n) && text[n] == '\n';
	if (!check_record(same, __FILE__, line, "the text is jansson's")) {
		size_t i = 0;
		while (i < n && text[i] == again[i])
			i++;
		fprintf(stderr, "    differs at byte %zu: ours \"%.40s\", jansson's \"%.40s\"\n", i, text + i,
			again + i);
	}
	free(again);
	return root;
}

static struct finding finding(const char *message, const char *help, const struct fix *fix, int stmt)
{
	struct finding f = { 0 };
	f.rule = &rule_syntax_error;
	f.severity = SEVERITY_ERROR;
	f.line = 3, f.column = 7, f.end_line = 4, f.end_column = 1;
	f.offset = 4000000000u, f.length = 12;
	f.stmt_index = stmt;
	f.message = message;
	f.help = help;
	f.fix = fix;
	f.fingerprint = "00ff00ff00ff00ff";
	return f;
}

int main(void)
{
	struct lint_file files[] = {
		{ "migrations/0001_init.sql", 3, NULL, LINT_TX_UNKNOWN, -1, 0 },
		{ "migrations/\xc3\xa9t\xc3\xa9 \"quoted\" \\ back.sql", 1, "flyway", LINT_TX_WRAPPED, 1, 0 },
		{ "bad-\xff-name.sql", 1, NULL, LINT_TX_UNKNOWN, -1, 0 },
	};
	char controls[40];
	for (int c = 1; c < 32; c++)
		controls[c - 1] = (char)c;
	memcpy(controls + 31, "\x7f/end", sizeof("\x7f/end"));
	/* fixes: nested objects and arrays, written at the finding's depth */
	const struct fix_edit edits[] = {
		{ NULL, 7, 0, " CONCURRENTLY" },
		{ "migrations/0002.sql", 0, 3, "a \"quoted\"\nline" },
	};
	const struct fix_file created[] = { { "migrations/0003_validate.sql", "ALTER TABLE t VALIDATE CONSTRAINT c;\n" } };
	const struct fix fix = { "use CREATE INDEX CONCURRENTLY", edits, 2, created, 1 };
	const struct fix empty_fix = { "", NULL, 0, NULL, 0 };
	struct finding found[] = {
		finding("plain message", "a help", NULL, 0),
		finding("quotes \" and backslashes \\ and a tab\there", NULL, &fix, -1),
		finding(controls, "\xe2\x82\xac \xf0\x9f\x98\x80 non-ASCII as it is", NULL, 2),
		finding("", "", &empty_fix, 0),
	};
	found[1].file = 1;
	found[1].severity = SEVERITY_INFO;

	struct lint_run run = { 0 };
	run.files = files;
	run.nfiles = 2;
	run.findings = found;
	run.nfindings = sizeof(found) / sizeof(found[0]);

	char *text = report(&run);
	json_t *root = same_as_jansson(text, __LINE__);
	json_t *items = json_object_get(root, "findings");
	CHECK_INT(json_array_size(items), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(items, 2), "message")), controls);
	CHECK_STR(json_string_value(json_object_get(json_array_get(items, 1), "file")), files[1].path);
	CHECK(json_is_null(json_object_get(json_array_get(items, 1), "help")));
	CHECK(json_is_null(json_object_get(json_array_get(items, 1), "statement")));
	json_t *fj = json_object_get(json_array_get(items, 1), "fix");
	CHECK_STR(json_string_value(json_object_get(fj, "title")), "use CREATE INDEX CONCURRENTLY");
	CHECK_INT(json_array_size(json_object_get(fj, "edits")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(fj, "edits"), 0), "file")),
		  files[1].path);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(fj, "edits"), 0), "offset")), 7);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(fj, "edits"), 1), "text")),
		  "a \"quoted\"\nline");
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(fj, "files"), 0), "path")),
		  "migrations/0003_validate.sql");
	CHECK_INT(json_array_size(json_object_get(json_object_get(json_array_get(items, 3), "fix"), "files")), 0);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "offset")), 4000000000LL);
	CHECK(strstr(text, "\\u0001\\u0002") != NULL);
	CHECK(strstr(text, "\\u001F\x7f/end") != NULL);
	json_decref(root);
	free(text);

	/* A file name that is not UTF-8: written through jansson for that finding only, with each
	 * invalid byte as U+FFFD (issue 20: never a missing or null "file"). */
	found[3].file = 2;
	run.nfiles = 3;
	text = report(&run);
	root = same_as_jansson(text, __LINE__);
	items = json_object_get(root, "findings");
	CHECK_INT(json_array_size(items), 4);
	CHECK(json_is_string(json_object_get(json_array_get(items, 3), "file")));
	CHECK(strstr(json_string_value(json_object_get(json_array_get(items, 3), "file")), "\xef\xbf\xbd") != NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(items, 3), "fingerprint")), "00ff00ff00ff00ff");
	json_decref(root);
	free(text);

	/* the string and integer writers alone */
	struct strbuf sb = STRBUF_INIT;
	CHECK(report_json_add_string(&sb, "a\xc0\xafz") == -1); /* an overlong '/' */
	CHECK_INT(sb.len, 0);
	report_json_add_int(&sb, -9223372036854775807LL - 1);
	report_json_add_int(&sb, 0);
	CHECK_STR(strbuf_str(&sb), "-92233720368547758080");
	strbuf_release(&sb);

	return check_finish();
}
