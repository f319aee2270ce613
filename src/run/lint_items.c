#include "run/lint_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"

struct lint_source lint_source_for(const struct plan_item *it, const struct lint_options *o, const char *stdin_name,
				   const char *text, size_t len)
{
	struct lint_source src = { .path = it->path, .text = text, .len = len, .has_down = -1 };
	if (!strcmp(it->path, "-"))
		src.path = stdin_name ? stdin_name : "<stdin>";
	src.tx = o->assume_in_transaction ? LINT_TX_WRAPPED : LINT_TX_UNKNOWN;
	if (it->part) {
		if (it->part->tx != LINT_TX_UNKNOWN)
			src.tx = it->part->tx;
		src.has_region = it->part->has_region;
		src.region_offset = it->part->offset;
		src.region_len = it->part->len;
	}
	if (it->fw != FW_SQL)
		src.framework = framework_name(it->fw);
	if (it->migration && !it->is_down && framework_has_downs(it->fw))
		src.has_down = it->migration->down.path != NULL;
	src.context_only = !it->report;
	src.migration = it->migration;
	src.separate_model = it->is_down;
	src.is_down = it->is_down;
	return src;
}

int lint_plan_items(struct lint_run *run, const struct plan *plan, const char *skip, const char *stdin_name,
		    int progress)
{
	int trouble = 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		if (skip && skip[i])
			continue;
		if (progress && (i % 50 == 0 || i + 1 == plan->n))
			fprintf(stderr, "\rpgsieve: %zu/%zu files%s", i + 1, plan->n, i + 1 == plan->n ? "\n" : "");
		size_t len = 0;
		/* an Alembic part is linted as the SQL it renders to, not as the .py file */
		char *text = it->part && it->part->text ? NULL : file_read(it->path, &len);
		if (!text && !(it->part && it->part->text)) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			trouble = 1;
			continue;
		}
		struct lint_source src = lint_source_for(it, run->opts, stdin_name, text, len);
		plan_item_source(it, run->opts, &src);
		if (lint_run_source(run, &src) != 0) {
			fprintf(stderr, "pgsieve: %s: %s\n", src.path, error_message());
			trouble = 1;
		}
		free(text);
	}
	return trouble;
}

void lint_alembic_settings(const struct lint_options *o, struct plan_alembic *a)
{
	if (!a->name)
		a->name = o->alembic_name;
	if (!a->config)
		a->config = o->alembic_config;
	const char *static_env = getenv("PGSIEVE_ALEMBIC_STATIC");
	int static_asked = static_env && !strcmp(static_env, "1");
	const char *python_env = getenv("PGSIEVE_PYTHON");
	if (o->alembic_python && !static_asked && !(python_env && *python_env))
		setenv("PGSIEVE_PYTHON", o->alembic_python, 1);
	if (o->no_python)
		setenv("PGSIEVE_ALEMBIC_STATIC", "1", 1);
}
