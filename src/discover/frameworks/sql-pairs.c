/* Versioned up/down pairs that golang-migrate's pattern does not take (it wants the name to
 * start with the number): V0001.Name.up.sql and V0001.Name.down.sql, v2_add_x.up.sql and the
 * like. The version is the name up to its first '.' or '_' and must hold a digit; the two
 * files of a version are its up and down parts, ordered by version (digits by value). Which
 * runner sends them is not known, so they run as written (--assume-in-transaction and
 * `-- pgsieve:` directives apply as to plain SQL). */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

/* The version's length, or 0 when the name is no versioned pair file. */
static size_t version_len(const char *name)
{
	if (!layout_ends_with(name, ".up.sql") && !layout_ends_with(name, ".down.sql"))
		return 0;
	size_t n = strcspn(name, "._");
	int digit = 0;
	for (size_t i = 0; i < n; i++)
		digit |= isdigit((unsigned char)name[i]) != 0;
	return digit && n > 0 && n < strlen(name) - 7 ? n : 0;
}

static int is_pair_file(const char *dir, const char *name)
{
	(void)dir;
	return version_len(name) > 0 && !isdigit((unsigned char)name[0]);
}

static int detect(const char *dir, const char **why)
{
	*why = "<version>.name.up.sql and .down.sql files whose version does not start with a digit";
	return layout_any(dir, is_pair_file);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		size_t v = version_len(f);
		if (!v)
			continue;
		int up = layout_ends_with(f, ".up.sql");
		char *version = xstrndup(f, v);
		const char *ns = f + v + 1;
		char *name = xstrndup(ns, strlen(ns) - (up ? 7 : 9));
		struct migration *m = migration_set_find(set, version);
		if (!m)
			m = migration_set_add(set, version, name);
		struct migration_part *part = up ? &m->up : &m->down;
		if (part->path) {
			const char *other = strrchr(part->path, '/');
			char *path = path_join(dir, f);
			migration_set_problem(set, "migration-graph", path, 0,
					      "give each migration a version of its own",
					      "two %s migrations have the version %s: this file and '%s'",
					      up ? "up" : "down", version, other ? other + 1 : part->path);
			free(path);
		} else {
			migration_part_set(part, path_join(dir, f), LINT_TX_UNKNOWN);
		}
		free(version);
		free(name);
	}
	layout_list_free(names);
	return 0;
}

const struct framework_desc framework_sql_pairs = {
	.name = "sql-pairs",
	.detect_rank = 18,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS,
	.down_help = "add the .down.sql file of the same version that undoes this migration",
	.down_consequence = "nothing can undo this migration",
};
