/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_detach_partition_blocking = {
	.id = "detach-partition-blocking",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the parent",
};
