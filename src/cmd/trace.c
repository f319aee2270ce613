/* `pgsieve trace PATH...`: the migrations run on a throwaway PostgreSQL (or a scratch database),
 * each statement observed, findings from what the server did (src/trace/trace.h); the lock
 * timeline, JSON, or any lint format. `pgsieve check` (check.c) is the same run with lint's
 * findings first and --round-trip. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover/lint_plan.h"
#include "lint/options.h"
#include "lint/run.h"
#include "report/report.h"
#include "run/lint_items.h"
#include "trace/trace.h"
#include "util/error.h"

int cmd_trace_run(int argc, char **argv, int check)
{
	const char *name = check ? "check" : "trace";
	enum {
		OPT_TEMP = 256, OPT_DB, OPT_SCRATCH, OPT_SCHEMA, OPT_ROWS, OPT_ROUND_TRIP, OPT_FORMAT, OPT_OUTPUT,
		OPT_PG_BIN, OPT_TIMEOUT, OPT_SLOW_MS, OPT_FRAMEWORK, OPT_FAIL_ON, OPT_CONFIG, OPT_NO_CONFIG,
	};
	static const struct option longopts[] = {
		{ "temp", no_argument, NULL, OPT_TEMP },
		{ "db", required_argument, NULL, OPT_DB },
		{ "i-know-this-is-scratch", no_argument, NULL, OPT_SCRATCH },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "rows", required_argument, NULL, OPT_ROWS },
		{ "round-trip", no_argument, NULL, OPT_ROUND_TRIP },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "pg-bin", required_argument, NULL, OPT_PG_BIN },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "slow-ms", required_argument, NULL, OPT_SLOW_MS },
		{ "framework", required_argument, NULL, OPT_FRAMEWORK },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_options to = { .rows = 1000, .timeout = 60, .slow_ms = 100, .round_trip = check };
	const char *format = "text", *output = NULL, *config = NULL, *fail_on = NULL;
	int temp = 0, no_config = 0, framework = -1;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case OPT_TEMP: temp = 1; break;
		case OPT_DB: to.db = optarg; break;
		case OPT_SCRATCH: to.scratch_ok = 1; break;
		case OPT_SCHEMA: to.schema_file = optarg; break;
		case OPT_ROWS:
			to.rows = strtol(optarg, &end, 10);
			if (end == optarg || *end || to.rows < 0 || to.rows > 100000000)
				return cmd_command_usage_error(name, "--rows takes a number of rows from 0, not '%s'", optarg);
			break;
		case OPT_ROUND_TRIP: to.round_trip = 1; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_OUTPUT: output = optarg; break;
		case OPT_PG_BIN: to.pg_bin = optarg; break;
		case OPT_TIMEOUT:
			to.timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(to.timeout > 0) || to.timeout > 86400)
				return cmd_command_usage_error(name, "--timeout takes seconds (more than 0), not '%s'", optarg);
			break;
		case OPT_SLOW_MS:
			to.slow_ms = strtod(optarg, &end);
			if (end == optarg || *end || to.slow_ms < 0)
				return cmd_command_usage_error(name, "--slow-ms takes milliseconds, not '%s'", optarg);
			break;
		case OPT_FRAMEWORK: {
			enum framework fw;
			if (framework_parse(optarg, &fw) != 0)
				return cmd_command_usage_error(name, "unknown framework '%s'", optarg);
			framework = (int)fw;
			break;
		}
		case OPT_FAIL_ON: fail_on = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_NO_CONFIG: no_config = 1; break;
		case 'h': cmd_print_usage(stdout); return EXIT_CLEAN;
		case ':': return cmd_command_usage_error(name, "'%s' needs a value", argv[optind - 1]);
		default: return cmd_command_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (temp && to.db)
		return cmd_command_usage_error(name, "--temp and --db are two places to run the migrations; give one");
	if (to.scratch_ok && !to.db)
		return cmd_command_usage_error(name, "--i-know-this-is-scratch is about the database of --db");
	if (optind >= argc)
		return cmd_command_usage_error(name, "no paths given: name the migrations to trace");
	report_fn reporter = NULL;
	if (strcmp(format, "text") && strcmp(format, "json") && !(reporter = report_find(format)))
		return cmd_command_usage_error(name, "unknown format '%s'; --format takes %s", format, report_format_names());

	struct lint_options opts;
	lint_options_init(&opts);
	if (cmd_load_config(config, no_config, argv + optind, (size_t)(argc - optind), NULL, &opts))
		return EXIT_TROUBLE;
	if (fail_on && severity_parse(fail_on, &opts.fail_on) != 0) {
		lint_options_release(&opts);
		return cmd_command_usage_error(name, "--fail-on takes error, warning, info or never, not '%s'", fail_on);
	}
	struct plan plan;
	plan_build(&plan, argv + optind, (size_t)(argc - optind), framework, opts.exclude, opts.n_exclude, NULL, 0);
	int status = EXIT_CLEAN;
	if (plan.errors) {
		plan_release(&plan);
		lint_options_release(&opts);
		return EXIT_TROUBLE;
	}
	struct lint_run run;
	lint_run_init(&run, &opts);
	struct trace_result res;
	/* check: what lint says first, in the same run, so that one report holds both */
	int trouble = 0;
	if (check) {
		trouble = lint_plan_items(&run, &plan, NULL, NULL, 0) != 0;
		plan_report_problems(&plan, &run, NULL);
	}
	if (trace_plan(&run, &plan, &to, &res) != 0) {
		trouble = 1;
		fprintf(stderr, "pgsieve: %s: %s\n", name, error_message());
	} else {
		FILE *out = stdout;
		if (output && !(out = fopen(output, "w"))) {
			fprintf(stderr, "pgsieve: cannot write '%s'\n", output);
			trouble = 1;
		} else {
			struct report_options ro = { 0, PGSIEVE_VERSION, PGSIEVE_URL };
			ro.color = out == stdout && isatty(fileno(stdout)) && !getenv("NO_COLOR");
			int rc = !strcmp(format, "text")   ? trace_report_text(out, &run, &res, &ro)
				 : !strcmp(format, "json") ? trace_report_json(out, &run, &res, &ro)
							   : reporter(out, &run, &ro);
			if (out != stdout && fclose(out) != 0)
				rc = -1;
			if (rc != 0) {
				fprintf(stderr, "pgsieve: cannot write the report\n");
				trouble = 1;
			}
		}
	}
	enum severity worst = lint_run_max_severity(&run, NULL);
	if (trouble)
		status = EXIT_TROUBLE;
	else if (opts.fail_on != SEVERITY_OFF && worst >= opts.fail_on)
		status = EXIT_FINDINGS;
	trace_result_release(&res);
	lint_run_release(&run);
	plan_release(&plan);
	lint_options_release(&opts);
	return status;
}

int cmd_trace(int argc, char **argv)
{
	return cmd_trace_run(argc, argv, 0);
}
