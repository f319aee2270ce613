/* The engine's side of fixes: a rule builds a struct lint_fix with the functions of lint/rule.h
 * and the engine turns it into the finding's struct fix (lint/finding.h). */
#ifndef PGSIEVE_LINT_FIX_H
#define PGSIEVE_LINT_FIX_H

#include "lint/finding.h"

struct lint_fix;

/* The fix as a finding carries it: edits sorted by file and offset. NULL when it changes
 * nothing or two edits of one file overlap (a rule's mistake: no fix rather than a wrong one). */
const struct fix *lint_fix_finish(struct lint_fix *fix);

/* Whether a rule voided the fix after attaching it (lint_fix_void()); such a finding is
 * reported without it. */
int lint_fix_voided(const struct fix *fix);

#endif
