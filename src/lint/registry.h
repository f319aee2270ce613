/* Every rule pgsieve knows, built once from rules/rules.def (an X-macro list): no constructors,
 * no link-order magic. The order of rules.def is the order of `pgsieve rules` and of SARIF's
 * rule list. */
#ifndef PGSIEVE_REGISTRY_H
#define PGSIEVE_REGISTRY_H

#include <stddef.h>

#include "lint/rule.h"

extern const struct rule *const rule_registry[];
extern const size_t rule_count;

/* The rule with that id, or NULL. */
const struct rule *rule_find(const char *id);
/* The rule's position in rule_registry. */
size_t rule_index(const struct rule *rule);
/* The rule's documentation (Markdown, from docs/rules/<id>.md, embedded at build time), or
 * NULL when it has none. */
const char *rule_doc(const struct rule *rule);

/* The rules the engine itself reports. */
extern const struct rule rule_syntax_error, rule_unused_suppression, rule_invalid_input, rule_not_analysed;
extern const struct rule rule_alembic_static_analysis;
/* The rules `pgsieve trace` reports from what a real server did (src/trace/). */
extern const struct rule rule_migration_fails, rule_trace_rewrite, rule_trace_scan_under_lock, rule_trace_lock_held,
	rule_trace_mismatch, rule_round_trip_differs;
/* The engine keeps the models this rule compares (lint_undo_models()) only when it runs. */
extern const struct rule rule_downgrade_not_inverse;

#endif
