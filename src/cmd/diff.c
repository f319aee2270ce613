/* `pgsieve diff`: two sources loaded into models, compared (diff/diff.c), and for the sql, json
 * and sarif formats the plan (diff/sql_plan.c) linted by the lint engine, with the --from model as
 * the model the plan's statements are checked against, so schema-aware rules see the real
 * tables. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "diff/diff.h"
#include "diff/sql_plan.h"
#include "discover/migrations.h"
#include "lint/options.h"
#include "lint/registry.h"
#include "lint/rule.h"
#include "report/report.h"
#include "run/source.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

enum { EXIT_SAME = EXIT_CLEAN, EXIT_DIFFERENT = EXIT_FINDINGS };

/* The name the plan is linted under: SARIF's artifact, and the file of every finding. */
static const char plan_path[] = "diff.sql";

static const char diff_usage[] =
	"usage: pgsieve diff --from SOURCE --to SOURCE [--format text|json|sql|sarif] [--exit-code]\n"
	"                    [--pg-version N] [--framework NAME]\n"
	"\n"
	"Compares two schemas and writes the migration that turns --from into --to.\n"
	"SOURCE: a database (a postgres:// URI or a conninfo string with '='), a schema file\n"
	"(pg_dump -s, structure.sql) or a migrations directory (replayed).\n"
	"  --format text   the differences, for people (default)\n"
	"  --format json   the differences and the plan with each statement's findings\n"
	"  --format sql    the plan as a psql script, findings as comments above statements\n"
	"  --format sarif  the findings of linting the plan\n"
	"  --exit-code     exit 1 when the schemas differ (0 when they are the same)\n"
	"  --pg-version N  the PostgreSQL major version the plan is written and linted for\n"
	"  --framework NAME the framework of migration directories (default: detected)\n";

/* What a source is called in the output: never a DSN, which may hold a password. */
static const char *source_label(const char *source)
{
	return schema_source_is_dsn(source) ? "database" : source;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the plan as text, linted ---- */

struct linted {
	struct strbuf text;  /* the plan as linted: notes as comments, statements */
	uint32_t *starts;    /* where each plan item's text starts */
	size_t n;
};

static void comment_lines(struct strbuf *sb, const char *prefix, const char *text)
{
	/* one comment line per line of the text, so that nothing ends the comment early */
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		strbuf_addf(sb, "-- %s%.*s\n", prefix, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

static void plan_text(struct linted *l, const struct diff_plan *p)
{
	l->text = (struct strbuf)STRBUF_INIT;
	l->n = p->n;
	l->starts = xmalloc((p->n + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < p->n; i++) {
		l->starts[i] = (uint32_t)l->text.len;
		if (i)
			strbuf_addch(&l->text, '\n');
		if (p->items[i].note)
			comment_lines(&l->text, p->items[i].sql ? "" : "not in the plan: ", p->items[i].note);
		if (p->items[i].sql)
			strbuf_addf(&l->text, "%s\n", p->items[i].sql);
	}
	l->starts[p->n] = (uint32_t)l->text.len;
}

/* The plan item a byte offset of the linted text belongs to. */
static size_t item_of(const struct linted *l, uint32_t offset)
{
	size_t lo = 0, hi = l->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (l->starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int lint_plan(struct lint_run *run, const struct linted *l)
{
	struct lint_source src = { .path = plan_path, .text = strbuf_str(&l->text), .len = l->text.len, .has_down = -1 };
	src.tx = LINT_TX_NONE; /* psql runs each statement of the script in autocommit */
	return lint_run_source(run, &src);
}

/* The plan with each statement's findings as comments above it; the findings' places move down
 * with the lines added, so that SARIF points into the text as printed. */
static void annotate(struct strbuf *out, const struct linted *l, struct lint_run *run)
{
	const char *text = strbuf_str(&l->text);
	size_t nf = run->nfindings;
	uint32_t *shift_bytes = xcalloc(l->n + 1, sizeof(uint32_t));
	uint32_t *shift_lines = xcalloc(l->n + 1, sizeof(uint32_t));
	size_t *of = xmalloc((nf + 1) * sizeof(size_t));
	for (size_t k = 0; k < nf; k++)
		of[k] = item_of(l, run->findings[k].offset);
	for (size_t i = 0; i < l->n; i++) {
		uint32_t start = l->starts[i], end = l->starts[i + 1];
		size_t before = out->len;
		/* the separating blank line stays first */
		if (i && text[start] == '\n') {
			strbuf_addch(out, '\n');
			start++;
		}
		uint32_t lines_before = 0;
		for (size_t k = 0; k < nf; k++) {
			if (of[k] != i)
				continue;
			const struct finding *f = &run->findings[k];
			char *msg = xasprintf("%s: %s: %s", f->rule->id, severity_name(f->severity), f->message);
			comment_lines(out, "pgsieve: ", msg);
			free(msg);
			for (const char *p = f->message; *p; p++)
				lines_before += *p == '\n';
			lines_before++;
		}
		shift_bytes[i] = (uint32_t)(out->len - before) - (start - l->starts[i]);
		shift_lines[i] = lines_before;
		strbuf_add(out, text + start, end - start);
	}
	uint32_t bytes = 0, lines = 0;
	uint32_t *cum_bytes = xcalloc(l->n + 1, sizeof(uint32_t)), *cum_lines = xcalloc(l->n + 1, sizeof(uint32_t));
	for (size_t i = 0; i < l->n; i++) {
		bytes += shift_bytes[i];
		lines += shift_lines[i];
		cum_bytes[i] = bytes;
		cum_lines[i] = lines;
	}
	for (size_t k = 0; k < nf; k++) {
		struct finding *f = &run->findings[k];
		f->offset += cum_bytes[of[k]];
		f->line += cum_lines[of[k]];
		f->end_line += cum_lines[of[k]];
	}
	free(cum_bytes);
	free(cum_lines);
	free(shift_bytes);
	free(shift_lines);
	free(of);
}

/* ---- output ---- */

static json_t *summary_json(const struct diff *d)
{
	size_t counts[4] = { 0 };
	for (size_t i = 0; i < d->n; i++)
		counts[d->items[i].change]++;
	json_t *j = json_object();
	for (int c = 0; c < 4; c++)
		json_object_set_new(j, diff_change_name((enum diff_change)c), json_integer((json_int_t)counts[c]));
	return j;
}

static json_t *plan_json(const struct diff_plan *p, const struct linted *l, const struct lint_run *run)
{
	json_t *arr = json_array();
	json_t **findings = xcalloc(p->n + 1, sizeof(json_t *));
	for (size_t i = 0; i < p->n; i++)
		findings[i] = json_array();
	for (size_t k = 0; k < run->nfindings; k++) {
		const struct finding *f = &run->findings[k];
		json_t *j = json_object();
		json_object_set_new(j, "rule", json_string(f->rule->id));
		json_object_set_new(j, "severity", json_string(severity_name(f->severity)));
		json_object_set_new(j, "message", json_string(f->message));
		json_object_set_new(j, "help", f->help ? json_string(f->help) : json_null());
		json_array_append_new(findings[item_of(l, f->offset)], j);
	}
	for (size_t i = 0; i < p->n; i++) {
		json_t *j = json_object();
		json_object_set_new(j, "sql", p->items[i].sql ? json_string(p->items[i].sql) : json_null());
		json_object_set_new(j, "note", p->items[i].note ? json_string(p->items[i].note) : json_null());
		json_object_set_new(j, "transaction", json_boolean(!p->items[i].no_transaction));
		json_object_set_new(j, "findings", findings[i]);
		json_array_append_new(arr, j);
	}
	free(findings);
	return arr;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_DB_TIMEOUT, OPT_TO, OPT_FORMAT, OPT_EXIT_CODE, OPT_PG_VERSION, OPT_FRAMEWORK };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "db-timeout", required_argument, NULL, OPT_DB_TIMEOUT },
		{ "to", required_argument, NULL, OPT_TO },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "exit-code", no_argument, NULL, OPT_EXIT_CODE },
		{ "pg-version", required_argument, NULL, OPT_PG_VERSION },
		{ "framework", required_argument, NULL, OPT_FRAMEWORK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL, *format = "text";
	int exit_code = 0, framework = -1, pg_version = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM: from = optarg; break;
		case OPT_DB_TIMEOUT:
			if (catalog_set_timeout(optarg) != 0) {
				fprintf(stderr, "pgsieve: diff: %s\n", error_message());
				return EXIT_TROUBLE;
			}
			break;
		case OPT_TO: to = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_EXIT_CODE: exit_code = 1; break;
		case OPT_PG_VERSION:
			if (cmd_parse_pg_version(optarg, &pg_version) != 0) {
				fprintf(stderr, "pgsieve: diff: --pg-version takes a major version from %d to %d, not '%s'\n",
					PG_VERSION_MIN, PG_VERSION_MAX, optarg);
				return EXIT_TROUBLE;
			}
			break;
		case OPT_FRAMEWORK: {
			enum framework fw;
			if (framework_parse(optarg, &fw) != 0) {
				fprintf(stderr, "pgsieve: diff: unknown framework '%s'\n", optarg);
				return EXIT_TROUBLE;
			}
			framework = (int)fw;
			break;
		}
		case 'h': fputs(diff_usage, stdout); return EXIT_SAME;
		case ':':
			fprintf(stderr, "pgsieve: diff: '%s' needs a value\n%s", argv[optind - 1], diff_usage);
			return EXIT_TROUBLE;
		default:
			fprintf(stderr, "pgsieve: diff: unknown option '%s'\n%s", argv[optind - 1], diff_usage);
			return EXIT_TROUBLE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pgsieve: diff: unexpected argument '%s' (sources are given with --from and --to)\n",
			argv[optind]);
		return EXIT_TROUBLE;
	}
	if (!from || !to) {
		fprintf(stderr, "pgsieve: diff needs --from and --to\n%s", diff_usage);
		return EXIT_TROUBLE;
	}
	int fmt_text = !strcmp(format, "text"), fmt_json = !strcmp(format, "json"), fmt_sql = !strcmp(format, "sql"),
	    fmt_sarif = !strcmp(format, "sarif");
	if (!fmt_text && !fmt_json && !fmt_sql && !fmt_sarif) {
		fprintf(stderr, "pgsieve: diff: --format takes text, json, sql or sarif, not '%s'\n", format);
		return EXIT_TROUBLE;
	}

	struct lint_options opts;
	lint_options_init(&opts);
	if (pg_version)
		opts.pg_version = pg_version;
	struct lint_run run;
	lint_run_init(&run, &opts);
	struct schema_model target;
	schema_model_init(&target);
	int timing = getenv("PGSIEVE_TIMING") != NULL;
	double t0 = now_seconds();
	/* the plan is linted against the --from model: it is loaded into the run's */
	int status = schema_source_load_any(&run.model, from, framework);
	if (status == 0)
		status = schema_source_load_any(&target, to, framework);
	double t1 = now_seconds();
	if (status != 0) {
		schema_model_release(&target);
		lint_run_release(&run);
		lint_options_release(&opts);
		return EXIT_TROUBLE;
	}
	struct diff d;
	diff_models(&d, &run.model, &target);
	double t2 = now_seconds();
	if (timing)
		fprintf(stderr, "pgsieve: timing: load %.3f s, compare %.3f s (%zu differences)\n", t1 - t0, t2 - t1, d.n);
	size_t ndiff = d.n;

	if (fmt_text) {
		diff_print_text(stdout, &d);
	} else {
		/* everything that reads the diff's objects comes before the lint, which changes the
		 * --from model statement by statement */
		json_t *changes = fmt_json ? diff_json(&d) : NULL;
		json_t *summary = fmt_json ? summary_json(&d) : NULL;
		struct diff_plan plan;
		diff_plan_build(&plan, &d, opts.pg_version);
		diff_release(&d);
		struct linted l;
		plan_text(&l, &plan);
		double t3 = now_seconds();
		if (lint_plan(&run, &l) != 0) {
			fprintf(stderr, "pgsieve: linting the plan: %s\n", error_message());
			status = EXIT_TROUBLE;
		}
		if (timing)
			fprintf(stderr, "pgsieve: timing: plan %.3f s (%zu statements), lint %.3f s\n", t3 - t2, plan.n,
				now_seconds() - t3);
		struct strbuf annotated = STRBUF_INIT;
		if (fmt_sql || fmt_sarif)
			annotate(&annotated, &l, &run);
		if (fmt_sql) {
			printf("-- pgsieve diff: from %s to %s: %zu difference%s\n", source_label(from), source_label(to),
			       ndiff, ndiff == 1 ? "" : "s");
			printf("-- Run it with psql -v ON_ERROR_STOP=1 -f FILE. It opens no transaction: building\n"
			       "-- an index CONCURRENTLY cannot run inside one.\n");
			if (plan.unsupported)
				printf("-- %zu difference%s cannot be made by a statement: see the notes below.\n",
				       plan.unsupported, plan.unsupported == 1 ? "" : "s");
			if (annotated.len)
				printf("\n%s", strbuf_str(&annotated));
		} else if (fmt_sarif) {
			struct report_options ro = { 0, PGSIEVE_VERSION, PGSIEVE_URL };
			if (report_sarif(stdout, &run, &ro) != 0)
				status = EXIT_TROUBLE;
		} else {
			json_t *root = json_object();
			json_object_set_new(root, "format_version", json_integer(1));
			json_object_set_new(root, "from", json_string(source_label(from)));
			json_object_set_new(root, "to", json_string(source_label(to)));
			json_object_set_new(root, "summary", summary);
			json_object_set_new(root, "changes", changes);
			json_object_set_new(root, "plan", plan_json(&plan, &l, &run));
			json_object_set_new(root, "unsupported", json_integer((json_int_t)plan.unsupported));
			if (report_dump_json(stdout, root, JSON_INDENT(2)) != 0)
				status = EXIT_TROUBLE;
			putchar('\n');
			json_decref(root);
		}
		strbuf_release(&annotated);
		strbuf_release(&l.text);
		free(l.starts);
		diff_plan_release(&plan);
	}
	if (fmt_text)
		diff_release(&d);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pgsieve: cannot write the output: %s\n", strerror(errno));
		status = EXIT_TROUBLE;
	}
	schema_model_release(&target);
	lint_run_release(&run);
	lint_options_release(&opts);
	if (status != 0)
		return EXIT_TROUBLE;
	return exit_code && ndiff ? EXIT_DIFFERENT : EXIT_SAME;
}
