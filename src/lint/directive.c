#include "lint/directive.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int is_id_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

int directive_parse(const char *text, size_t len, uint32_t offset, struct directive *d)
{
	memset(d, 0, sizeof(*d));
	d->stmt_index = -1;
	d->offset = offset;
	d->length = (uint32_t)len;
	size_t i = 0, end = len;
	if (len >= 2 && text[0] == '-' && text[1] == '-') {
		i = 2;
	} else if (len >= 4 && text[0] == '/' && text[1] == '*') {
		i = 2;
		end = len - 2; /* the closing star-slash */
	} else {
		return 0;
	}
	while (i < end && isspace((unsigned char)text[i]))
		i++;
	static const char word[] = "pgsieve-ignore";
	size_t wl = sizeof(word) - 1;
	if (end - i < wl || memcmp(text + i, word, wl))
		return 0;
	i += wl;
	if (end - i >= 5 && !memcmp(text + i, "-file", 5)) {
		d->whole_file = 1;
		i += 5;
	}
	if (i < end && is_id_char(text[i])) /* pgsieve-ignored, pgsieve-ignore-x: not ours */
		return 0;
	/* RULE[,RULE...] until ':' (the reason) or the end of the comment */
	while (i < end && text[i] != ':') {
		while (i < end && (isspace((unsigned char)text[i]) || text[i] == ','))
			i++;
		size_t s = i;
		while (i < end && is_id_char(text[i]))
			i++;
		if (i == s) {
			if (i < end && text[i] != ':')
				i++; /* a stray character: skip it */
			continue;
		}
		if (d->nrules < DIRECTIVE_MAX_RULES) {
			d->rules[d->nrules] = xstrndup(text + s, i - s);
			d->rule_offsets[d->nrules] = offset + (uint32_t)s;
			d->nrules++;
		}
	}
	return d->nrules ? 1 : -1;
}

void directive_release(struct directive *d)
{
	for (size_t i = 0; i < d->nrules; i++)
		free(d->rules[i]);
	d->nrules = 0;
}
