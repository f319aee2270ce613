/* Which files changed, according to git: for linting only what a pull request or a commit
 * adds or modifies while still reading the earlier migrations for context. */
#ifndef PGSIEVE_CHANGES_H
#define PGSIEVE_CHANGES_H

#include "util/strmap.h"

/* Files added, copied, modified or renamed since the merge base of REF and HEAD (committed or
 * not), plus untracked files; keys are canonical absolute paths. Returns -1 with error(). */
int changes_since(const char *ref, struct strmap *out);
/* Files added, copied, modified or renamed in git's index (what `git commit` would commit). */
int changes_staged(struct strmap *out);

#endif
