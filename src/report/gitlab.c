/* GitLab Code Quality: a JSON array of issues, shown in merge requests. Severities map
 * error -> critical, warning -> major, info -> info. The fingerprint must be unique per issue
 * and stable across pipelines: it is the finding's fingerprint (rule, file, statement tokens,
 * occurrence). */
#include "report/report.h"

#include <jansson.h>

#include "lint/registry.h"

static const char *gitlab_severity(enum severity s)
{
	return s == SEVERITY_ERROR ? "critical" : s == SEVERITY_WARNING ? "major" : "info";
}

int report_gitlab(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	(void)o;
	json_t *arr = json_array();
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		json_t *j = json_object();
		json_object_set_new(j, "type", json_string("issue"));
		json_object_set_new(j, "description", report_json_text(f->message));
		json_object_set_new(j, "check_name", json_string(f->rule->id));
		json_object_set_new(j, "fingerprint", json_string(f->fingerprint));
		json_object_set_new(j, "severity", json_string(gitlab_severity(f->severity)));
		json_t *cats = json_array();
		json_array_append_new(cats, json_string(rule_category_name(f->rule->category)));
		json_object_set_new(j, "categories", cats);
		if (f->help)
			json_object_set_new(j, "content", json_pack("{s:s}", "body", f->help));
		json_t *lines = json_object();
		json_object_set_new(lines, "begin", json_integer(f->line));
		json_object_set_new(lines, "end", json_integer(f->end_line));
		/* GitLab wants the path from the repository root: "./db/1.sql" would match no file */
		const char *path = run->files[f->file].path;
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		json_t *loc = json_object();
		json_object_set_new(loc, "path", report_json_text(path));
		json_object_set_new(loc, "lines", lines);
		json_object_set_new(j, "location", loc);
		json_array_append_new(arr, j);
	}
	int rc = report_dump_json(out, arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(arr);
	return rc || ferror(out) ? -1 : 0;
}
