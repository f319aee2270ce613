/* Baselines: a record of the findings a repository already has, so a team can adopt pgsieve on
 * years of history and be told only about new ones. Findings are matched by fingerprint (rule,
 * file, the statement's tokens, and how many identical ones come before it), never by line, so
 * an old finding that moves is still recognised and a new copy of an old mistake is new. */
#ifndef PGSIEVE_BASELINE_H
#define PGSIEVE_BASELINE_H

#include "lint/run.h"

/* Writes the run's findings as a baseline (JSON). Returns -1 with error() on failure. */
int baseline_write(const char *path, const struct lint_run *run);
/* Removes from the run the findings the baseline records; *dropped counts them. Returns -1
 * with error() when the file cannot be read or is not a pgsieve baseline. */
int baseline_apply(const char *path, struct lint_run *run, size_t *dropped);

#endif
