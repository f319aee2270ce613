/* .pgsieve.yml (or .pgsieve.yaml): the project's settings, read with libyaml.
 *
 *   pg-version: 15                 # 10 .. 18
 *   assume-in-transaction: false
 *   fail-on: warning               # error | warning | info | never
 *   select: [rule, ...]            # only these rules (syntax-error, invalid-input stay on)
 *   ignore: [rule, ...]
 *   rules: { rule-id: error | warning | info | off }
 *   exclude: [glob, ...]
 *   lock-timeout-set-by-runner: false
 *   statement-timeout-set-by-runner: false
 *   vector-dimensions: [1536]      # positive whole numbers
 *   framework: golang-migrate      # sql, golang-migrate, pop, diesel, flyway, dbmate, sqitch,
 *                                  # prisma, supabase, alembic
 *   alembic-name: core             # Alembic: as --alembic-name
 *   alembic-config: deploy/a.ini   # as --alembic-config; a file, read from this file's directory
 *   alembic-python: .venv/bin/python  # as PGSIEVE_PYTHON; a path (from this file's directory)
 *                                  # or a command name without a slash
 *   no-python: true                # as --no-python
 *
 * An unknown key, a wrong type, a bad value, an unknown rule id, a key given twice or a YAML
 * syntax error is an error "FILE:LINE: message" naming the key; an empty file has no settings.
 *
 * Which rules run: the `rules:` map sets a rule's severity (off disables it); ignore switches
 * rules off; select keeps only the listed rules, plus syntax-error and invalid-input unless they
 * are ignored. The command line wins over the file whatever the call order: --select replaces
 * the file's select list and runs the rules it names even when the file switched them off (at
 * the file's severity for them, or their default when that is off); --ignore switches rules off
 * on top of everything else. These functions keep their record in lint_options.rule_settings
 * and recompute lint_options.severities each time. */
#ifndef PGSIEVE_CONFIG_H
#define PGSIEVE_CONFIG_H

#include "lint/options.h"

/* The config file that applies to `start` (a file or directory): .pgsieve.yml in its directory
 * or the nearest parent, stopping at the repository root (a directory holding .git). Returns a
 * malloc'd path or NULL when there is none. */
char *config_find(const char *start);
/* The one config file for all of `paths` ("-" is standard input, looked up from stdin_name
 * when given, else from the working directory). Returns 0 with *out set (NULL when there is
 * none), or -1 with error() when the paths have different configuration files. */
int config_find_common(char *const *paths, size_t n, const char *stdin_name, char **out);

/* Reads the file into o (over what o already holds). Returns 0, or -1 with error() set to
 * "FILE:LINE: message". */
int config_load(const char *path, struct lint_options *o);

/* Applies a comma-separated --select or --ignore list. Returns -1 with error() for an unknown
 * rule id. */
int config_select(struct lint_options *o, const char *list);
int config_ignore(struct lint_options *o, const char *list);

#endif
