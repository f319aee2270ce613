/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_refresh_matview_blocking = {
	.id = "refresh-matview-blocking",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view",
};
