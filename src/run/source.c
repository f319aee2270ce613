/* The schema a command starts from or compares: a live database, a schema file, or migrations
 * replayed into a model with no rule running. `pgsieve lint --db/--schema` and `--drift`,
 * `pgsieve schema dump` and `pgsieve diff --from/--to` all load their models here. */
#include "run/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "lint/options.h"
#include "lint/registry.h"
#include "lint/run.h"
#include "schema/load.h"
#include "util/error.h"
#include "util/file.h"
#include "util/redact.h"

enum { EXIT_OK = 0, EXIT_TROUBLE = 2 };

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
