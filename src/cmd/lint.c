/* `pgsieve lint`: arguments and configuration into lint options, the lint plan (which files, in
 * which order, src/discover/lint_plan.h), the schema to start from and the history to skip
 * (src/run/), the engine over each planned part, baselines, the reporter, the exit status. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "discover/changes.h"
#include "discover/lint_plan.h"
#include "lint/baseline.h"
#include "lint/config.h"
#include "lint/options.h"
#include "lint/registry.h"
#include "lint/run.h"
#include "report/report.h"
#include "run/drift.h"
#include "run/fix.h"
#include "run/history.h"
#include "run/lint_items.h"
#include "run/source.h"
#include "util/error.h"
#include "util/file.h"
#include "util/spell.h"
#include "util/xalloc.h"

/* How many long options start with the name in `arg` (up to a '='). */
static int prefix_matches(const struct option *opts, const char *arg)
{
	size_t n = strcspn(arg, "=");
	int count = 0;
	for (; opts->name; opts++)
		count += n > 0 && !strncmp(opts->name, arg, n);
	return count;
}

/* The long option closest to `arg` ("--fial-on=x" -> "fail-on"), or NULL when none is close. */
static const char *closest_option(const struct option *opts, const char *arg)
{
	char name[64];
	while (*arg == '-')
		arg++;
	size_t n = strcspn(arg, "=");
	if (n == 0 || n >= sizeof(name))
		return NULL;
	memcpy(name, arg, n);
	name[n] = '\0';
	const char *best = NULL;
	size_t best_d = 3; /* at most two edits away */
	for (; opts->name; opts++) {
		size_t d = edit_distance(name, opts->name);
		if (d < best_d) {
			best_d = d;
			best = opts->name;
		}
	}
	return best;
}

/* --output FILE is written to a temporary file beside it, renamed over FILE once complete:
 * a full disk or a killed run never leaves a truncated report where CI looks for one. */
static FILE *open_output(const char *path, char **tmp)
{
	*tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		return NULL;
	}
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask); /* what fopen() would have made; mkstemp() makes 0600 */
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int saved = errno;
		close(fd);
		unlink(*tmp);
		errno = saved;
	}
	return f;
}

static int finish_output(FILE *f, const char *tmp, const char *path)
{
	int failed = fsync(fileno(f)) != 0 && errno != EINVAL;
	if (fclose(f) != 0)
		failed = 1;
	if (!failed && rename(tmp, path) != 0)
		failed = 1;
	if (failed) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
	}
	return failed;
}

struct lint_cli {
	const char *format, *output, *config, *select, *ignore, *stdin_name, *fail_on;
	int pg_version; /* 0: not given */
	int assume_tx;  /* -1: not given */
	int no_config;
	int framework; /* enum framework, or -1 to detect */
	const char *since, *baseline, *write_baseline;
	int staged;
	unsigned plan_flags; /* PLAN_FOLLOW_SYMLINKS */
	const char *db, *schema; /* the schema source: a database, or a schema file */
	const char *history_table; /* --history-table: the migration history table (with --db) */
	int drift;               /* compare the migrations' schema with the database's */
	struct plan_alembic alembic; /* --alembic-name, --alembic-config */
	int fix, dry_run;        /* --fix, --dry-run */
};

static int apply_cli(const struct lint_cli *cli, struct lint_options *o)
{
	if (cli->pg_version)
		o->pg_version = cli->pg_version;
	if (cli->assume_tx >= 0)
		o->assume_in_transaction = cli->assume_tx;
	if (cli->fail_on && severity_parse(cli->fail_on, &o->fail_on) != 0)
		return cmd_usage_error("--fail-on takes error, warning, info or never, not '%s'", cli->fail_on);
	if (cli->select && config_select(o, cli->select) != 0)
		return cmd_usage_error("%s", error_message());
	if (cli->ignore && config_ignore(o, cli->ignore) != 0)
		return cmd_usage_error("%s", error_message());
	return 0;
}

/* Reads the plan of the paths and lints it into *out_run (initialised here; the caller releases
 * it): the part of `pgsieve lint` that --fix repeats after each round of fixes. created: files
 * a fix made, reported along with those of --since/--staged. reported receives the paths of the
 * files linted and reported (what --fix may edit). Returns -1 to go on (*trouble set when
 * something could not be read), or the exit status to end with (nothing left to release). */
static int lint_pass(const struct lint_cli *cli, const struct lint_options *o, char **paths, size_t npaths,
		     const struct strmap *created, struct lint_run *out_run, struct strmap *reported,
		     int *trouble)
{
	int framework = cli->framework;
	enum framework configured;
	if (framework < 0 && o->framework && framework_parse(o->framework, &configured) == 0)
		framework = (int)configured;
	struct plan plan;
	plan_build(&plan, paths, npaths, framework, o->exclude, o->n_exclude, &cli->alembic, cli->plan_flags);
	*trouble |= plan.errors > 0;
	char cwd[4096];
	int relative = 0; /* the hint is about relative paths: said only when one was given */
	for (size_t i = 0; i < npaths; i++)
		relative |= paths[i][0] != '/' && strcmp(paths[i], "-");
	if (plan.errors) {
		if (relative && getcwd(cwd, sizeof(cwd)))
			fprintf(stderr, "pgsieve: relative paths are read from '%s'; name the migrations "
				"directory or the .sql files to lint\n", cwd);
	} else if (plan.n == 0)
		fprintf(stderr, "pgsieve: warning: no migrations found in the given paths (no *.sql files "
			"or migration framework layout); name the migrations directory\n");
	struct strmap changed = STRMAP_INIT; /* kept for plan_report_problems() */
	if (cli->since || cli->staged) {
		int rc = cli->staged ? changes_staged(&changed) : changes_since(cli->since, &changed);
		if (rc != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			strmap_release(&changed);
			plan_release(&plan);
			return EXIT_TROUBLE;
		}
		/* a migration a fix created is as changed as the one it came from */
		size_t iter = 0;
		const char *key;
		void *value;
		while (strmap_next(created, &iter, &key, &value)) {
			char canon[PATH_MAX];
			if (realpath(key, canon))
				strmap_put(&changed, canon, NULL);
		}
		plan_restrict(&plan, &changed);
	}
	/* progress for long runs, on a terminal only: never in CI logs or redirected output */
	int progress = plan.n >= 200 && isatty(fileno(stderr)) && !getenv("CI");

	if (cli->db && cli->schema) {
		plan_release(&plan);
		return cmd_usage_error("%s", "lint: --db and --schema are two sources of the schema; give one");
	}
	if (cli->history_table && !cli->db) {
		plan_release(&plan);
		return cmd_usage_error("%s", "lint: --history-table names a table of the database given with --db");
	}
	if (cli->drift && !cli->db && !cli->schema) {
		plan_release(&plan);
		return cmd_usage_error("%s", "lint: --drift compares the migrations with a database (--db) or a schema "
				   "file (--schema): give one");
	}
	struct lint_run run;
	lint_run_init(&run, o);
	/* the model the first migration is linted against: the database or schema file */
	if ((cli->db || cli->schema) && schema_source_load(&run.model, cli->db, cli->schema) != 0) {
		lint_run_release(&run);
		plan_release(&plan);
		strmap_release(&changed);
		return EXIT_TROUBLE;
	}
	/* with a database: what its migration history says is applied is in the live model already,
	 * so only the pending migrations are linted against it */
	char *skip = xcalloc(plan.n + 1, 1);
	if (cli->db) {
		long skipped = status_lint_skips(&plan, cli->db, cli->history_table, &run, skip);
		if (skipped < 0) {
			free(skip);
			lint_run_release(&run);
			plan_release(&plan);
			strmap_release(&changed);
			return EXIT_TROUBLE;
		}
		run.skipped_applied = (size_t)skipped;
	}
	/* the migrations replayed onto an empty model, compared with the database or schema file */
	if (cli->drift && drift_check(&run, &plan, skip, paths, npaths, framework) != 0)
		*trouble = 1;
	if (lint_plan_items(&run, &plan, skip, cli->stdin_name, progress) != 0)
		*trouble = 1;
	/* --fix edits only the files reported here: not those read for context (outside
	 * --since/--staged), applied ones (skipped) or standard input */
	for (size_t i = 0; i < plan.n; i++)
		if (!skip[i] && plan.items[i].report && strcmp(plan.items[i].path, "-"))
			strmap_put(reported, plan.items[i].path, NULL);
	free(skip);
	plan_report_problems(&plan, &run, cli->since || cli->staged ? &changed : NULL);
	strmap_release(&changed);
	plan_release(&plan);
	*out_run = run;
	return -1;
}

int cmd_lint(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256, OPT_OUTPUT, OPT_PG_VERSION, OPT_ASSUME_TX, OPT_SELECT, OPT_IGNORE,
		OPT_CONFIG, OPT_NO_CONFIG, OPT_FAIL_ON, OPT_STDIN_NAME, OPT_FRAMEWORK, OPT_SINCE,
		OPT_STAGED, OPT_ALEMBIC_NAME, OPT_ALEMBIC_CONFIG, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_DB,
		OPT_DB_TIMEOUT, OPT_FOLLOW_SYMLINKS, OPT_NO_PYTHON, OPT_SCHEMA, OPT_HISTORY_TABLE, OPT_DRIFT,
		OPT_FIX, OPT_DRY_RUN,
	};
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "pg-version", required_argument, NULL, OPT_PG_VERSION },
		{ "assume-in-transaction", no_argument, NULL, OPT_ASSUME_TX },
		{ "select", required_argument, NULL, OPT_SELECT },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "stdin-filename", required_argument, NULL, OPT_STDIN_NAME },
		{ "framework", required_argument, NULL, OPT_FRAMEWORK },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "staged", no_argument, NULL, OPT_STAGED },
		{ "alembic-name", required_argument, NULL, OPT_ALEMBIC_NAME },
		{ "alembic-config", required_argument, NULL, OPT_ALEMBIC_CONFIG },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "db", required_argument, NULL, OPT_DB },
		{ "db-timeout", required_argument, NULL, OPT_DB_TIMEOUT },
		{ "follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS },
		{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "history-table", required_argument, NULL, OPT_HISTORY_TABLE },
		{ "drift", no_argument, NULL, OPT_DRIFT },
		{ "fix", no_argument, NULL, OPT_FIX },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lint_cli cli = { .format = "text", .assume_tx = -1, .framework = -1 };
	int c;
	optind = 1;
	opterr = 0;
	/* options may follow the paths (getopt permutes); a leading ':' reports a missing value */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT: cli.format = optarg; break;
		case OPT_OUTPUT: cli.output = optarg; break;
		case OPT_PG_VERSION:
			if (cmd_parse_pg_version(optarg, &cli.pg_version) != 0)
				return cmd_usage_error("--pg-version takes a major version from 10 to 18, not '%s'", optarg);
			break;
		case OPT_ASSUME_TX: cli.assume_tx = 1; break;
		case OPT_SELECT: cli.select = optarg; break;
		case OPT_IGNORE: cli.ignore = optarg; break;
		case OPT_CONFIG: cli.config = optarg; break;
		case OPT_NO_CONFIG: cli.no_config = 1; break;
		case OPT_FAIL_ON: cli.fail_on = optarg; break;
		case OPT_STDIN_NAME: cli.stdin_name = optarg; break;
		case OPT_SINCE: cli.since = optarg; break;
		case OPT_STAGED: cli.staged = 1; break;
		case OPT_ALEMBIC_NAME: cli.alembic.name = optarg; break;
		case OPT_ALEMBIC_CONFIG: cli.alembic.config = optarg; break;
		case OPT_BASELINE: cli.baseline = optarg; break;
		case OPT_WRITE_BASELINE: cli.write_baseline = optarg; break;
		case OPT_DB: cli.db = optarg; break;
		case OPT_FOLLOW_SYMLINKS: cli.plan_flags |= PLAN_FOLLOW_SYMLINKS; break;
		/* Alembic revisions read statically: none of the project's code runs (the helper
		 * reads the variable; it is pgsieve's own, so setting it is the flag's whole effect) */
		case OPT_NO_PYTHON: setenv("PGSIEVE_ALEMBIC_STATIC", "1", 1); break;
		case OPT_DB_TIMEOUT:
			if (catalog_set_timeout(optarg) != 0)
				return cmd_usage_error("%s", error_message());
			break;
		case OPT_SCHEMA: cli.schema = optarg; break;
		case OPT_HISTORY_TABLE: cli.history_table = optarg; break;
		case OPT_DRIFT: cli.drift = 1; break;
		case OPT_FIX: cli.fix = 1; break;
		case OPT_DRY_RUN: cli.dry_run = 1; break;
		case OPT_FRAMEWORK: {
			enum framework fw;
			if (framework_parse(optarg, &fw) != 0) {
				char *names = framework_name_list(" or ");
				int r = cmd_usage_error("--framework takes %s, not '%s'", names, optarg);
				free(names);
				return r;
			}
			cli.framework = (int)fw;
			break;
		}
		case 'h': cmd_print_usage(stdout); return EXIT_CLEAN;
		case ':':
			if (optopt == OPT_FORMAT)
				return cmd_usage_error("--format needs a value: %s", report_format_names());
			return cmd_usage_error("lint: '%s' needs a value", argv[optind - 1]);
		default: {
			const char *arg = argv[optind - 1];
			if (!strncmp(arg, "--", 2) && prefix_matches(longopts, arg + 2) > 1)
				return cmd_usage_error("lint: '%s' is ambiguous: spell the option out", arg);
			const char *near = closest_option(longopts, arg);
			if (near)
				return cmd_usage_error("lint: unknown option '%s'; did you mean '--%s'?", arg, near);
			return cmd_usage_error("lint: unknown option '%s'", arg);
		}
		}
	}
	report_fn reporter = report_find(cli.format);
	if (!reporter)
		return cmd_usage_error("unknown format '%s'; --format takes %s", cli.format,
				   report_format_names());

	struct lint_options opts;
	lint_options_init(&opts);
	int status = EXIT_CLEAN;
	if (cmd_load_config(cli.config, cli.no_config, argv + optind, (size_t)(argc - optind), cli.stdin_name, &opts))
		return EXIT_TROUBLE;
	if ((status = apply_cli(&cli, &opts)) != 0) {
		lint_options_release(&opts);
		return status;
	}
	lint_alembic_settings(&opts, &cli.alembic);
	if (optind >= argc && !cli.alembic.config) {
		lint_options_release(&opts);
		return cmd_usage_error("%s", "lint: no paths given (use '-' for standard input)");
	}
	if (cli.dry_run && !cli.fix) {
		lint_options_release(&opts);
		return cmd_usage_error("%s", "lint: --dry-run shows what --fix would change: give --fix too");
	}

	/* --fix: fixes applied, and the migrations linted again, until none is left to take (or
	 * PASSES): what a fix changes can make room for another (two fixes editing one place) */
	enum { PASSES = 5 };
	struct lint_run run;
	struct strmap created = STRMAP_INIT; /* files --fix created, reported in the next pass */
	struct fix_outcome total = { 0 };
	int trouble = 0;
	for (int pass = 0;; pass++) {
		struct strmap reported = STRMAP_INIT;
		int rc = lint_pass(&cli, &opts, argv + optind, (size_t)(argc - optind), &created, &run, &reported,
				   &trouble);
		if (rc >= 0) {
			strmap_release(&reported);
			strmap_release(&created);
			lint_options_release(&opts);
			return rc;
		}
		/* baselined findings are neither reported nor fixed: --fix leaves the debt the team
		 * recorded as it is */
		size_t dropped;
		if (cli.baseline && baseline_apply(cli.baseline, &run, &dropped) != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			trouble = 1;
		}
		if (!cli.fix || trouble || pass == PASSES) {
			strmap_release(&reported);
			break;
		}
		struct fix_outcome done;
		rc = fix_apply(&run, &reported, cli.dry_run, stdout, &created, &done);
		strmap_release(&reported);
		if (rc != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			trouble = 1;
		}
		total.fixes += done.fixes;
		total.files_changed += done.files_changed;
		total.files_created += done.files_created;
		total.skipped = done.skipped;
		if (cli.dry_run || rc != 0 || done.fixes == 0)
			break;
		lint_run_release(&run);
	}
	strmap_release(&created);
	if (cli.fix && cli.dry_run) {
		/* the diff is the output; the findings are not reported */
		fprintf(stderr, "pgsieve: %zu fix%s would change %zu file%s and create %zu (first pass only: "
			"fixes that overlap these are shown by the next run)\n", total.fixes,
			total.fixes == 1 ? "" : "es", total.files_changed, total.files_changed == 1 ? "" : "s",
			total.files_created);
		lint_run_release(&run);
		lint_options_release(&opts);
		return trouble ? EXIT_TROUBLE : total.fixes ? EXIT_FINDINGS : EXIT_CLEAN;
	}
	if (cli.fix) {
		size_t left = 0;
		for (size_t i = 0; i < run.nfindings; i++)
			left += run.findings[i].fix != NULL;
		fprintf(stderr, "pgsieve: applied %zu fix%s (%zu file%s changed, %zu created); %zu finding%s "
			"left, %zu of them with a fix that could not be applied\n", total.fixes,
			total.fixes == 1 ? "" : "es", total.files_changed, total.files_changed == 1 ? "" : "s",
			total.files_created, run.nfindings, run.nfindings == 1 ? "" : "s", left);
	}

	if (cli.write_baseline) {
		if (baseline_write(cli.write_baseline, &run) != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			trouble = 1;
		} else {
			fprintf(stderr, "pgsieve: wrote %zu finding%s to the baseline '%s'\n", run.nfindings,
				run.nfindings == 1 ? "" : "s", cli.write_baseline);
		}
	}

	FILE *out = stdout;
	char *tmp_output = NULL;
	if (cli.output && !(out = open_output(cli.output, &tmp_output))) {
		fprintf(stderr, "pgsieve: cannot write '%s': %s\n", cli.output, strerror(errno));
		trouble = 1;
	} else {
		struct report_options ro = { 0, PGSIEVE_VERSION, PGSIEVE_URL };
		ro.color = out == stdout && isatty(fileno(stdout)) && !getenv("NO_COLOR");
		int failed = reporter(out, &run, &ro) != 0 || fflush(out) != 0;
		if (out != stdout && !failed) {
			failed = finish_output(out, tmp_output, cli.output);
		} else if (out != stdout) {
			int saved = errno;
			fclose(out);
			unlink(tmp_output);
			errno = saved;
		}
		if (failed) {
			fprintf(stderr, "pgsieve: cannot write the report%s%s%s: %s\n", cli.output ? " to '" : "",
				cli.output ? cli.output : "", cli.output ? "'" : "", strerror(errno));
			trouble = 1;
		}
		free(tmp_output);
	}

	enum severity worst = lint_run_max_severity(&run, NULL);
	if (trouble)
		status = EXIT_TROUBLE;
	else if (opts.fail_on != SEVERITY_OFF && worst >= opts.fail_on)
		status = EXIT_FINDINGS;
	lint_run_release(&run);
	lint_options_release(&opts);
	return status;
}
