/* config: .pgsieve.yml keys and their errors (FILE:LINE and the key), select and ignore from the
 * file and the command line, and finding the file from a path. */
#include "lint/config.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/registry.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "check.h"

static char tmp[PATH_MAX];  /* the test's own directory */
static char *made[64];      /* what to remove at the end, in order of creation */
static size_t nmade;

static void remember(const char *path)
{
	if (nmade < sizeof(made) / sizeof(made[0]))
		made[nmade++] = xstrdup(path);
}

static char *in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static void make_dir(const char *name)
{
	char *p = in_tmp(name);
	if (mkdir(p, 0755) != 0) {
		perror(p);
		exit(2);
	}
	remember(p);
	free(p);
}

/* Writes text into tmp/name and returns the path (owned by the test's list). */
static const char *write_file(const char *name, const char *text)
{
	char *p = in_tmp(name);
	FILE *f = fopen(p, "wb");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(p);
		exit(2);
	}
	int known = 0;
	for (size_t i = 0; i < nmade; i++)
		known |= !strcmp(made[i], p);
	if (!known)
		remember(p);
	free(p);
	for (size_t i = 0; i < nmade; i++)
		if (!strcmp(made[i] + strlen(tmp) + 1, name))
			return made[i];
	return NULL;
}

static void cleanup(void)
{
	while (nmade > 0) {
		char *p = made[--nmade];
		struct stat st;
		if (lstat(p, &st) == 0)
			S_ISDIR(st.st_mode) ? rmdir(p) : unlink(p);
		free(p);
	}
	rmdir(tmp);
}

/* The real path of what config_find returned (which is relative when it lies under the working
 * directory), so checks do not depend on where the test runs. */
static char *canon(char *found)
{
	if (!found)
		return NULL;
	char *r = realpath(found, NULL);
	free(found);
	return r ? r : xstrdup("(unresolvable)");
}

static enum severity sev(const struct lint_options *o, const char *id)
{
	const struct rule *r = rule_find(id);
	if (!r) {
		fprintf(stderr, "test uses unknown rule %s\n", id);
		exit(2);
	}
	return o->severities[rule_index(r)];
}

/* Loads `text` as a config file into fresh options; returns config_load's result. */
static int load_text(const char *text, struct lint_options *o)
{
	lint_options_init(o);
	const char *path = write_file("c.yml", text);
	error_clear();
	return config_load(path, o);
}

/* The text must be rejected with "PATH:LINE: ..." containing `want`. */
static void bad(const char *text, int line, const char *want, int src_line)
{
	struct lint_options o;
	int r = load_text(text, &o);
	char *prefix = xasprintf("%s/c.yml:%d: ", tmp, line);
	const char *msg = error_message();
	int ok = r == -1 && !strncmp(msg, prefix, strlen(prefix)) && strstr(msg, want);
	if (!check_record(ok, __FILE__, src_line, "config error with file, line and key"))
		fprintf(stderr, "    config: %s    result %d, message \"%s\"\n    want \"%s...%s...\"\n", text, r,
			msg, prefix, want);
	/* a rejected file changes nothing */
	struct lint_options fresh;
	lint_options_init(&fresh);
	int same = o.pg_version == fresh.pg_version && o.fail_on == fresh.fail_on &&
		   o.n_exclude == 0 && o.n_vector_dimensions == 0 && !o.framework &&
		   !memcmp(o.severities, fresh.severities, rule_count * sizeof(*o.severities));
	check_record(same, __FILE__, src_line, "a rejected file leaves the options alone");
	lint_options_release(&fresh);
	lint_options_release(&o);
	free(prefix);
}

#define BAD(text, line, want) bad((text), (line), (want), __LINE__)

static void good(const char *text, struct lint_options *o, int src_line)
{
	int r = load_text(text, o);
	if (!check_record(r == 0, __FILE__, src_line, "config accepted"))
		fprintf(stderr, "    config: %s    error: %s\n", text, error_message());
}

#define GOOD(text, o) good((text), (o), __LINE__)

static void test_empty(void)
{
	struct lint_options o, d;
	lint_options_init(&d);
	static const char *const empties[] = { "", "\n\n", "# only a comment\n", "---\n", "~\n", "---\n...\n" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		GOOD(empties[i], &o);
		CHECK_INT(o.pg_version, d.pg_version);
		CHECK_INT(o.fail_on, d.fail_on);
		CHECK(!memcmp(o.severities, d.severities, rule_count * sizeof(*o.severities)));
		lint_options_release(&o);
	}
	lint_options_release(&d);
}

static void test_all_keys(void)
{
	struct lint_options o;
	GOOD("# project settings\n"
	     "pg-version: 12\n"
	     "assume-in-transaction: true\n"
	     "fail-on: error\n"
	     "lock-timeout-set-by-runner: true\n"
	     "statement-timeout-set-by-runner: False\n"
	     "vector-dimensions: [1536, 768]\n"
	     "exclude:\n"
	     "  - migrations/old/*\n"
	     "  - '*_down.sql'\n"
	     "framework: golang-migrate\n"
	     "rules:\n"
	     "  create-index-blocking: warning\n"
	     "  drop-table: off\n"
	     "  prefer-text: \"error\"\n"
	     "ignore: [ban-char]\n",
	     &o);
	CHECK_INT(o.pg_version, 12);
	CHECK_INT(o.assume_in_transaction, 1);
	CHECK_INT(o.fail_on, SEVERITY_ERROR);
	CHECK_INT(o.lock_timeout_set_by_runner, 1);
	CHECK_INT(o.statement_timeout_set_by_runner, 0);
	CHECK_INT(o.n_vector_dimensions, 2);
	if (o.n_vector_dimensions == 2) {
		CHECK_INT(o.vector_dimensions[0], 1536);
		CHECK_INT(o.vector_dimensions[1], 768);
	}
	CHECK_INT(o.n_exclude, 2);
	if (o.n_exclude == 2) {
		CHECK_STR(o.exclude[0], "migrations/old/*");
		CHECK_STR(o.exclude[1], "*_down.sql");
	}
	CHECK_STR(o.framework, "golang-migrate");
	CHECK_INT(sev(&o, "create-index-blocking"), SEVERITY_WARNING);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "prefer-text"), SEVERITY_ERROR);
	CHECK_INT(sev(&o, "ban-char"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	lint_options_release(&o);

	/* each framework the later work knows */
	static const char *const fw[] = { "sql", "golang-migrate", "pop", "diesel", "flyway", "dbmate",
					  "sqitch", "prisma", "supabase", "alembic" };
	for (size_t i = 0; i < sizeof(fw) / sizeof(fw[0]); i++) {
		char *text = xasprintf("framework: %s\n", fw[i]);
		GOOD(text, &o);
		CHECK_STR(o.framework, fw[i]);
		lint_options_release(&o);
		free(text);
	}

	/* fail-on never, and the version bounds */
	GOOD("fail-on: never\npg-version: 10\n", &o);
	CHECK_INT(o.fail_on, SEVERITY_OFF);
	CHECK_INT(o.pg_version, 10);
	lint_options_release(&o);
	GOOD("pg-version: 18\nfail-on: info\n", &o);
	CHECK_INT(o.pg_version, 18);
	CHECK_INT(o.fail_on, SEVERITY_INFO);
	lint_options_release(&o);

	/* block-style lists and flow-style maps are the same thing in YAML */
	GOOD("select:\n  - drop-table\nrules: {drop-table: info}\nvector-dimensions:\n  - 3\n", &o);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_INFO);
	CHECK_INT(o.n_vector_dimensions, 1);
	lint_options_release(&o);

	/* empty lists are allowed and mean what they say */
	GOOD("ignore: []\nexclude: []\n", &o);
	CHECK_INT(o.n_exclude, 0);
	lint_options_release(&o);

	/* CRLF line ends */
	GOOD("pg-version: 13\r\nfail-on: info\r\n", &o);
	CHECK_INT(o.pg_version, 13);
	lint_options_release(&o);
}

static void test_errors(void)
{
	/* unknown keys, with a suggestion when one is near */
	BAD("pg-version: 12\npg_version: 12\n", 2, "unknown key 'pg_version'; did you mean 'pg-version'?");
	BAD("# c\n\nfoo: 1\n", 3, "unknown key 'foo'; the keys are pg-version");
	BAD("Select: [drop-table]\n", 1, "unknown key 'Select'");
	BAD("rules:\n  drop-table: off\nrule: {}\n", 3, "unknown key 'rule'");
	BAD("<<: {pg-version: 12}\n", 1, "unknown key '<<'");
	BAD("? [a]\n: b\n", 1, "keys must be names");

	/* duplicates */
	BAD("pg-version: 12\nfail-on: error\npg-version: 13\n", 3, "'pg-version' is set twice (first on line 1)");
	BAD("rules:\n  drop-table: off\n  drop-table: error\n", 3,
	    "'rules' sets 'drop-table' twice (first on line 2)");

	/* pg-version */
	BAD("pg-version: 9\n", 1, "'pg-version' takes a major version from 10 to 18");
	BAD("pg-version: 19\n", 1, "'pg-version' takes a major version from 10 to 18");
	BAD("pg-version: 15.2\n", 1, "not '15.2'");
	BAD("pg-version: fifteen\n", 1, "'pg-version'");
	BAD("pg-version: \"15\"\n", 1, "not the quoted string '15'");
	BAD("pg-version: [15]\n", 1, "'pg-version' takes a major version from 10 to 18 (such as 15), not a list");
	BAD("\n\npg-version:\n", 3, "'pg-version' has no value");
	BAD("pg-version: ~\n", 1, "'pg-version' has no value");
	BAD("pg-version: 99999999999999999999999\n", 1, "'pg-version'");

	/* booleans */
	BAD("assume-in-transaction: yes\n", 1, "'assume-in-transaction' takes true or false, not 'yes'");
	BAD("assume-in-transaction: 1\n", 1, "'assume-in-transaction' takes true or false");
	BAD("lock-timeout-set-by-runner: \"true\"\n", 1, "'lock-timeout-set-by-runner' takes true or false");
	BAD("statement-timeout-set-by-runner: {}\n", 1,
	    "'statement-timeout-set-by-runner' takes true or false, not a mapping");

	/* fail-on */
	BAD("fail-on: off\n", 1, "'fail-on' takes error, warning, info or never, not 'off'");
	BAD("fail-on: warn\n", 1, "'fail-on' takes error, warning, info or never");
	BAD("fail-on: [error]\n", 1, "'fail-on'");

	/* select and ignore */
	BAD("select: drop-table\n", 1, "'select' takes a list of rule ids, such as [a, b], not 'drop-table'");
	BAD("select:\n  - drop-table\n  - drop-tabel\n", 3,
	    "'select' names unknown rule 'drop-tabel'; 'pgsieve rules' lists them (did you mean 'drop-table'?)");
	BAD("ignore: [nothing-like-a-rule]\n", 1, "'ignore' names unknown rule 'nothing-like-a-rule'; 'pgsieve rules' lists them");
	BAD("ignore: [[drop-table]]\n", 1, "'ignore' takes rule ids, not a list");
	BAD("ignore:\n  -\n", 2, "'ignore' takes rule ids");
	BAD("ignore: {drop-table: true}\n", 1, "'ignore' takes a list of rule ids");

	/* rules: */
	BAD("rules: [drop-table]\n", 1, "'rules' takes a mapping of rule ids to error, warning, info or off, not a list");
	BAD("rules:\n  drop-table: loud\n", 2, "'rules': 'drop-table' takes error, warning, info or off, not 'loud'");
	BAD("rules:\n  drop-table: never\n", 2, "'rules': 'drop-table' takes error, warning, info or off");
	BAD("rules:\n  drop-table:\n", 2, "'rules': 'drop-table' takes error, warning, info or off");
	BAD("rules:\n  create-index-blocking: error\n  no-such-rule: off\n", 3, "'rules' names unknown rule 'no-such-rule'");
	BAD("rules: drop-table\n", 1, "'rules' takes a mapping");

	/* exclude */
	BAD("exclude: \"*.sql\"\n", 1, "'exclude' takes a list of glob patterns, such as [a, b], not the quoted string '*.sql'");
	BAD("exclude:\n  - a/*\n  - {b: c}\n", 3, "'exclude' takes glob patterns (strings), not a mapping");

	/* vector-dimensions */
	BAD("vector-dimensions: 1536\n", 1, "'vector-dimensions' takes a list of vector sizes");
	BAD("vector-dimensions: [1536, 0]\n", 1, "'vector-dimensions' takes positive whole numbers (vector sizes), not '0'");
	BAD("vector-dimensions:\n  - 1536\n  - -3\n", 3, "not '-3'");
	BAD("vector-dimensions: [big]\n", 1, "not 'big'");
	BAD("vector-dimensions: [\"1536\"]\n", 1, "not the quoted string '1536'");
	BAD("vector-dimensions: [99999999999]\n", 1, "'vector-dimensions'");

	/* framework */
	BAD("framework: rails\n", 1, "'framework' takes one of sql, golang-migrate, pop, diesel, flyway, dbmate, sqitch, prisma, supabase, alembic, "
	    "goose, sqlx, sql-migrate, tern, node-pg-migrate, atlas, graphile-migrate, drizzle, sql-pairs, liquibase, not 'rails'");
	BAD("framework: flywy\n", 1, "did you mean 'flyway'?");
	BAD("framework: [sql]\n", 1, "'framework' takes one of");

	/* the file as a whole */
	BAD("- pg-version: 12\n", 1, "the configuration must be a mapping of keys to values");
	BAD("just words\n", 1, "the configuration must be a mapping");
	BAD("pg-version: 12\n---\npg-version: 13\n", 2, "a second YAML document");

	/* YAML syntax errors, at the line where libyaml stops */
	BAD("pg-version: 12\nselect: [drop-table\n", 3, "invalid YAML: did not find expected ',' or ']'");
	BAD("pg-version: 12\n  fail-on: error\n", 2, "invalid YAML: mapping values are not allowed");
	BAD("\tpg-version: 12\n", 1, "invalid YAML: found character that cannot start any token");
	BAD("pg-version: 12\nselect: *rules\n", 2, "invalid YAML: found undefined alias");
	BAD("pg-version: 12\nfail-on: \"error\n", 3, "invalid YAML: found unexpected end of stream");
	BAD("fail-on: error\npg-version: \xc3\x28\n", 2, "invalid YAML: invalid trailing UTF-8 octet");
	BAD("\xff\xfepg-version: 12\n", 1, "invalid YAML");
}

static void test_unreadable(void)
{
	struct lint_options o;
	lint_options_init(&o);
	char *missing = in_tmp("no-such.yml");
	CHECK_INT(config_load(missing, &o), -1);
	char *want = xasprintf("cannot read configuration file '%s': No such file or directory", missing);
	CHECK_STR(error_message(), want);
	free(want);
	free(missing);

	char *dir = in_tmp("");
	CHECK_INT(config_load(dir, &o), -1);
	CHECK_CONTAINS(error_message(), "cannot read configuration file");
	free(dir);
	lint_options_release(&o);
}

/* Aliases are resolved, and a self-referencing one cannot send the loader in circles. */
static void test_aliases(void)
{
	struct lint_options o;
	GOOD("exclude: &ex [a.sql]\nselect: [drop-table]\n", &o);
	CHECK_INT(o.n_exclude, 1);
	lint_options_release(&o);
	BAD("select: &s [*s]\n", 1, "'select' takes rule ids, not a list");
	BAD("rules: &r {drop-table: *r}\n", 1, "'rules': 'drop-table' takes error, warning, info or off, not a mapping");
}

static void test_select_semantics(void)
{
	struct lint_options o;

	/* the file's select: only those rules, plus syntax-error and invalid-input */
	GOOD("select: [create-index-blocking, drop-table]\n", &o);
	CHECK_INT(sev(&o, "create-index-blocking"), rule_find("create-index-blocking")->severity);
	CHECK_INT(sev(&o, "drop-table"), rule_find("drop-table")->severity);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "unused-suppression"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "syntax-error"), SEVERITY_ERROR);
	CHECK_INT(sev(&o, "invalid-input"), SEVERITY_ERROR);

	/* the command line's select replaces the file's */
	CHECK_INT(config_select(&o, "drop-column"), 0);
	CHECK_INT(sev(&o, "create-index-blocking"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	CHECK_INT(sev(&o, "syntax-error"), SEVERITY_ERROR);
	/* and --ignore goes on top */
	CHECK_INT(config_ignore(&o, "syntax-error, drop-column"), 0);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "syntax-error"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "invalid-input"), SEVERITY_ERROR);
	lint_options_release(&o);

	/* syntax-error ignored in the file stays off under select */
	GOOD("select: [drop-table]\nignore: [syntax-error]\n", &o);
	CHECK_INT(sev(&o, "syntax-error"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "invalid-input"), SEVERITY_ERROR);
	lint_options_release(&o);
	GOOD("select: [drop-table]\nrules: {invalid-input: off}\n", &o);
	CHECK_INT(sev(&o, "invalid-input"), SEVERITY_OFF);
	CHECK_INT(config_select(&o, "drop-column"), 0); /* still off under the command line's select */
	CHECK_INT(sev(&o, "invalid-input"), SEVERITY_OFF);
	lint_options_release(&o);

	/* within the file, ignore wins over select */
	GOOD("select: [drop-table, drop-column]\nignore: [drop-table]\n", &o);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	lint_options_release(&o);

	/* a rule the file switched off runs when the command line selects it, at its file
	 * severity when it has one and its default when that is off */
	GOOD("ignore: [drop-table]\nrules: {drop-column: off, rename-table: info}\n", &o);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "rename-table"), SEVERITY_INFO);
	CHECK_INT(config_select(&o, "drop-table,drop-column,rename-table"), 0);
	CHECK_INT(sev(&o, "drop-table"), rule_find("drop-table")->severity);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	CHECK_INT(sev(&o, "rename-table"), SEVERITY_INFO);
	CHECK_INT(sev(&o, "create-index-blocking"), SEVERITY_OFF);
	lint_options_release(&o);

	/* the command line wins whatever the call order: select before the file is loaded */
	lint_options_init(&o);
	CHECK_INT(config_select(&o, "drop-table"), 0);
	CHECK_INT(config_ignore(&o, "rename-table"), 0);
	const char *path = write_file("c.yml", "select: [drop-column]\nrules: {rename-table: error}\n");
	CHECK_INT(config_load(path, &o), 0);
	CHECK_INT(sev(&o, "drop-table"), rule_find("drop-table")->severity);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "rename-table"), SEVERITY_OFF);
	lint_options_release(&o);

	/* without any select, ignore alone */
	lint_options_init(&o);
	CHECK_INT(config_ignore(&o, "drop-table"), 0);
	CHECK_INT(sev(&o, "drop-table"), SEVERITY_OFF);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	CHECK_INT(sev(&o, "unused-suppression"), rule_find("unused-suppression")->severity);
	/* a second --ignore list replaces the first */
	CHECK_INT(config_ignore(&o, "drop-column"), 0);
	CHECK_INT(sev(&o, "drop-table"), rule_find("drop-table")->severity);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	lint_options_release(&o);
}

static void test_cli_lists(void)
{
	struct lint_options o, d;
	lint_options_init(&o);
	lint_options_init(&d);
	CHECK_INT(config_select(&o, "nope"), -1);
	CHECK_STR(error_message(), "unknown rule 'nope' in --select; 'pgsieve rules' lists them");
	CHECK_INT(config_ignore(&o, "drop-table,nope"), -1);
	CHECK_STR(error_message(), "unknown rule 'nope' in --ignore; 'pgsieve rules' lists them");
	CHECK_INT(config_select(&o, "drop-tabel"), -1);
	CHECK_STR(error_message(),
		  "unknown rule 'drop-tabel' in --select; 'pgsieve rules' lists them (did you mean 'drop-table'?)");
	CHECK_INT(config_select(&o, ""), -1);
	CHECK_CONTAINS(error_message(), "--select needs at least one rule id");
	CHECK_INT(config_ignore(&o, " , "), -1);
	CHECK_CONTAINS(error_message(), "--ignore needs at least one rule id");
	/* failed lists change nothing */
	CHECK(!memcmp(o.severities, d.severities, rule_count * sizeof(*o.severities)));

	/* spaces around ids and empty items are fine */
	CHECK_INT(config_select(&o, " drop-table ,, drop-column,"), 0);
	CHECK_INT(sev(&o, "drop-table"), rule_find("drop-table")->severity);
	CHECK_INT(sev(&o, "drop-column"), rule_find("drop-column")->severity);
	CHECK_INT(sev(&o, "rename-table"), SEVERITY_OFF);
	lint_options_release(&o);
	lint_options_release(&d);
}

static void test_load_over(void)
{
	/* a second file replaces what it sets and keeps the rest */
	struct lint_options o;
	GOOD("pg-version: 11\nexclude: [a]\nvector-dimensions: [3]\nframework: pop\nselect: [drop-table]\n", &o);
	const char *path = write_file("d.yml", "exclude: [b, c]\nframework: dbmate\n");
	CHECK_INT(config_load(path, &o), 0);
	CHECK_INT(o.pg_version, 11);
	CHECK_INT(o.n_exclude, 2);
	CHECK_STR(o.framework, "dbmate");
	CHECK_INT(o.n_vector_dimensions, 1);
	CHECK_INT(sev(&o, "drop-column"), SEVERITY_OFF);
	lint_options_release(&o);
}

static void test_find(void)
{
	make_dir("repo");
	make_dir("repo/.git");
	make_dir("repo/db");
	make_dir("repo/db/migrations");
	make_dir("other");
	make_dir("other/sub");
	write_file("repo/db/migrations/001.sql", "select 1;\n");
	const char *cfg = write_file("repo/.pgsieve.yml", "pg-version: 12\n");
	/* a config above the repository root must not be found from inside it */
	write_file(".pgsieve.yml", "pg-version: 13\n");

	char *start = in_tmp("repo/db/migrations/001.sql");
	char *found = canon(config_find(start));
	char *real = realpath(cfg, NULL);
	CHECK_STR(found, real);
	free(found);
	free(start);

	start = in_tmp("repo/db/migrations");
	found = canon(config_find(start));
	CHECK_STR(found, real);
	free(found);
	free(start);

	/* a file that does not exist is looked up from its directory */
	start = in_tmp("repo/db/missing.sql");
	found = canon(config_find(start));
	CHECK_STR(found, real);
	free(found);
	free(start);

	/* relative paths, and the result relative to the working directory */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	char *repo = in_tmp("repo");
	if (chdir(repo) == 0) {
		found = config_find("db/migrations/001.sql");
		CHECK_STR(found, ".pgsieve.yml");
		free(found);
		found = config_find("db");
		CHECK_STR(found, ".pgsieve.yml");
		free(found);
		found = config_find(".");
		CHECK_STR(found, ".pgsieve.yml");
		free(found);
		found = config_find("001.sql"); /* in the working directory */
		CHECK_STR(found, ".pgsieve.yml");
		free(found);
		if (chdir("db/migrations") == 0) {
			found = canon(config_find("001.sql"));
			CHECK_STR(found, real);
			free(found);
			found = canon(config_find("../../db/migrations/"));
			CHECK_STR(found, real);
			free(found);
			char *all = NULL;
			char *paths[] = { (char *)"001.sql", (char *)".", (char *)"-" };
			CHECK_INT(config_find_common(paths, 3, NULL, &all), 0);
			all = canon(all);
			CHECK_STR(all, real);
			free(all);
		}
	}
	free(repo);
	if (cwd[0] && chdir(cwd) != 0)
		perror(cwd);

	/* outside a repository the walk goes on up: other/sub finds tmp/.pgsieve.yml */
	start = in_tmp("other/sub");
	found = canon(config_find(start));
	char *top = in_tmp(".pgsieve.yml");
	char *real_top = realpath(top, NULL);
	CHECK_STR(found, real_top);
	free(found);
	free(start);

	/* two paths under different files: an error naming both */
	char *a = in_tmp("repo/db"), *b = in_tmp("other/sub");
	char *paths[] = { a, b };
	char *common = (char *)"untouched";
	CHECK_INT(config_find_common(paths, 2, NULL, &common), -1);
	CHECK(common == NULL);
	CHECK_CONTAINS(error_message(), "have different configuration files");
	/* standard input is looked up from --stdin-filename */
	char *stdin_paths[] = { a, (char *)"-" };
	CHECK_INT(config_find_common(stdin_paths, 2, b, &common), -1);
	CHECK_INT(config_find_common(stdin_paths, 2, a, &common), 0);
	common = canon(common);
	CHECK_STR(common, real);
	free(common);
	free(a);
	free(b);

	/* .pgsieve.yaml is found too; both side by side is an error when loading */
	unlink(top);
	const char *yaml = write_file("other/.pgsieve.yaml", "fail-on: info\n");
	start = in_tmp("other/sub");
	found = canon(config_find(start));
	char *real_yaml = realpath(yaml, NULL);
	CHECK_STR(found, real_yaml);
	free(found);
	struct lint_options o;
	lint_options_init(&o);
	CHECK_INT(config_load(yaml, &o), 0);
	CHECK_INT(o.fail_on, SEVERITY_INFO);
	write_file("other/.pgsieve.yml", "fail-on: error\n");
	found = canon(config_find(start));
	CHECK_CONTAINS(found, "/other/.pgsieve.yml");
	CHECK_INT(config_load(found, &o), -1);
	CHECK_CONTAINS(error_message(), "both .pgsieve.yml and .pgsieve.yaml exist");
	free(found);
	lint_options_release(&o);
	free(start);
	free(real_yaml);

	/* nothing anywhere up to the root of a repository: NULL */
	make_dir("bare");
	make_dir("bare/.git");
	start = in_tmp("bare");
	CHECK(config_find(start) == NULL);
	free(start);

	free(top);
	free(real_top);
	free(real);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/pgsieve-config-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	test_empty();
	test_all_keys();
	test_errors();
	test_unreadable();
	test_aliases();
	test_select_semantics();
	test_cli_lists();
	test_load_over();
	test_find();
	cleanup();
	return check_finish();
}
