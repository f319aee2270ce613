/* Comment directives: `-- pgsieve-ignore RULE[,RULE...][: reason]` in the comments just before a
 * statement silences those rules for it; `-- pgsieve-ignore-file RULE[,...]` anywhere silences
 * them for the file. Directives come from the scanner's comment tokens, never from a regex over
 * the text. */
#ifndef PGSIEVE_DIRECTIVE_H
#define PGSIEVE_DIRECTIVE_H

#include <stddef.h>
#include <stdint.h>

enum { DIRECTIVE_MAX_RULES = 16 };

struct directive {
	int whole_file;
	uint32_t offset, length;      /* the comment */
	char *rules[DIRECTIVE_MAX_RULES]; /* ids as written */
	uint32_t rule_offsets[DIRECTIVE_MAX_RULES]; /* where each id stands */
	int used[DIRECTIVE_MAX_RULES];
	size_t nrules;
	int stmt_index;               /* the statement it applies to; -1 for none yet */
};

/* Parses comment text (markers included, `--` or a block comment) at `offset`. Returns 1 and
 * fills d when the comment is a directive, 0 when it is an ordinary comment, -1 when it starts
 * like a directive but names no rule (d->nrules == 0). Rule ids are allocated with malloc and
 * released by directive_release. */
int directive_parse(const char *text, size_t len, uint32_t offset, struct directive *d);
void directive_release(struct directive *d);

#endif
