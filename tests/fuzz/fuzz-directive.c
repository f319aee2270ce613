/* libFuzzer target: the comment directive parser (src/lint/directive.c). The first byte picks
 * the comment's form (as given, `-- ...` or a block comment) so that most inputs reach the
 * directive grammar. Every rule id it returns must be the bytes at its recorded offset. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/directive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, size_t a)
{
	fprintf(stderr, "fuzz-directive: %s (%zu)\n", what, a);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const open[] = { "", "-- ", "/* " };
	static const char *const close[] = { "", "", " */" };
	unsigned form = size ? data[0] % 3 : 0;
	if (size) {
		data++;
		size--;
	}
	size_t lo = strlen(open[form]), lc = strlen(close[form]), n = lo + size + lc;
	char *text = malloc(n + 1);
	if (!text)
		return 0;
	memcpy(text, open[form], lo);
	memcpy(text + lo, data, size);
	memcpy(text + lo + size, close[form], lc);
	text[n] = '\0';

	const uint32_t offset = 1000; /* as if the comment stood further into a file */
	struct directive d;
	int r = directive_parse(text, n, offset, &d);
	if (r < -1 || r > 1)
		fail("unexpected result", (size_t)r);
	if (r == 0 && d.nrules)
		fail("rules from an ordinary comment", d.nrules);
	if (r == -1 && d.nrules)
		fail("rules from a directive that names none", d.nrules);
	if (r == 1 && (d.nrules < 1 || d.nrules > DIRECTIVE_MAX_RULES))
		fail("rule count", d.nrules);
	for (size_t i = 0; i < d.nrules; i++) {
		size_t len = strlen(d.rules[i]);
		if (!len || d.rule_offsets[i] < offset || d.rule_offsets[i] - offset + len > n)
			fail("rule id outside the comment", i);
		if (memcmp(text + (d.rule_offsets[i] - offset), d.rules[i], len))
			fail("rule id is not the text at its offset", i);
	}
	directive_release(&d);
	free(text);
	return 0;
}
