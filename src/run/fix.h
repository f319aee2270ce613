/* `pgsieve lint --fix`: the fixes of a run's findings (lint/finding.h) applied to the files, or
 * shown as a unified diff (--dry-run). */
#ifndef PGSIEVE_RUN_FIX_H
#define PGSIEVE_RUN_FIX_H

#include <stdio.h>

#include "lint/run.h"
#include "util/strmap.h"

struct fix_outcome {
	size_t fixes;         /* fixes applied (or shown) */
	size_t skipped;       /* fixes left out: overlapping one taken, or touching a file not allowed */
	size_t files_changed; /* existing files edited */
	size_t files_created;
};

/* Applies the fixes of run's findings. A file is edited only when `allowed` has its path (as
 * the run names it): the files linted and reported in this run, never one read only for
 * context (outside --since/--staged) or skipped as applied (--db); a fix is created only where
 * no file is. Fixes are taken whole, in the findings' order; one whose edits overlap those of a
 * fix taken before is left for the next run. Each file is written through a temporary file
 * renamed over it (its mode kept), so a failure never leaves half a file.
 *
 * dry_run: nothing is written; the unified diff of every change goes to diff_out.
 * created: when not NULL, the paths of the files created are added to it.
 * Returns 0, or -1 with error() when a file cannot be read or written (those written before
 * stay written). */
int fix_apply(const struct lint_run *run, const struct strmap *allowed, int dry_run, FILE *diff_out,
	      struct strmap *created, struct fix_outcome *out);

#endif
