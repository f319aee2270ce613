/* The command line of the schema model: `pgsieve schema dump` prints the model of a database, a
 * schema file or a migrations directory (replayed), so the three can be compared, and
 * schema_source_load() gives `pgsieve lint --db/--schema` its starting model. */
#include "cmd_schema.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "discover/files.h"
#include "discover/plan.h"
#include "lint/options.h"
#include "lint/registry.h"
#include "lint/run.h"
#include "report/report.h"
#include "schema/json.h"
#include "schema/load.h"
#include "util/error.h"
#include "util/redact.h"
#include "util/strbuf.h"
#include "util/timing.h"
#include "util/xalloc.h"

enum { EXIT_OK = 0, EXIT_TROUBLE = 2 };

static const char schema_usage[] =
	"usage: pgsieve schema dump [--db DSN | --schema FILE | PATH...] [--format json|sql] [--stats]\n"
	"\n"
	"Prints the model pgsieve builds of a schema, from one source:\n"
	"  --db DSN         a live database: a conninfo string (\"host=... dbname=...\"), a\n"
	"                   postgres:// URI, a database name, or '' for the PG* environment\n"
	"                   variables and the service file (as psql)\n"
	"  --schema FILE    a schema file: pg_dump -s output, structure.sql, schema.sql\n"
	"  PATH...          migrations (a directory or .sql files), replayed in order\n"
	"  --format FORMAT  json (default): the model; sql: the DDL the catalog was turned into\n"
	"                   (--db only)\n"
	"  --stats          add sizes, row estimates and sequence positions (--db)\n"
	"  --framework NAME the migration framework of the PATHs (default: detected)\n";

int schema_source_load(struct schema_model *m, const char *db, const char *schema_file)
{
	if (db) {
		struct catalog_info info;
		if (catalog_load(m, db, NULL, &info) != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			return EXIT_TROUBLE;
		}
		if (info.warning[0])
			fprintf(stderr, "pgsieve: warning: %s\n", info.warning);
		return EXIT_OK;
	}
	if (schema_file) {
		struct schema_load_result r;
		if (schema_load_file(m, schema_file, &r) != 0) {
			fprintf(stderr, "pgsieve: cannot read the schema: %s\n", error_message());
			return EXIT_TROUBLE;
		}
		if (r.errors)
			fprintf(stderr,
				"pgsieve: warning: %s: %zu statement%s did not parse and %s left out of the model "
				"(the first at line %u: %s)\n",
				schema_file, r.errors, r.errors == 1 ? "" : "s", r.errors == 1 ? "is" : "are",
				r.first_error_line, r.first_error);
	}
	return EXIT_OK;
}

/* Replays the up migrations of the plan (those with only[i] set, when only is not NULL) onto
 * the run's model, with no rule running. */
static int replay(struct lint_run *run, const struct plan *plan, const char *only)
{
	int trouble = 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		if (it->is_down || (only && !only[i]))
			continue;
		size_t len = 0;
		char *text = it->part && it->part->text ? NULL : file_read(it->path, &len);
		if (!text && !(it->part && it->part->text)) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			trouble = 1;
			continue;
		}
		struct lint_source src = { .path = it->path, .text = text, .len = len, .has_down = -1 };
		if (it->part) {
			src.tx = it->part->tx;
			src.has_region = it->part->has_region;
			src.region_offset = it->part->offset;
			src.region_len = it->part->len;
		}
		plan_item_source(it, run->opts, &src);
		src.context_only = 1;
		if (lint_run_source(run, &src) != 0) {
			fprintf(stderr, "pgsieve: %s: %s\n", src.path, error_message());
			trouble = 1;
		}
		free(text);
	}
	return trouble;
}

int schema_replay_plan(struct schema_model *m, const struct plan *plan, const char *only)
{
	struct lint_options opts;
	lint_options_init(&opts);
	for (size_t i = 0; i < rule_count; i++)
		opts.severities[i] = SEVERITY_OFF;
	struct lint_run run;
	lint_run_init(&run, &opts);
	int trouble = replay(&run, plan, only);
	/* the model moves out of the run: it owns its memory, nothing in it points at the run */
	schema_model_release(m);
	*m = run.model;
	schema_model_init(&run.model);
	lint_run_release(&run);
	lint_options_release(&opts);
	return trouble ? EXIT_TROUBLE : EXIT_OK;
}

int schema_replay(struct schema_model *m, char *const *paths, size_t n, int framework)
{
	struct plan plan;
	plan_build(&plan, paths, n, framework, NULL, 0, NULL);
	int trouble = schema_replay_plan(m, &plan, NULL) != EXIT_OK || plan.errors > 0;
	plan_release(&plan);
	return trouble ? EXIT_TROUBLE : EXIT_OK;
}

int schema_source_is_dsn(const char *source)
{
	/* any URI (libpq's schemes, SQLAlchemy's, dj-database-url's; the session refuses the others
	 * without showing them) and user:password@host without a scheme: never read as a path,
	 * whose message would show the password */
	return strstr(source, "://") != NULL || strchr(source, '=') != NULL || redact_has_userinfo(source);
}

int schema_source_load_any(struct schema_model *m, const char *source, int framework)
{
	if (schema_source_is_dsn(source))
		return schema_source_load(m, source, NULL);
	struct stat st;
	if (stat(source, &st) != 0) {
		fprintf(stderr, "pgsieve: cannot read '%s': %s (a source is a database (a postgres:// URI or "
			"a conninfo string with '='), a schema file or a migrations directory)\n",
			source, strerror(errno));
		return EXIT_TROUBLE;
	}
	if (S_ISDIR(st.st_mode)) {
		char *paths[] = { (char *)source };
		return schema_replay(m, paths, 1, framework);
	}
	return schema_source_load(m, NULL, source);
}

static int write_json(const json_t *j, void *ud)
{
	(void)ud;
	timing_phase("output: building the JSON");
	int rc = report_dump_json(stdout, j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (rc == 0 && putchar('\n') == EOF)
		rc = -1;
	timing_phase("output: writing the JSON");
	return rc;
}

static int dump(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_DB_TIMEOUT, OPT_SCHEMA, OPT_FORMAT, OPT_STATS, OPT_FRAMEWORK };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "db-timeout", required_argument, NULL, OPT_DB_TIMEOUT },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "framework", required_argument, NULL, OPT_FRAMEWORK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *schema_file = NULL, *format = "json";
	int stats = 0, framework = -1, c;
	timing_start();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_DB_TIMEOUT:
			if (catalog_set_timeout(optarg) != 0) {
				fprintf(stderr, "pgsieve: schema dump: %s\n", error_message());
				return EXIT_TROUBLE;
			}
			break;
		case OPT_SCHEMA: schema_file = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_STATS: stats = 1; break;
		case OPT_FRAMEWORK: {
			enum framework fw;
			if (framework_parse(optarg, &fw) != 0) {
				fprintf(stderr, "pgsieve: schema dump: unknown framework '%s'\n", optarg);
				return EXIT_TROUBLE;
			}
			framework = (int)fw;
			break;
		}
		case 'h': fputs(schema_usage, stdout); return EXIT_OK;
		default:
			fprintf(stderr, "pgsieve: schema dump: unknown or incomplete option '%s'\n%s", argv[optind - 1],
				schema_usage);
			return EXIT_TROUBLE;
		}
	}
	int sources = (db != NULL) + (schema_file != NULL) + (optind < argc);
	if (sources != 1) {
		fprintf(stderr, "pgsieve: schema dump takes one source: --db, --schema or migration paths\n%s",
			schema_usage);
		return EXIT_TROUBLE;
	}
	if (strcmp(format, "json") && !(strcmp(format, "sql") == 0 && db)) {
		fprintf(stderr, "pgsieve: schema dump: --format takes json, or sql with --db\n");
		return EXIT_TROUBLE;
	}
	struct schema_model model;
	schema_model_init(&model);
	timing_phase("setup: options and an empty model");
	int status = EXIT_OK;
	if (db) {
		struct strbuf script = STRBUF_INIT;
		struct catalog_info info;
		if (catalog_load(&model, db, &script, &info) != 0) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			status = EXIT_TROUBLE;
		} else {
			if (info.warning[0])
				fprintf(stderr, "pgsieve: warning: %s\n", info.warning);
			if (!strcmp(format, "sql"))
				fputs(strbuf_str(&script), stdout);
		}
		strbuf_release(&script);
	} else if (schema_file) {
		status = schema_source_load(&model, NULL, schema_file);
	} else {
		status = schema_replay(&model, argv + optind, (size_t)(argc - optind), framework);
	}
	if (status == EXIT_OK && !strcmp(format, "json")) {
		if (schema_model_json_use(&model, stats ? SCHEMA_JSON_STATS : 0, write_json, NULL) != 0) {
			fprintf(stderr, "pgsieve: schema dump: cannot write the JSON to the standard output\n");
			status = EXIT_TROUBLE;
		}
		timing_phase("output: freeing the JSON");
	}
	schema_model_release(&model);
	timing_phase("exit: freeing the model");
	return status;
}

int cmd_schema(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "dump"))
		return dump(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(schema_usage, stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "pgsieve: schema takes a subcommand: dump\n%s", schema_usage);
	return EXIT_TROUBLE;
}
