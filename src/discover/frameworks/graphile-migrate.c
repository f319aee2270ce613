/* Graphile Migrate: migrations/committed/NNNNNN.sql, each starting with `--! Previous: <hash>`,
 * `--! Hash: <hash>` and a blank line, and migrations/current.sql (or a current/ directory of
 * NNN[-name].sql files run as one), the migration being written, which pgsieve lints as the
 * pending one after the committed ones. A migration runs as one query between `begin` and
 * `commit`, or without them when its body's first line is `--! no-transaction`
 * (src/migration.ts runStringMigration). A committed migration's hash chains it to the one
 * before (src/hash.ts calculateHash), and graphile-migrate refuses one whose body or chain no
 * longer matches. History: graphile_migrate.migrations(hash, previous_hash, filename, date). */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/hash.h"
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
	base = base ? base + 1 : subdir;
	return !strcmp(base, "committed") || !strcmp(base, "current");
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

/* A committed migration's header: `--! Previous: <hash or ->`, `--! Hash: <hash>`, a blank
 * line; the body starts after it. 0 when the header is not so. */
struct header {
	const char *previous, *hash; /* within the text; previous_len 0 for the first migration */
	size_t previous_len, hash_len;
	size_t hash_line, body;      /* offsets of the Hash line and of the body */
};

static int read_header(const char *text, size_t len, struct header *h)
{
	const char *nl = memchr(text, '\n', len);
	if (!nl || len < 14 || strncmp(text, "--! Previous: ", 14))
		return 0;
	size_t l2 = (size_t)(nl + 1 - text);
	const char *nl2 = memchr(text + l2, '\n', len - l2);
	if (!nl2 || len - l2 < 10 || strncmp(text + l2, "--! Hash: ", 10))
		return 0;
	size_t l3 = (size_t)(nl2 + 1 - text);
	if (l3 >= len || text[l3] != '\n')
		return 0;
	h->previous = text + 14;
	h->previous_len = (size_t)(nl - h->previous);
	if (h->previous_len == 1 && h->previous[0] == '-')
		h->previous_len = 0;
	h->hash = text + l2 + 10;
	h->hash_len = (size_t)(nl2 - h->hash);
	h->hash_line = l2;
	h->body = l3 + 1;
	return 1;
}

static int js_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* calculateHash: "sha1:" and the hex SHA-1 of (previous + "\n" + body), trimmed, with "\n". */
static void calculate_hash(const struct header *h, const char *body, size_t body_len, char out[46])
{
	struct hash_sha1 c;
	hash_sha1_init(&c);
	/* the trimmed string: its start is in previous or, without one, in the body */
	const char *b = body, *e = body + body_len;
	while (e > b && js_space(e[-1]))
		e--;
	if (h->previous_len) {
		hash_sha1_update(&c, h->previous, h->previous_len);
		hash_sha1_update(&c, "\n", 1);
	} else {
		while (b < e && js_space(*b))
			b++;
	}
	hash_sha1_update(&c, b, (size_t)(e - b));
	hash_sha1_update(&c, "\n", 1);
	unsigned char d[20];
	hash_sha1_final(&c, d);
	memcpy(out, "sha1:", 5);
	hash_to_hex(d, sizeof(d), out + 5);
}

/* What graphile-migrate checks of a committed migration before running it: its header, its
 * hash against its body, its Previous against the migration before. *chain is the hash of the
 * migration before (a copy; NULL for the first), updated to this one's. */
static void check_committed(struct migration_set *set, const char *path, const char *text, size_t len, char **chain)
{
	struct header h;
	if (!read_header(text, len, &h)) {
		migration_set_problem(set, "migration-graph", path, 0,
				      "restore the header `graphile-migrate commit` wrote: `--! Previous: ...`, "
				      "`--! Hash: ...` and a blank line",
				      "the file does not start with graphile-migrate's header (`--! Previous:`, `--! Hash:`, "
				      "a blank line): graphile-migrate refuses every migration (\"Invalid committed "
				      "migration\")");
		free(*chain);
		*chain = NULL;
		return;
	}
	char want[46];
	calculate_hash(&h, text + h.body, len - h.body, want);
	if (h.hash_len > 5 && !strncmp(h.hash, "sha1:", 5) &&
	    (h.hash_len != strlen(want) || strncmp(h.hash, want, h.hash_len)))
		migration_set_problem(set, "migration-graph", path, (uint32_t)h.hash_line,
				      "undo the edit and put the change in the current migration; to keep an edit "
				      "that must not run again where the migration ran, `graphile-migrate uncommit` "
				      "it (if it is the latest) and commit it again",
				      "the migration was edited after it was committed: its body no longer hashes to its "
				      "`--! Hash:` line (it hashes to %s), so graphile-migrate refuses to run it "
				      "(\"has the file been tampered with?\") wherever it has not run yet",
				      want);
	size_t before = *chain ? strlen(*chain) : 0;
	if (before != h.previous_len || (before && strncmp(*chain, h.previous, before)))
		migration_set_problem(set, "migration-graph", path, 0,
				      "commit migrations one after the other with `graphile-migrate commit`, which "
				      "writes the right Previous line; after a merge, uncommit the later branch's "
				      "migrations and commit them again on top",
				      "its `--! Previous:` line does not name the hash of the migration before it (%s): "
				      "graphile-migrate refuses to migrate (\"Previous migration with hash ... doesn't "
				      "match\"), as happens when two branches each committed a migration",
				      *chain ? *chain : "none, for the first migration");
	free(*chain);
	*chain = xstrndup(h.hash, h.hash_len);
}

static void add(struct migration_set *set, const char *path, const char *version, const char *name, int committed,
		char **chain, int *errors)
{
	size_t len;
	char *text = layout_read_migration(path, &len, errors);
	if (!text)
		return;
	if (committed)
		check_committed(set, path, text, len, chain);
	struct migration *m = migration_set_add(set, version, name);
	migration_part_set(&m->up, xstrdup(path), file_tx(text, len, committed));
	free(text);
}

/* current/'s files: /^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$/ (src/current.ts VALID_FILE_REGEX) */
static int is_current_part(const char *dir, const char *name)
{
	(void)dir;
	size_t v = layout_digits(name);
	if (!v)
		return 0;
	const char *p = name + v;
	if (*p == '-')
		while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			p++;
	return !strcmp(p, ".sql");
}

static int by_number(const void *a, const void *b)
{
	unsigned long x = strtoul(*(char *const *)a, NULL, 10), y = strtoul(*(char *const *)b, NULL, 10);
	return x < y ? -1 : x > y;
}

/* current/: its files in the order of their numbers, joined into one migration that runs in one
 * transaction (readCurrentMigration); each is linted as a part of it. */
static void add_current_dir(struct migration_set *set, const char *dir, int *errors)
{
	size_t n, k = 0;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++)
		if (is_current_part(dir, names[i]))
			names[k++] = names[i];
		else
			free(names[i]);
	names[k] = NULL;
	qsort(names, k, sizeof(*names), by_number);
	for (size_t i = 0; i < k; i++) {
		char *path = path_join(dir, names[i]);
		char *name = path_join("current", names[i]);
		add(set, path, "current", name, 0, NULL, errors);
		free(name);
		free(path);
	}
	layout_list_free(names);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	char *committed = path_join(dir, "committed");
	size_t n;
	char **names = layout_list(committed, &n);
	char *chain = NULL;
	for (size_t i = 0; i < n; i++) { /* in file name order, as getAllMigrations sorts them */
		if (!is_committed(committed, names[i]))
			continue;
		char *path = path_join(committed, names[i]);
		char *version = xstrndup(names[i], layout_digits(names[i]));
		add(set, path, version, names[i], 1, &chain, errors);
		free(version);
		free(path);
	}
	free(chain);
	layout_list_free(names);
	free(committed);
	/* the migration being written runs after every committed one: current.sql, or current/ */
	char *current = path_join(dir, "current.sql");
	char *current_dir = path_join(dir, "current");
	if (layout_is_file(current) && layout_is_dir(current_dir))
		migration_set_problem(set, "migration-graph", current, 0, "keep one of them",
				      "both current.sql and a current/ directory exist: graphile-migrate refuses to "
				      "run (\"only one of these may exist at a time\")");
	if (layout_is_file(current))
		add(set, current, "current", "current.sql", 0, NULL, errors);
	else if (layout_is_dir(current_dir))
		add_current_dir(set, current_dir, errors);
	free(current_dir);
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
