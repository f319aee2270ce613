/* .pgsieve.yml: the project's settings, read with libyaml.
 *
 *   pg-version: 15
 *   assume-in-transaction: false
 *   fail-on: warning            # error | warning | info | never
 *   select: [rule, ...]         # only these rules (engine rules stay on)
 *   ignore: [rule, ...]
 *   rules: { rule-id: error | warning | info | off }
 *   exclude: [glob, ...]
 *   lock-timeout-set-by-runner: false
 *   statement-timeout-set-by-runner: false
 *   vector-dimensions: [1536]
 *
 * An unknown key or a bad value is an error naming the file, line and key. */
#ifndef PGSIEVE_CONFIG_H
#define PGSIEVE_CONFIG_H

#include "lint/options.h"

/* The config file that applies to `start` (a file or directory): .pgsieve.yml in its directory
 * or the nearest parent, stopping at the repository root (a directory holding .git). Returns a
 * malloc'd path or NULL when there is none. */
char *config_find(const char *start);

/* Reads the file into o (over what o already holds). Returns 0, or -1 with error() set to
 * "FILE:LINE: message". */
int config_load(const char *path, struct lint_options *o);

/* Applies a comma-separated --select or --ignore list. Returns -1 with error() for an unknown
 * rule id. */
int config_select(struct lint_options *o, const char *list);
int config_ignore(struct lint_options *o, const char *list);

#endif
