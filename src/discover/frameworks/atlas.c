/* Atlas versioned migrations (ariga/atlas): a directory with atlas.sum and <version>[_name].sql
 * files. Each file runs in a transaction of its own by default (--tx-mode file); a
 * `-- atlas:txmode none` directive in the file's header runs its statements one by one
 * without one, `-- atlas:txmode file` or `all` keeps a transaction. Atlas splits the file into
 * statements and executes them one at a time. atlas.sum holds the directory's integrity sums,
 * which Atlas checks before it runs anything (sql/migrate/dir.go: NewHashFile, Validate).
 * History: atlas_schema_revisions.atlas_schema_revisions(version, applied, total, hash, ...). */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/xalloc.h"

static int detect(const char *dir, const char **why)
{
	*why = "an atlas.sum file";
	return layout_has_file(dir, NULL, "atlas.sum");
}

/* ---- atlas.sum ---- */

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t w = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		out[w++] = alphabet[v >> 18 & 63];
		out[w++] = alphabet[v >> 12 & 63];
		out[w++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[w++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[w] = '\0';
}

enum { SUM_B64 = 45 }; /* base64 of a SHA-256 digest, and its NUL */

/* The `atlas:sum ignore` directive: the first line names it (dir.go directive(): the regular
 * expression matches from the start of the content, within its first line). */
static int sum_ignored(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t n = nl ? (size_t)(nl - text) : len;
	const char *last = NULL;
	for (size_t i = 0; i + 10 <= n; i++)
		if (!memcmp(text + i, "atlas:sum", 9))
			last = text + i;
	if (!last)
		return 0;
	const char *p = last + 9;
	while (p < text + n && *p == ' ')
		p++;
	return (size_t)(text + n - p) >= 6 && !memcmp(p, "ignore", 6);
}

struct sum_entry {
	char *name;
	char hash[SUM_B64 + 4];
	uint32_t offset; /* of its line in atlas.sum */
};

/* Checks atlas.sum against the .sql files of dir (names in order): the first file whose sum
 * differs (each sum covers the names and contents of every file up to it, so one edit changes
 * every later sum too), files missing from it or from the directory, and its first line. */
static void check_sum(const char *dir, char **names, size_t n, struct migration_set *set)
{
	char *sum_path = path_join(dir, "atlas.sum");
	size_t sum_len;
	char *sum_text = file_read(sum_path, &sum_len);
	if (!sum_text) {
		error_clear();
		free(sum_path);
		return;
	}
	/* its lines: "h1:<sum>", then "<name> h1:<hash>" */
	struct sum_entry *entries = NULL;
	size_t nentries = 0, cap = 0;
	struct hash_sha256 total;
	hash_sha256_init(&total);
	const char *first_end = memchr(sum_text, '\n', sum_len);
	size_t first_len = first_end ? (size_t)(first_end - sum_text) : sum_len;
	for (size_t i = first_end ? first_len + 1 : sum_len; i < sum_len;) {
		size_t e = i;
		while (e < sum_len && sum_text[e] != '\n')
			e++;
		const char *h1 = NULL;
		for (size_t k = i; k + 3 <= e; k++)
			if (!memcmp(sum_text + k, "h1:", 3)) {
				h1 = sum_text + k;
				break;
			}
		if (h1) {
			const char *ne = h1;
			while (ne > sum_text + i && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			XGROW(entries, nentries + 1, cap);
			struct sum_entry *en = &entries[nentries++];
			en->name = xstrndup(sum_text + i, (size_t)(ne - (sum_text + i)));
			size_t hl = (size_t)(sum_text + e - (h1 + 3));
			if (hl > sizeof(en->hash) - 1)
				hl = sizeof(en->hash) - 1;
			memcpy(en->hash, h1 + 3, hl);
			en->hash[hl] = '\0';
			en->offset = (uint32_t)i;
			hash_sha256_update(&total, en->name, strlen(en->name));
			hash_sha256_update(&total, en->hash, strlen(en->hash));
		}
		i = e < sum_len ? e + 1 : e;
	}
	unsigned char d[32];
	char b64[SUM_B64];
	hash_sha256_final(&total, d);
	base64(d, sizeof(d), b64);
	if (first_len < 3 || memcmp(sum_text, "h1:", 3) || first_len - 3 != strlen(b64) ||
	    memcmp(sum_text + 3, b64, first_len - 3))
		migration_set_problem(set, "migration-graph", sum_path, 0,
				      "run `atlas migrate hash` to write atlas.sum again from the files",
				      "atlas.sum's first line is not the sum of its other lines (a hand edit, or a merge "
				      "of two branches' atlas.sum): Atlas refuses to run any migration (\"checksum "
				      "mismatch\")");

	/* the directory's sums, each over everything up to its file */
	struct hash_sha256 running;
	hash_sha256_init(&running);
	int reported = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]);
		size_t len;
		char *text = file_read(path, &len);
		if (!text) {
			error_clear();
			free(path);
			continue;
		}
		hash_sha256_update(&running, names[i], strlen(names[i]));
		int ignored = sum_ignored(text, len);
		if (!ignored)
			hash_sha256_update(&running, text, len);
		free(text);
		if (ignored) {
			free(path);
			continue;
		}
		struct hash_sha256 now = running; /* h.Sum(nil): the digest so far, the hash goes on */
		hash_sha256_final(&now, d);
		base64(d, sizeof(d), b64);
		const struct sum_entry *en = NULL;
		for (size_t k = 0; k < nentries && !en; k++)
			if (!strcmp(entries[k].name, names[i]))
				en = &entries[k];
		if (!en && !reported)
			migration_set_problem(set, "migration-graph", path, 0,
					      "run `atlas migrate hash` after adding a migration file (or create files "
					      "with `atlas migrate new` / `atlas migrate diff`, which do)",
					      "atlas.sum has no line for this file: Atlas refuses to run any migration "
					      "(\"checksum mismatch\") until `atlas migrate hash` records it");
		else if (en && strcmp(en->hash, b64) && !reported)
			migration_set_problem(set, "migration-graph", path, 0,
					      "if the edit is intended (the file has not been applied anywhere), run "
					      "`atlas migrate hash`; otherwise restore the file and put the change in a "
					      "new migration",
					      "atlas.sum records another sum for this file: it was edited (or one before it "
					      "was, or files were renamed) after `atlas migrate hash`, and Atlas refuses "
					      "to run any migration (\"checksum mismatch\")");
		reported |= !en || strcmp(en->hash, b64);
		free(path);
	}
	for (size_t k = 0; k < nentries; k++) {
		int found = 0;
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(entries[k].name, names[i]);
		if (!found)
			migration_set_problem(set, "migration-graph", sum_path, entries[k].offset,
					      "run `atlas migrate hash` after removing or renaming a migration file",
					      "atlas.sum names '%s', which is not in the directory: Atlas refuses to run "
					      "any migration (\"checksum mismatch\")",
					      entries[k].name);
		free(entries[k].name);
	}
	free(entries);
	free(sum_text);
	free(sum_path);
}

/* ---- -- atlas:delimiter ---- */

/* The file's delimiter when its first line is `-- atlas:delimiter X` (newLex, setDelim: a line
 * end, carriage return and tab may be written escaped, backslash n, r, t), leading line ends
 * dropped and *line_start set (backslash-n GO is GO at a line's start): into out; 0 when there
 * is none or it still holds a line end after that (two line ends, a blank line, which pgsieve
 * cannot read as ';' without moving lines). */
static size_t delimiter(const char *text, size_t len, char *out, size_t size, int *line_start)
{
	static const char prefix[] = "-- atlas:delimiter ";
	size_t pl = sizeof(prefix) - 1;
	if (len < pl || memcmp(text, prefix, pl))
		return 0;
	size_t n = 0;
	for (size_t i = pl; i < len && text[i] != '\n' && n + 1 < size; i++) {
		char c = text[i];
		if (c == '\\' && i + 1 < len && (text[i + 1] == 'n' || text[i + 1] == 'r' || text[i + 1] == 't')) {
			c = text[i + 1] == 'n' ? '\n' : text[i + 1] == 'r' ? '\r' : '\t';
			i++;
		}
		out[n++] = c;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\r'))
		n--;
	size_t lead = 0;
	while (lead < n && out[lead] == '\n')
		lead++;
	memmove(out, out + lead, n - lead);
	n -= lead;
	*line_start = lead > 0;
	out[n] = '\0';
	return n && !memchr(out, '\n', n) ? n : 0;
}

/* Atlas ends a statement at its delimiter wherever it stands outside quotes (lex.go stmt: the
 * delimiter takes precedence over comments); each one outside quotes and comments becomes ';'
 * and blanks in a copy of the text, so PostgreSQL's grammar reads the same statements at the
 * same positions. NULL when the file has no such delimiter. */
static char *read_delimiters(const char *text, size_t len)
{
	char delim[64];
	int line_start = 0;
	size_t dl = delimiter(text, len, delim, sizeof(delim), &line_start);
	if (!dl)
		return NULL;
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len + 1);
	const char *nl = memchr(text, '\n', len);
	char quote = 0;
	for (size_t i = nl ? (size_t)(nl - text) + 1 : len; i < len; i++) {
		char c = text[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (i + dl <= len && !memcmp(text + i, delim, dl) && (!line_start || text[i - 1] == '\n')) {
			copy[i] = ';';
			memset(copy + i + 1, ' ', dl - 1);
			i += dl - 1;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
			while (i < len && text[i] != '\n')
				i++;
		}
	}
	return copy;
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		if (!layout_ends_with(f, ".sql"))
			continue;
		char *path = path_join(dir, f);
		size_t len;
		char *text = layout_read_migration(path, &len, errors);
		if (!text) {
			free(path);
			continue;
		}
		const char *rest;
		size_t rl;
		enum lint_tx tx = LINT_TX_WRAPPED;
		if (layout_header_line(text, len, "-- atlas:txmode", &rest, &rl) >= 0) {
			while (rl && (*rest == ' ' || *rest == '\t'))
				rest++, rl--;
			if (rl >= 4 && !strncmp(rest, "none", 4))
				tx = LINT_TX_NONE;
		}
		char *delimited = read_delimiters(text, len);
		free(text);
		/* the version: up to the first '_' or the extension (migrate.Version) */
		size_t vl = strcspn(f, "_.");
		char *version = xstrndup(f, vl);
		const char *ns = f[vl] == '_' ? f + vl + 1 : f + vl;
		char *name = xstrndup(ns, strlen(ns) > 4 ? strlen(ns) - 4 : 0);
		struct migration *m = migration_set_add(set, version, name);
		migration_part_set(&m->up, path, tx);
		if (delimited)
			migration_part_text_in_place(&m->up, delimited, len);
		free(delimited);
		free(version);
		free(name);
	}
	/* the .sql files, in name order, as Atlas's LocalDir.Files lists them */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (layout_ends_with(names[i], ".sql"))
			names[k++] = names[i];
		else
			free(names[i]);
	names[k] = NULL;
	check_sum(dir, names, k, set);
	layout_list_free(names);
	return 0;
}

const struct framework_desc framework_atlas = {
	.name = "atlas",
	.detect_rank = 15,
	.detect = detect,
	.load = load,
	.duplicate_versions = "Atlas records revisions by version, so the second file is never run",
	.history = {
		.schema = "atlas_schema_revisions",
		.table = "atlas_schema_revisions",
		/* applied < total: the file failed part-way (error, error_stmt say where) */
		.columns = "version::text, NULL, NULL, NULL, type::text, applied < total, false, 0",
		.rest = " ORDER BY version",
		.failed_detail = "it failed part-way (applied < total statements): atlas migrate apply "
				 "refuses to go on until it is fixed (atlas migrate set, or resuming the file)",
	},
};
