#include "report/report.h"

#include <string.h>

#include "util/xalloc.h"

static const struct {
	const char *name;
	report_fn fn;
} formats[] = {
	{ "text", report_text },
	{ "json", report_json },
	{ "sarif", report_sarif },
	{ "github", report_github },
	{ "gitlab", report_gitlab },
	{ "junit", report_junit },
	{ "markdown", report_markdown },
};

report_fn report_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name))
			return formats[i].fn;
	return NULL;
}

const char *report_format_names(void)
{
	return "text, json, sarif, github, gitlab, junit, markdown";
}

char *report_rule_doc_url(const struct report_options *o, const char *rule_id)
{
	return xasprintf("%s/blob/main/docs/rules/%s.md", o->project_url, rule_id);
}
