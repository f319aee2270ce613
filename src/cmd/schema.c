/* `pgsieve schema dump` prints the model of a database, a schema file or a migrations directory
 * (replayed; the sources are src/run/source.h), so the three can be compared. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "report/report.h"
#include "run/source.h"
#include "schema/json.h"
#include "schema/load.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/timing.h"

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
		case 'h': fputs(schema_usage, stdout); return EXIT_CLEAN;
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
	int status = EXIT_CLEAN;
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
	if (status == EXIT_CLEAN && !strcmp(format, "json")) {
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
		return EXIT_CLEAN;
	}
	fprintf(stderr, "pgsieve: schema takes a subcommand: dump\n%s", schema_usage);
	return EXIT_TROUBLE;
}
