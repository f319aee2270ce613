/* GitHub Actions workflow commands: one ::error/::warning/::notice line per finding, which the
 * runner turns into annotations on the pull request. GitHub shows only the first 10
 * annotations of each level per step, so when $GITHUB_STEP_SUMMARY is set the full Markdown
 * report is appended to the job summary as well. */
#include "report/report.h"

#include <stdlib.h>

#include "lint/registry.h"
#include "util/strbuf.h"

/* Workflow command escaping: message data escapes %, CR and LF; property values also escape
 * ':' and ','. */
static void escape(struct strbuf *sb, const char *raw, int property)
{
	/* control characters other than CR and LF (a terminal escape in a file name) as \xNN */
	struct strbuf plain = STRBUF_INIT;
	report_add_printable(&plain, raw, 0);
	for (const char *s = strbuf_str(&plain); *s; s++) {
		switch (*s) {
		case '%': strbuf_addstr(sb, "%25"); break;
		case '\r': strbuf_addstr(sb, "%0D"); break;
		case '\n': strbuf_addstr(sb, "%0A"); break;
		case ':':
			if (property)
				strbuf_addstr(sb, "%3A");
			else
				strbuf_addch(sb, ':');
			break;
		case ',':
			if (property)
				strbuf_addstr(sb, "%2C");
			else
				strbuf_addch(sb, ',');
			break;
		default: strbuf_addch(sb, *s);
		}
	}
	strbuf_release(&plain);
}

static const char *command(enum severity s)
{
	return s == SEVERITY_ERROR ? "error" : s == SEVERITY_WARNING ? "warning" : "notice";
}

int report_github(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		strbuf_reset(&sb);
		strbuf_addf(&sb, "::%s file=", command(f->severity));
		escape(&sb, run->files[f->file].path, 1);
		strbuf_addf(&sb, ",line=%u,col=%u,endLine=%u,endColumn=%u,title=", f->line, f->column,
			    f->end_line, f->end_column);
		escape(&sb, f->rule->id, 1);
		strbuf_addstr(&sb, "::");
		escape(&sb, f->message, 0);
		if (f->help) {
			escape(&sb, "\nhelp: ", 0);
			escape(&sb, f->help, 0);
		}
		fprintf(out, "%s\n", strbuf_str(&sb));
	}
	strbuf_release(&sb);

	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	if (summary && *summary) {
		FILE *s = fopen(summary, "a");
		if (!s)
			return -1;
		int rc = report_markdown(s, run, o);
		if (fclose(s) != 0)
			rc = -1;
		if (rc != 0)
			return rc;
	}
	return ferror(out) ? -1 : 0;
}
