/* gcc-style lines that editors and CI log parsers understand:
 *   path:line:col: severity: message [rule-id]
 *     help: the safe way
 * followed by a one-line summary. */
#include "report/report.h"

#include <string.h>

#include "lint/registry.h"
#include "util/strbuf.h"

static const char *severity_colour(enum severity s)
{
	switch (s) {
	case SEVERITY_ERROR:
		return "\033[1;31m";
	case SEVERITY_WARNING:
		return "\033[1;35m";
	default:
		return "\033[1;36m";
	}
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_renderer(const struct lint_renderer *a, const struct lint_renderer *b)
{
	return same_str(a->mode, b->mode) && same_str(a->python, b->python) &&
	       same_str(a->python_version, b->python_version) && same_str(a->alembic, b->alembic) &&
	       same_str(a->sqlalchemy, b->sqlalchemy);
}

/* After the summary, for Alembic revisions: how many each interpreter rendered, or read
 * statically, so that a CI log says which Python (and Alembic) the findings come from. */
static void renderer_lines(FILE *out, const struct lint_run *run)
{
	struct strbuf py = STRBUF_INIT;
	for (size_t i = 0; i < run->nfiles; i++) {
		const struct lint_renderer *rd = &run->files[i].renderer;
		if (!rd->mode || run->files[i].is_down)
			continue;
		size_t first = 0, count = 0;
		while (first < i && !(run->files[first].renderer.mode && !run->files[first].is_down &&
				       same_renderer(&run->files[first].renderer, rd)))
			first++;
		if (first < i)
			continue; /* counted with its first file */
		for (size_t k = i; k < run->nfiles; k++)
			count += !run->files[k].is_down && same_renderer(&run->files[k].renderer, rd);
		strbuf_reset(&py);
		report_add_printable(&py, rd->python ? rd->python : "?", 1);
		if (!strcmp(rd->mode, "alembic"))
			fprintf(out, "alembic: %zu revision%s rendered by Alembic %s (SQLAlchemy %s) in %s (Python %s)\n",
				count, count == 1 ? "" : "s", rd->alembic ? rd->alembic : "?",
				rd->sqlalchemy ? rd->sqlalchemy : "?", strbuf_str(&py),
				rd->python_version ? rd->python_version : "?");
		else
			fprintf(out, "alembic: %zu revision%s read statically in %s (Python %s)%s\n", count,
				count == 1 ? "" : "s", strbuf_str(&py), rd->python_version ? rd->python_version : "?",
				rd->alembic ? ": Alembic could not render them (their alembic-static-analysis findings "
					      "say why)" : ", without Alembic");
	}
	strbuf_release(&py);
}

int report_text(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	const char *dim = o->color ? "\033[2m" : "";
	/* names come from files and migrations: no escape sequence of theirs reaches the terminal */
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		strbuf_reset(&path);
		strbuf_reset(&msg);
		report_add_printable(&path, run->files[f->file].path, 1);
		report_add_printable(&msg, f->message, 1);
		fprintf(out, "%s%s:%u:%u:%s %s%s:%s %s %s[%s]%s\n", bold, strbuf_str(&path), f->line, f->column, reset,
			o->color ? severity_colour(f->severity) : "", severity_name(f->severity), reset,
			strbuf_str(&msg), dim, f->rule->id, reset);
		if (f->help) {
			strbuf_reset(&msg);
			report_add_printable(&msg, f->help, 1);
			fprintf(out, "  help: %s\n", strbuf_str(&msg));
		}
	}
	strbuf_release(&path);
	strbuf_release(&msg);
	size_t counts[4];
	lint_run_max_severity(run, counts);
	size_t statements = 0;
	for (size_t i = 0; i < run->nfiles; i++)
		statements += run->files[i].nstatements;
	if (run->nfindings == 0)
		fprintf(out, "no findings in %zu file%s (%zu statement%s)\n", run->nfiles,
			run->nfiles == 1 ? "" : "s", statements, statements == 1 ? "" : "s");
	else
		fprintf(out, "%zu error%s, %zu warning%s, %zu info in %zu file%s (%zu statement%s)\n",
			counts[SEVERITY_ERROR], counts[SEVERITY_ERROR] == 1 ? "" : "s", counts[SEVERITY_WARNING],
			counts[SEVERITY_WARNING] == 1 ? "" : "s", counts[SEVERITY_INFO], run->nfiles,
			run->nfiles == 1 ? "" : "s", statements, statements == 1 ? "" : "s");
	if (run->history_checked)
		fprintf(out, "%zu migration%s skipped as applied in the database\n", run->skipped_applied,
			run->skipped_applied == 1 ? "" : "s");
	renderer_lines(out, run);
	return ferror(out) ? -1 : 0;
}
