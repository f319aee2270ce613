/* Linting a plan's parts into a run, as `pgsieve lint` does and `pgsieve check` does before its
 * trace: each part read (an Alembic part as the SQL it renders to), described as its framework
 * runs it, and linted in plan order. */
#ifndef PGSIEVE_RUN_LINT_ITEMS_H
#define PGSIEVE_RUN_LINT_ITEMS_H

#include <stddef.h>

#include "discover/lint_plan.h"
#include "lint/run.h"

/* How one planned part is to be linted: the framework's transaction, its region of the file,
 * whether it is only read for context (text, len: the file's text). stdin_name: how standard
 * input is reported (NULL: "<stdin>"). plan_item_source() adds the framework's part. */
struct lint_source lint_source_for(const struct plan_item *it, const struct lint_options *o, const char *stdin_name,
				   const char *text, size_t len);

/* Lints the plan's parts (those with skip[i] == 0; skip may be NULL) into run, with a progress
 * line on stderr when progress is set. Returns 1 when a part could not be read or linted
 * (said on stderr), else 0. */
int lint_plan_items(struct lint_run *run, const struct plan *plan, const char *skip, const char *stdin_name,
		    int progress);

/* The Alembic settings of the configuration o under those of the command line and the
 * environment, as `pgsieve lint` and `pgsieve lsp` both take them: alembic-name and
 * alembic-config into a where a has none; alembic-python as PGSIEVE_PYTHON only when the
 * environment neither names an interpreter nor asks for the static reading (a pull request's
 * file must not choose what runs where PGSIEVE_ALEMBIC_STATIC=1 is how an untrusted one is
 * linted); no-python as PGSIEVE_ALEMBIC_STATIC=1. */
void lint_alembic_settings(const struct lint_options *o, struct plan_alembic *a);

#endif
