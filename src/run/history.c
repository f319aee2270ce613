/* What the migration history of a database says, for the commands: `pgsieve status` lists it,
 * `pgsieve lint --db` lints only what is still to run there (status_lint_skips()). */
#include "run/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/frameworks/framework.h"
#include "lint/registry.h"
#include "util/error.h"
#include "util/file.h"
#include "util/xalloc.h"

int status_set_read(const struct migration_set *set, const char *db, const char *table, struct status_set *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->set = set;
	char *project = framework_get(set->fw)->history.by_project ? history_sqitch_project(set->dir) : NULL;
	int rc = history_read(db, set->fw, table, project, &ss->history);
	free(project);
	if (rc == 0)
		rc = history_compare(set, &ss->history, &ss->st);
	if (rc != 0)
		fprintf(stderr, "pgsieve: %s\n", error_message());
	return rc;
}

void status_set_release(struct status_set *ss)
{
	history_status_release(&ss->st);
	history_release(&ss->history);
}

static void report_modified(struct lint_run *run, const struct migration_set *set, const struct history *h,
			    const struct history_entry *e)
{
	static const struct rule *rule;
	if (!rule)
		rule = rule_find("modified-applied-migration");
	if (!rule || !e->m->up.path)
		return;
	size_t len = 0;
	char *text = file_read(e->m->up.path, &len);
	char *message = xasprintf("this migration was applied to the database (recorded in %s with checksum %s) and "
				  "has been edited since (its checksum is now %s): %s never runs it again where "
				  "it was applied, so the edit takes effect only on new databases",
				  h->table, e->row->checksum, e->file_checksum ? e->file_checksum : "(none)",
				  framework_name(set->fw));
	const char *help = framework_get(set->fw)->history.modified_help;
	lint_run_report_file(run, rule, e->m->up.path, framework_name(set->fw), text, len, 0, message, help);
	free(message);
	free(text);
}

long status_lint_skips(const struct plan *plan, const char *db, const char *table, struct lint_run *run,
		       char *skip)
{
	long skipped = 0;
	for (size_t s = 0; s < plan->nsets; s++) {
		const struct migration_set *set = plan->sets[s];
		if (set->fw == FW_SQL || !history_supported(set->fw))
			continue;
		struct status_set ss;
		if (status_set_read(set, db, table, &ss) != 0) {
			status_set_release(&ss);
			return -1;
		}
		run->history_checked |= ss.history.found;
		if (ss.history.found && schema_strlist_find(&run->history_tables, ss.history.table) < 0)
			schema_strlist_add(&run->history_tables, ss.history.table);
		for (size_t i = 0; ss.history.found && i < ss.st.n; i++) {
			const struct history_entry *e = &ss.st.items[i];
			if (!e->m || (e->state != HISTORY_APPLIED && e->state != HISTORY_MODIFIED))
				continue;
			skipped++;
			int reported = 0;
			for (size_t k = 0; k < plan->n; k++) {
				if (plan->items[k].migration != e->m)
					continue;
				skip[k] = 1;
				reported |= plan->items[k].report && !plan->items[k].is_down;
			}
			if (e->state == HISTORY_MODIFIED && reported)
				report_modified(run, set, &ss.history, e);
		}
		status_set_release(&ss);
	}
	return skipped;
}
