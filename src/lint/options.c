#include "lint/options.h"

#include <stdlib.h>
#include <string.h>

#include "lint/registry.h"
#include "util/xalloc.h"

void lint_options_init(struct lint_options *o)
{
	memset(o, 0, sizeof(*o));
	o->pg_version = PG_VERSION_DEFAULT;
	o->fail_on = SEVERITY_WARNING;
	o->small_table_rows = 10000;
	o->small_table_bytes = 10LL * 1024 * 1024;
	o->severities = xcalloc(rule_count, sizeof(*o->severities));
	for (size_t i = 0; i < rule_count; i++)
		o->severities[i] = rule_registry[i]->severity;
}

void lint_options_release(struct lint_options *o)
{
	free(o->severities);
	free(o->vector_dimensions);
	for (size_t i = 0; i < o->n_exclude; i++)
		free(o->exclude[i]);
	free(o->exclude);
	free(o->framework);
	free(o->alembic_name);
	free(o->alembic_config);
	free(o->alembic_python);
	free(o->rule_settings);
	memset(o, 0, sizeof(*o));
}

static const char *const severity_names[] = { "off", "info", "warning", "error" };

const char *severity_name(enum severity s)
{
	return severity_names[s];
}

int severity_parse(const char *word, enum severity *out)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(word, severity_names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	}
	if (!strcmp(word, "never")) {
		*out = SEVERITY_OFF;
		return 0;
	}
	return -1;
}
