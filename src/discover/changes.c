#include "discover/changes.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* Runs git with argv and returns its output, or NULL with error() naming what failed. */
static char *git(const char *const argv[], const char *what)
{
	int status;
	char *out = proc_capture(argv, &status, NULL);
	if (!out)
		return NULL;
	if (status != 0) {
		free(out);
		error("git could not %s (is this a git repository, and does the ref exist?)", what);
		return NULL;
	}
	return out;
}

static char *toplevel(void)
{
	const char *argv[] = { "git", "rev-parse", "--show-toplevel", NULL };
	char *out = git(argv, "find the repository root");
	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

/* NUL-separated names relative to top into out, as canonical absolute paths. */
static void add_names(struct strmap *out, const char *top, const char *names, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *name = names + i;
		size_t n = strlen(name);
		if (n) {
			char *full = xasprintf("%s/%s", top, name);
			char canon[PATH_MAX];
			strmap_put(out, realpath(full, canon) ? canon : full, (void *)1);
			free(full);
		}
		i += n + 1;
	}
}

static int collect(const char *const argv[], const char *what, const char *top, struct strmap *out)
{
	int status;
	size_t len;
	char *names = proc_capture(argv, &status, &len);
	if (!names)
		return -1;
	if (status != 0) {
		free(names);
		return error("git could not %s", what);
	}
	add_names(out, top, names, len);
	free(names);
	return 0;
}

int changes_since(const char *ref, struct strmap *out)
{
	char *top = toplevel();
	if (!top)
		return -1;
	const char *mb_argv[] = { "git", "merge-base", ref, "HEAD", NULL };
	char *base = git(mb_argv, "find the merge base of the --since ref and HEAD");
	if (!base) {
		/* in CI this is nearly always a shallow clone or a branch that was never fetched */
		error("git found no merge base of '%s' and HEAD: fetch that ref (git fetch origin "
		      "BRANCH) and enough history (actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0)",
		      ref);
		free(top);
		return -1;
	}
	base[strcspn(base, "\n")] = '\0';
	const char *diff[] = { "git", "-C", top, "diff", "--name-only", "-z", "--diff-filter=ACMR", base, "--", NULL };
	const char *untracked[] = { "git", "-C", top, "ls-files", "-z", "--others", "--exclude-standard", NULL };
	int rc = collect(diff, "list the changed files", top, out);
	if (rc == 0)
		rc = collect(untracked, "list untracked files", top, out);
	free(base);
	free(top);
	return rc;
}

int changes_staged(struct strmap *out)
{
	char *top = toplevel();
	if (!top)
		return -1;
	const char *diff[] = { "git", "-C", top, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", NULL };
	int rc = collect(diff, "list the staged files", top, out);
	free(top);
	return rc;
}
