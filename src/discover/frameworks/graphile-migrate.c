/* Graphile Migrate: migrations/committed/NNNNNN.sql, each starting with `--! Previous: <hash>`,
 * `--! Hash: <hash>` and a blank line, and migrations/current.sql, the migration being
 * written, which pgsieve lints as the pending one after the committed ones. A migration runs
 * as one query between `begin` and `commit`, or without them when its body's first line is
 * `--! no-transaction` (src/migration.ts runStringMigration). History:
 * graphile_migrate.migrations(hash, previous_hash, filename, date). */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

/* /^[0-9]{6,}\.sql/ */
static int is_committed(const char *dir, const char *name)
{
	(void)dir;
	size_t v = layout_digits(name);
	return v >= 6 && !strcmp(name + v, ".sql");
}

static int detect(const char *dir, const char **why)
{
	*why = "a committed/ directory of NNNNNN.sql migrations";
	char *committed = path_join(dir, "committed");
	int r = layout_is_dir(committed) && layout_any(committed, is_committed);
	free(committed);
	return r;
}

static int owns_subdir(const char *setdir, const char *subdir)
{
	(void)setdir;
	const char *base = strrchr(subdir, '/');
	return !strcmp(base ? base + 1 : subdir, "committed");
}

/* The body's first line is `--! no-transaction` (/^--!\s*no-transaction\b/); a committed
 * migration's body starts after its two header lines and the blank line. */
static enum lint_tx file_tx(const char *text, size_t len, int committed)
{
	size_t at = 0;
	if (committed && len > 14 && !strncmp(text, "--! Previous: ", 14)) {
		const char *nl = memchr(text, '\n', len);
		const char *nl2 = nl ? memchr(nl + 1, '\n', len - (size_t)(nl + 1 - text)) : NULL;
		if (nl2 && (size_t)(nl2 + 1 - text) < len && nl2[1] == '\n')
			at = (size_t)(nl2 + 2 - text);
	}
	if (len - at >= 3 && !strncmp(text + at, "--!", 3)) {
		size_t i = at + 3;
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (len - i >= 14 && !strncmp(text + i, "no-transaction", 14) &&
		    (len - i == 14 || !(isalnum((unsigned char)text[i + 14]) || text[i + 14] == '_')))
			return LINT_TX_IMPLICIT; /* still one query */
	}
	return LINT_TX_WRAPPED;
}

static void add(struct migration_set *set, const char *path, const char *version, const char *name, int committed,
		int *errors)
{
	size_t len;
	char *text = file_read(path, &len);
	if (!text) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		(*errors)++;
		return;
	}
	struct migration *m = migration_set_add(set, version, name);
	migration_part_set(&m->up, xstrdup(path), file_tx(text, len, committed));
	free(text);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	char *committed = path_join(dir, "committed");
	size_t n;
	char **names = layout_list(committed, &n);
	for (size_t i = 0; i < n; i++) { /* in file name order, as getAllMigrations sorts them */
		if (!is_committed(committed, names[i]))
			continue;
		char *path = path_join(committed, names[i]);
		char *version = xstrndup(names[i], layout_digits(names[i]));
		add(set, path, version, names[i], 1, errors);
		free(version);
		free(path);
	}
	layout_list_free(names);
	free(committed);
	/* the migration being written runs after every committed one */
	char *current = path_join(dir, "current.sql");
	if (layout_is_file(current))
		add(set, current, "current", "current.sql", 0, errors);
	free(current);
	return 0;
}

const struct framework_desc framework_graphile_migrate = {
	.name = "graphile-migrate",
	.detect_rank = 16,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_OWN_ORDER,
	.owns_subdir = owns_subdir,
	.history = {
		.schema = "graphile_migrate",
		.table = "migrations",
		.columns = "filename::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY filename",
		.key = HISTORY_KEY_FILE,
	},
};
