/* Text for a person at a terminal: word wrapping that counts characters, not bytes, and the
 * rule docs (Markdown) rendered the way a man page reads: headings in bold, body text wrapped
 * to the window and indented under them, code blocks indented and left exactly as written.
 * Only the small part of Markdown the rule docs use is understood: headings, paragraphs,
 * "- " and "1. " list items, fenced code blocks and `code` spans. */
#include "report/report.h"

#include <string.h>

#include "util/strbuf.h"

#define BOLD "\033[1m"
#define CODE "\033[36m"
#define RESET "\033[0m"

/* Columns a UTF-8 string takes: one per code point (the docs hold no wide characters); the
 * backticks of code spans take none when they turn into colour. */
static size_t columns(const char *s, size_t n, int color)
{
	size_t cols = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && !(color && s[i] == '`'))
			cols++;
	return cols;
}

struct wrapper {
	FILE *out;
	size_t col, indent, width;
	int color, in_span; /* colouring, and inside a `code` span */
};

static void put_word(struct wrapper *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w->color && s[i] == '`') {
			w->in_span = !w->in_span;
			fputs(w->in_span ? CODE : RESET, w->out);
		} else {
			fputc(s[i], w->out);
		}
	}
}

/* Writes the words of text (split at spaces) from column w->col on, breaking lines before
 * w->width and starting each new line at w->indent. A word longer than a line gets one. */
static void wrap_words(struct wrapper *w, const char *text)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		size_t cols = columns(p, n, w->color);
		int line_start = w->col <= w->indent;
		if (!line_start && w->col + 1 + cols > w->width) {
			if (w->in_span)
				fputs(RESET, w->out);
			fprintf(w->out, "\n%*s", (int)w->indent, "");
			if (w->in_span)
				fputs(CODE, w->out);
			w->col = w->indent;
			line_start = 1;
		}
		if (!line_start) {
			fputc(' ', w->out);
			w->col++;
		}
		put_word(w, p, n);
		w->col += cols;
		p += n;
	}
}

void report_wrap(FILE *out, const char *text, size_t col, size_t indent, size_t width)
{
	struct wrapper w = { out, col, indent, width, 0, 0 };
	if (w.col < indent) {
		fprintf(out, "%*s", (int)(indent - w.col), "");
		w.col = indent;
	}
	wrap_words(&w, text);
	fputc('\n', out);
}

enum block { NONE, PARAGRAPH, ITEM };

struct doc {
	FILE *out;
	size_t width;
	int color;
	enum block kind;     /* the block being gathered */
	struct strbuf text;  /* its lines joined with spaces */
	size_t marker_len;   /* a list item: the "- " or "12. " at the start of text */
	int in_list;         /* the last block printed was a list item: the next one follows it */
	int printed, blank;  /* something was printed; the last thing printed was a blank line */
};

static void blank_line(struct doc *d)
{
	if (d->printed && !d->blank)
		fputc('\n', d->out);
	d->blank = 1;
}

static void flush(struct doc *d)
{
	if (d->kind == NONE)
		return;
	struct wrapper w = { d->out, 2, 2, d->width, d->color, 0 };
	const char *text = strbuf_str(&d->text);
	if (d->kind == ITEM) {
		/* "  - first line" with later lines under the text, not under the marker */
		if (!d->in_list)
			blank_line(d);
		fprintf(d->out, "  %.*s", (int)d->marker_len, text);
		w.col = w.indent = 2 + d->marker_len;
		text += d->marker_len;
	} else {
		blank_line(d);
		fputs("  ", d->out);
	}
	wrap_words(&w, text);
	if (w.in_span)
		fputs(RESET, d->out);
	fputc('\n', d->out);
	d->printed = 1;
	d->blank = 0;
	d->in_list = d->kind == ITEM;
	d->kind = NONE;
	strbuf_reset(&d->text);
}

/* "- " or "12. ": the length of a list marker at the start of line, 0 for none. */
static size_t list_marker(const char *line, size_t n)
{
	if (n >= 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ')
		return 2;
	size_t i = 0;
	while (i < n && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i > 0 && i + 1 < n && line[i] == '.' && line[i + 1] == ' ')
		return i + 2;
	return 0;
}

int report_doc_terminal(FILE *out, const char *markdown, size_t width, int color)
{
	struct doc d = { out, width, color, NONE, STRBUF_INIT, 0, 0, 0, 0 };
	int fenced = 0;
	for (const char *p = markdown; *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *next = eol ? eol + 1 : p + n;
		if (n && p[n - 1] == '\r')
			n--;
		if (fenced) {
			if (n >= 3 && !strncmp(p, "```", 3)) {
				fenced = 0;
			} else {
				if (n)
					fprintf(out, "    %s%.*s%s", color ? CODE : "", (int)n, p,
						color ? RESET : "");
				fputc('\n', out);
				d.printed = 1;
				d.blank = n == 0;
			}
			p = next;
			continue;
		}
		size_t lead = 0;
		while (lead < n && p[lead] == ' ')
			lead++;
		size_t marker = list_marker(p + lead, n - lead);
		if (n >= 3 && !strncmp(p, "```", 3)) {
			flush(&d);
			blank_line(&d);
			d.in_list = 0;
			fenced = 1;
		} else if (lead == n) {
			flush(&d);
		} else if (p[0] == '#') {
			flush(&d);
			d.in_list = 0;
			size_t level = strspn(p, "#");
			size_t skip = level + strspn(p + level, " ");
			if (level > 1)
				blank_line(&d);
			fprintf(out, "%s%.*s%s\n", color ? BOLD : "", (int)(n - skip), p + skip,
				color ? RESET : "");
			d.printed = 1;
			d.blank = 0;
		} else if (marker && lead == 0) {
			flush(&d);
			d.kind = ITEM;
			d.marker_len = marker;
			strbuf_add(&d.text, p, n);
		} else {
			/* a paragraph line, or the next line of a list item (indented or not) */
			if (d.kind == NONE)
				d.kind = PARAGRAPH;
			else
				strbuf_addch(&d.text, ' ');
			strbuf_add(&d.text, p + lead, n - lead);
		}
		p = next;
	}
	flush(&d);
	strbuf_release(&d.text);
	return ferror(out) ? -1 : 0;
}
