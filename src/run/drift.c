/* `pgsieve lint --drift`: the schema the migrations produce against the database's, as one
 * schema-drift finding listing the differences diff/diff.c finds. */
#include "run/drift.h"

#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "lint/registry.h"
#include "run/source.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

size_t diff_report_drift(struct lint_run *run, const char *path, const struct schema_model *replayed,
			 const struct schema_model *live)
{
	enum { LISTED = 20 };
	struct diff d;
	diff_models(&d, replayed, live);
	size_t n = d.n;
	if (n) {
		struct strbuf msg = STRBUF_INIT;
		const char *live_name = live->source ? live->source : "the database";
		const char *only_live = !strncmp(live_name, "the schema file", 15) ? "only in the schema file"
										     : "only in the database";
		strbuf_addf(&msg, "%s differs from the schema the migrations produce: %zu difference%s (", live_name, n,
			    n == 1 ? "" : "s");
		for (size_t i = 0; i < n && i < LISTED; i++) {
			const struct diff_item *it = &d.items[i];
			strbuf_addf(&msg, "%s%s %s %s", i ? "; " : "", diff_item_kind_name(it), it->key,
				    it->change == DIFF_ADDED     ? only_live
				    : it->change == DIFF_DROPPED ? "only in the migrations"
				    : it->change == DIFF_RENAMED ? "renamed in the database"
								 : "differs");
			if (it->attribute)
				strbuf_addf(&msg, " (%s)", it->attribute);
		}
		if (n > LISTED)
			strbuf_addf(&msg, "; and %zu more", n - LISTED);
		strbuf_addch(&msg, ')');
		lint_run_report_file(run, rule_find("schema-drift"), path, NULL, NULL, 0, 0, strbuf_str(&msg),
				     "see every difference with `pgsieve diff --from MIGRATIONS --to DSN`; write a "
				     "migration for changes made by hand, or undo them");
		strbuf_release(&msg);
	}
	diff_release(&d);
	return n;
}

int drift_check(struct lint_run *run, const struct plan *plan, const char *skip, char *const *paths,
		size_t npaths, int framework)
{
	struct schema_model replayed;
	schema_model_init(&replayed);
	int rc = run->history_checked ? schema_replay_plan(&replayed, plan, skip)
				      : schema_replay(&replayed, paths, npaths, framework);
	if (rc != 0) {
		schema_model_release(&replayed);
		return -1;
	}
	if (run->history_tables.n) {
		/* the framework's own history table is not something the migrations make */
		struct schema_model live;
		schema_model_copy(&live, &run->model);
		for (size_t i = 0; i < run->history_tables.n; i++) {
			const char *key = run->history_tables.items[i], *dot = strchr(key, '.');
			char *schema = xstrndup(key, dot ? (size_t)(dot - key) : 0);
			schema_object_drop(&live, SCHEMA_KIND_TABLE, dot ? schema : NULL, dot ? dot + 1 : key);
			free(schema);
		}
		diff_report_drift(run, paths[0], &replayed, &live);
		schema_model_release(&live);
	} else {
		diff_report_drift(run, paths[0], &replayed, &run->model);
	}
	schema_model_release(&replayed);
	return 0;
}
