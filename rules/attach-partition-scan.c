/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_attach_partition_scan = {
	.id = "attach-partition-scan",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "ATTACH PARTITION scans the partition under lock unless a matching CHECK constraint proves the bound",
};
