#include "run/lint_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/xalloc.h"
#include "sql/sql.h"

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

/* Parts are read and queued to be parsed ahead (sql_ahead_*) while the part before them is
 * linted, up to this many parts or bytes of text ahead (always the next part at least). */
enum { AHEAD_PARTS = 8, AHEAD_BYTES = 4 * 1024 * 1024 };

/* A part of the plan read, and queued to be parsed ahead. */
struct ready_item {
	char *text;  /* the file's, NULL for a part with a text of its own (Alembic's) */
	char *error; /* the file could not be read: the message, to say in its turn */
	struct lint_source src;
};

static void ready_item(struct ready_item *r, const struct plan_item *it, const struct lint_run *run,
		       const char *stdin_name, struct sql_ahead *ahead)
{
	size_t len = 0;
	memset(r, 0, sizeof(*r));
	/* an Alembic part is linted as the SQL it renders to, not as the .py file */
	r->text = it->part && it->part->text ? NULL : file_read(it->path, &len);
	if (!r->text && !(it->part && it->part->text)) {
		r->error = xstrdup(error_message());
		return;
	}
	r->src = lint_source_for(it, run->opts, stdin_name, r->text, len);
	plan_item_source(it, run->opts, &r->src);
	if (ahead) {
		uint32_t from;
		size_t n;
		lint_source_region(&r->src, &from, &n);
		sql_ahead_queue(ahead, r->src.text, r->src.len, from, n);
		r->src.ahead = ahead;
	}
}

int lint_plan_items(struct lint_run *run, const struct plan *plan, const char *skip, const char *stdin_name,
		    int progress)
{
	int trouble = 0;
	/* one part parses on this thread, as it would ahead; several keep the second core busy */
	struct sql_ahead *ahead = plan->n > 1 ? sql_ahead_start() : NULL;
	struct ready_item ring[AHEAD_PARTS]; /* the parts read, in plan order, from ring[first] */
	size_t first = 0, nready = 0, ready_bytes = 0;
	size_t next = 0; /* the first plan item not yet read */
	for (size_t i = 0; i < plan->n; i++) {
		if (skip && skip[i])
			continue;
		/* read and queue this part and those after it, within the bounds */
		while (next < plan->n && nready < AHEAD_PARTS && (nready == 0 || ready_bytes < AHEAD_BYTES)) {
			if (!(skip && skip[next])) {
				struct ready_item *r = &ring[(first + nready) % AHEAD_PARTS];
				ready_item(r, &plan->items[next], run, stdin_name, ahead);
				nready++;
				ready_bytes += r->src.len;
			}
			next++;
		}
		struct ready_item *r = &ring[first]; /* item i's: the oldest read */
		first = (first + 1) % AHEAD_PARTS;
		nready--;
		ready_bytes -= r->src.len;
		if (progress && (i % 50 == 0 || i + 1 == plan->n))
			fprintf(stderr, "\rpgsieve: %zu/%zu files%s", i + 1, plan->n, i + 1 == plan->n ? "\n" : "");
		if (r->error) {
			fprintf(stderr, "pgsieve: %s\n", r->error);
			free(r->error);
			trouble = 1;
			continue;
		}
		if (lint_run_source(run, &r->src) != 0) {
			fprintf(stderr, "pgsieve: %s: %s\n", r->src.path, error_message());
			trouble = 1;
		}
		free(r->text);
	}
	sql_ahead_finish(ahead);
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
