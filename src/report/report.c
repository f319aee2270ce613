#include "report/report.h"

#include <string.h>

#include "util/strbuf.h"
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

static int append_json(const char *piece, size_t size, void *data)
{
	strbuf_add(data, piece, size);
	return 0;
}

int report_dump_json(FILE *out, const json_t *root, size_t flags)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = json_dump_callback(root, append_json, &sb, flags);
	if (rc == 0 && sb.len && fwrite(sb.buf, sb.len, 1, out) != 1)
		rc = -1;
	strbuf_release(&sb);
	return rc;
}

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
