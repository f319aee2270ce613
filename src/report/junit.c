/* JUnit XML for CI systems that show test reports: one testcase per linted file, one failure
 * element per finding at or above warning (info findings go to system-out). */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "lint/registry.h"

/* In an attribute (attr) a parser turns a literal tab, CR or LF into a space, and anywhere it
 * turns CR LF into LF, so those go out as character references to arrive as they were. */
static void xml_escape(FILE *out, const char *raw, int attr)
{
	/* a file name need not be UTF-8, which the document says it is */
	char *text = report_utf8(raw);
	for (const char *s = text; *s; s++) {
		switch (*s) {
		case '\r': fputs("&#13;", out); break;
		case '\n': fputs(attr ? "&#10;" : "\n", out); break;
		case '\t': fputs(attr ? "&#9;" : "\t", out); break;
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			/* XML 1.0 allows no control characters but tab, LF and CR */
			if ((unsigned char)*s < 0x20)
				fputc(' ', out);
			else if (!strncmp(s, "\xEF\xBF\xBE", 3) || !strncmp(s, "\xEF\xBF\xBF", 3)) /* U+FFFE, U+FFFF */
				s += 2, fputs("\xEF\xBF\xBD", out);
			else
				fputc(*s, out);
		}
	}
	free(text);
}

int report_junit(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	(void)o;
	size_t failures = 0;
	for (size_t i = 0; i < run->nfindings; i++)
		failures += run->findings[i].severity >= SEVERITY_WARNING;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"pgsieve\" tests=\"%zu\" failures=\"%zu\">\n", run->nfiles, failures);
	fprintf(out, "  <testsuite name=\"pgsieve lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		run->nfiles, failures);
	for (size_t fi = 0; fi < run->nfiles; fi++) {
		fputs("    <testcase classname=\"pgsieve.lint\" name=\"", out);
		xml_escape(out, run->files[fi].path, 1);
		fputs("\">\n", out);
		int infos = 0;
		for (size_t i = 0; i < run->nfindings; i++) {
			const struct finding *f = &run->findings[i];
			if (f->file != fi)
				continue;
			if (f->severity < SEVERITY_WARNING) {
				infos = 1;
				continue;
			}
			fprintf(out, "      <failure type=\"%s\" message=\"", f->rule->id);
			xml_escape(out, f->message, 1);
			fputs("\">", out);
			xml_escape(out, run->files[fi].path, 0);
			fprintf(out, ":%u:%u: %s: ", f->line, f->column, severity_name(f->severity));
			xml_escape(out, f->message, 0);
			if (f->help) {
				fputs("\nhelp: ", out);
				xml_escape(out, f->help, 0);
			}
			fputs("</failure>\n", out);
		}
		if (infos) {
			fputs("      <system-out>", out);
			for (size_t i = 0; i < run->nfindings; i++) {
				const struct finding *f = &run->findings[i];
				if (f->file != fi || f->severity >= SEVERITY_WARNING)
					continue;
				fprintf(out, "%u:%u: info: ", f->line, f->column);
				xml_escape(out, f->message, 0);
				fprintf(out, " [%s]\n", f->rule->id);
			}
			fputs("</system-out>\n", out);
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
