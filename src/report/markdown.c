/* A pull-request comment: the migrations with how they run, then the findings grouped by
 * migration, each with the lock it takes, what that blocks, and the safe way. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "lint/registry.h"

/* Table cells and inline text: a '|' would end the cell, a newline the row. */
static void md_inline(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static const char *icon(enum severity s)
{
	return s == SEVERITY_ERROR ? "🛑" : s == SEVERITY_WARNING ? "⚠️" : "ℹ️";
}

int report_markdown(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	size_t counts[4];
	lint_run_max_severity(run, counts);
	fprintf(out, "## pgsieve: %zu error%s, %zu warning%s, %zu info\n\n", counts[SEVERITY_ERROR],
		counts[SEVERITY_ERROR] == 1 ? "" : "s", counts[SEVERITY_WARNING],
		counts[SEVERITY_WARNING] == 1 ? "" : "s", counts[SEVERITY_INFO]);
	fputs("| migration | framework | runs in | down | statements | findings |\n", out);
	fputs("|---|---|---|---|---:|---:|\n", out);
	for (size_t fi = 0; fi < run->nfiles; fi++) {
		const struct lint_file *lf = &run->files[fi];
		size_t n = 0;
		for (size_t i = 0; i < run->nfindings; i++)
			n += run->findings[i].file == fi;
		fputs("| `", out);
		md_inline(out, lf->path);
		fprintf(out, "`%s | %s | %s | %s | %zu | %zu |\n", lf->is_down ? " (down)" : "",
			lf->framework ? lf->framework : "plain SQL", lint_tx_name(lf->tx),
			lf->is_down ? "" : lf->has_down < 0 ? "n/a" : lf->has_down ? "yes" : "**missing**",
			lf->nstatements, n);
	}
	for (size_t fi = 0; fi < run->nfiles; fi++) {
		int header = 0;
		for (size_t i = 0; i < run->nfindings; i++) {
			const struct finding *f = &run->findings[i];
			if (f->file != fi)
				continue;
			if (!header) {
				fputs("\n### `", out);
				md_inline(out, run->files[fi].path);
				fputs("`\n\n", out);
				header = 1;
			}
			char *url = report_rule_doc_url(o, f->rule->id);
			fprintf(out, "- %s **line %u**: ", icon(f->severity), f->line);
			md_inline(out, f->message);
			fprintf(out, " ([%s](%s))\n", f->rule->id, url);
			free(url);
			if (f->help) {
				fputs("  - safe way: ", out);
				md_inline(out, f->help);
				fputc('\n', out);
			}
		}
	}
	if (run->nfindings == 0)
		fputs("\nNo findings.\n", out);
	return ferror(out) ? -1 : 0;
}
