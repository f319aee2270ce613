/* `pgsieve status DIR --db DSN` lists each migration of the directory as the database's history
 * table sees it (read by src/run/history.h, which `pgsieve lint --db` uses too). */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "catalog/history.h"
#include "discover/frameworks/framework.h"
#include "report/report.h"
#include "run/history.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

enum { EXIT_PENDING = EXIT_FINDINGS };

static const char status_usage[] =
	"usage: pgsieve status PATH... --db DSN [--format text|json] [--framework NAME]\n"
	"                      [--history-table [SCHEMA.]NAME] [--exit-code]\n"
	"\n"
	"Lists each migration under PATH as the database's migration history table records it:\n"
	"applied, pending, failed (golang-migrate dirty, Flyway success = false, Prisma unfinished),\n"
	"modified (applied, but the file's checksum differs: Flyway, Prisma, Sqitch, sqlx) or\n"
	"missing-file (in the database, not on disk). Reads only; never writes.\n"
	"  --db DSN              the database: a conninfo string, a postgres:// URI, a database\n"
	"                        name, or '' for the PG* environment variables\n"
	"  --format FORMAT       text (default) or json\n"
	"  --framework NAME      the migration framework of the PATHs (default: detected)\n"
	"  --history-table NAME  the history table, when not the framework's default\n"
	"  --exit-code           exit 1 when a migration is pending, failed or modified\n";

/* One sentence on what is wrong, for modified and missing-file entries (malloc'd), or NULL. */
static char *entry_explanation(const struct migration_set *set, const struct history *h, const struct history_entry *e)
{
	if (e->detail)
		return xstrdup(e->detail);
	if (e->state == HISTORY_MODIFIED)
		return xasprintf("applied with checksum %s; the file's is now %s", e->row->checksum,
				 e->file_checksum ? e->file_checksum : "(none)");
	if (e->state == HISTORY_MISSING_FILE)
		return xasprintf("recorded in %s, but no migration in '%s' has it%s%s", h->table, set->dir,
				 e->row && e->row->script ? ": " : "", e->row && e->row->script ? e->row->script : "");
	return NULL;
}

static void print_text(const struct status_set *sets, size_t n)
{
	for (size_t s = 0; s < n; s++) {
		const struct status_set *ss = &sets[s];
		printf("%s: %s, %s %s\n", ss->set->dir, framework_name(ss->set->fw),
		       ss->history.found ? "history in" : "no history table", ss->history.table);
		if (!ss->history.found)
			printf("  nothing is applied with %s in this database yet\n", framework_name(ss->set->fw));
		int idw = 4;
		for (size_t i = 0; i < ss->st.n; i++) {
			int w = (int)strlen(ss->st.items[i].id);
			idw = w > idw && w < 40 ? w : idw;
		}
		for (size_t i = 0; i < ss->st.n; i++) {
			const struct history_entry *e = &ss->st.items[i];
			char *why = entry_explanation(ss->set, &ss->history, e);
			printf("  %-12s %-*s  %s%s%s\n", history_state_name(e->state), idw, e->id,
			       e->m && e->m->up.path ? e->m->up.path : "(no file)", why ? ": " : "", why ? why : "");
			free(why);
		}
		const size_t *c = ss->st.counts;
		printf("%zu applied, %zu pending, %zu failed, %zu modified, %zu missing-file\n", c[HISTORY_APPLIED],
		       c[HISTORY_PENDING], c[HISTORY_FAILED], c[HISTORY_MODIFIED], c[HISTORY_MISSING_FILE]);
	}
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int print_json(const struct status_set *sets, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	json_object_set_new(root, "format_version", json_integer(1));
	for (size_t s = 0; s < n; s++) {
		const struct status_set *ss = &sets[s];
		json_t *js = json_object(), *list = json_array();
		json_object_set_new(js, "dir", json_string(ss->set->dir));
		json_object_set_new(js, "framework", json_string(framework_name(ss->set->fw)));
		json_object_set_new(js, "history_table", json_string(ss->history.table));
		json_object_set_new(js, "history_found", json_boolean(ss->history.found));
		for (size_t i = 0; i < ss->st.n; i++) {
			const struct history_entry *e = &ss->st.items[i];
			json_t *je = json_object();
			char *why = entry_explanation(ss->set, &ss->history, e);
			json_object_set_new(je, "id", json_string(e->id));
			json_object_set_new(je, "name", json_str_or_null(e->m ? e->m->name : NULL));
			json_object_set_new(je, "path", json_str_or_null(e->m ? e->m->up.path : NULL));
			json_object_set_new(je, "state", json_string(history_state_name(e->state)));
			json_object_set_new(je, "repeatable", json_boolean(e->m && e->m->repeatable));
			json_object_set_new(je, "stored_checksum", json_str_or_null(e->row ? e->row->checksum : NULL));
			json_object_set_new(je, "file_checksum", json_str_or_null(e->file_checksum));
			json_object_set_new(je, "detail", json_str_or_null(why));
			free(why);
			json_array_append_new(list, je);
		}
		json_object_set_new(js, "migrations", list);
		json_t *sum = json_object();
		for (int k = 0; k < HISTORY_STATE_COUNT; k++) {
			char key[32];
			snprintf(key, sizeof(key), "%s", history_state_name((enum history_state)k));
			for (char *p = key; *p; p++)
				*p = *p == '-' ? '_' : *p;
			json_object_set_new(sum, key, json_integer((json_int_t)ss->st.counts[k]));
		}
		json_object_set_new(js, "summary", sum);
		json_array_append_new(arr, js);
	}
	json_object_set_new(root, "sets", arr);
	int rc = report_dump_json(stdout, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
	return rc;
}

/* Flyway scans its locations recursively, so one history table covers every directory pgsieve
 * reads as a set of its own (dhis2's 2.30/, 2.31/, ...): a row is missing only when no set of
 * that framework and table has its migration, and is listed once, under the first set. */
static void drop_shared_missing(struct status_set *sets, size_t n)
{
	struct strmap present = STRMAP_INIT;
	struct strbuf key = STRBUF_INIT;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t s = 0; s < n; s++) {
			struct history_status *st = &sets[s].st;
			size_t w = 0;
			for (size_t i = 0; i < st->n; i++) {
				struct history_entry *e = &st->items[i];
				strbuf_reset(&key);
				strbuf_addf(&key, "%d\t%s\t%s", (int)sets[s].set->fw, sets[s].history.table, e->id);
				if (pass == 0 && e->state != HISTORY_MISSING_FILE)
					strmap_put(&present, strbuf_str(&key), e);
				if (pass == 1 && e->state == HISTORY_MISSING_FILE && strmap_has(&present, strbuf_str(&key))) {
					/* another set has it, or an earlier set lists it as missing already */
					st->counts[HISTORY_MISSING_FILE]--;
					free(e->id);
					free(e->file_checksum);
					free(e->detail);
					continue;
				}
				if (pass == 1 && e->state == HISTORY_MISSING_FILE)
					strmap_put(&present, strbuf_str(&key), e);
				st->items[w++] = *e;
			}
			st->n = w;
		}
	}
	strbuf_release(&key);
	strmap_release(&present);
}

int cmd_status(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_DB_TIMEOUT, OPT_FORMAT, OPT_FRAMEWORK, OPT_TABLE, OPT_EXIT_CODE, OPT_FOLLOW_SYMLINKS,
	       OPT_NO_PYTHON };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "db-timeout", required_argument, NULL, OPT_DB_TIMEOUT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "framework", required_argument, NULL, OPT_FRAMEWORK },
		{ "history-table", required_argument, NULL, OPT_TABLE },
		{ "exit-code", no_argument, NULL, OPT_EXIT_CODE },
		{ "follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS },
		{ "no-python", no_argument, NULL, OPT_NO_PYTHON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *format = "text", *table = NULL;
	int framework = -1, exit_code = 0, c;
	unsigned plan_flags = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_DB_TIMEOUT:
			if (catalog_set_timeout(optarg) != 0)
				return cmd_command_usage_error("status", "%s", error_message());
			break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_TABLE: table = optarg; break;
		case OPT_EXIT_CODE: exit_code = 1; break;
		case OPT_FOLLOW_SYMLINKS: plan_flags |= PLAN_FOLLOW_SYMLINKS; break;
		/* as lint's: Alembic revisions read statically, none of the project's code runs */
		case OPT_NO_PYTHON: setenv("PGSIEVE_ALEMBIC_STATIC", "1", 1); break;
		case OPT_FRAMEWORK: {
			enum framework fw;
			if (framework_parse(optarg, &fw) != 0)
				return cmd_command_usage_error("status", "--framework takes golang-migrate, pop, diesel, flyway, dbmate, "
						    "sqitch, prisma, supabase or alembic, not '%s'", optarg);
			framework = (int)fw;
			break;
		}
		case 'h': fputs(status_usage, stdout); return EXIT_CLEAN;
		case ':': return cmd_command_usage_error("status", "'%s' needs a value", argv[optind - 1]);
		default: return cmd_command_usage_error("status", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json"))
		return cmd_command_usage_error("status", "--format takes text or json, not '%s'", format);
	if (optind >= argc)
		return cmd_command_usage_error("status", "%s", "no migrations directory given");
	if (!db)
		return cmd_command_usage_error("status", "%s", "--db is needed: the database whose history to read ('' for the PG* "
					   "environment variables)");
	if (framework == FW_SQL)
		return cmd_command_usage_error("status", "%s", "plain SQL files have no history table; name the framework");

	struct plan plan;
	plan_build(&plan, argv + optind, (size_t)(argc - optind), framework, NULL, 0, NULL, plan_flags);
	int status = plan.errors ? EXIT_TROUBLE : EXIT_CLEAN;
	struct status_set *sets = xcalloc(plan.nsets + 1, sizeof(*sets));
	size_t n = 0;
	for (size_t i = 0; i < plan.nsets && status == EXIT_CLEAN; i++) {
		const struct migration_set *set = plan.sets[i];
		if (set->fw == FW_SQL || !history_supported(set->fw))
			continue;
		if (status_set_read(set, db, table, &sets[n]) != 0) {
			status_set_release(&sets[n]);
			status = EXIT_TROUBLE;
		} else {
			n++;
		}
	}
	drop_shared_missing(sets, n);
	if (status == EXIT_CLEAN && n == 0) {
		fprintf(stderr, "pgsieve: status: no migration framework layout found in the given paths (plain "
			"SQL files have no history table); name the migrations directory, or the framework "
			"with --framework\n");
		status = EXIT_TROUBLE;
	}
	if (status == EXIT_CLEAN) {
		if (!strcmp(format, "json") ? print_json(sets, n) != 0 : (print_text(sets, n), 0)) {
			fprintf(stderr, "pgsieve: cannot write the status\n");
			status = EXIT_TROUBLE;
		}
		if (fflush(stdout) != 0)
			status = EXIT_TROUBLE;
	}
	for (size_t i = 0; i < n && status == EXIT_CLEAN && exit_code; i++) {
		const size_t *k = sets[i].st.counts;
		if (k[HISTORY_PENDING] || k[HISTORY_FAILED] || k[HISTORY_MODIFIED])
			status = EXIT_PENDING;
	}
	for (size_t i = 0; i < n; i++)
		status_set_release(&sets[i]);
	free(sets);
	plan_release(&plan);
	return status;
}
