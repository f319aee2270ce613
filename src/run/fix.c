/* Applying fixes: the edits of every fix taken are gathered per file, checked against each other
 * and against what may be touched, then each file is rewritten once (or diffed). */
#include "run/fix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Lines of context around a hunk, as diff -u and git write. */
enum { CONTEXT = 3 };

struct target {
	const char *path;
	char *text; /* the file as it is now (NULL for a file to create) */
	size_t len;
	const struct fix_edit **edits;
	size_t n, cap;
	const char *content; /* a file to create */
};

struct targets {
	struct target *items;
	size_t n, cap;
	struct strmap index; /* path -> 1 + index in items */
	struct strmap creators; /* the files whose fixes taken create files */
};

static struct target *target_find(struct targets *ts, const char *path)
{
	uintptr_t i = (uintptr_t)strmap_get(&ts->index, path);
	return i ? &ts->items[i - 1] : NULL;
}

static struct target *target_add(struct targets *ts, const char *path)
{
	XGROW(ts->items, ts->n + 1, ts->cap);
	struct target *t = &ts->items[ts->n++];
	memset(t, 0, sizeof(*t));
	t->path = path;
	strmap_put(&ts->index, path, (void *)(uintptr_t)ts->n);
	return t;
}

/* An existing file to edit, read on first use; NULL with error() when it cannot be read. */
static struct target *target_file(struct targets *ts, const char *path)
{
	struct target *t = target_find(ts, path);
	if (t)
		return t->content ? NULL : t;
	size_t len;
	char *text = file_read(path, &len);
	if (!text)
		return NULL;
	t = target_add(ts, path);
	t->text = text;
	t->len = len;
	return t;
}

/* Whether two edits touch the same text: shared bytes, an insertion inside the other's range,
 * or two insertions at one place (which text would come first is not the fixes' to say). */
static int overlap(const struct fix_edit *a, const struct fix_edit *b)
{
	uint32_t as = a->offset, ae = a->offset + a->length, bs = b->offset, be = b->offset + b->length;
	if (as == ae && bs == be)
		return as == bs;
	if (as == ae)
		return bs < as && as < be;
	if (bs == be)
		return as < bs && bs < ae;
	return as < be && bs < ae;
}

static int edit_cmp(const void *pa, const void *pb)
{
	const struct fix_edit *a = *(const struct fix_edit *const *)pa, *b = *(const struct fix_edit *const *)pb;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return (a->length > b->length) - (a->length < b->length);
}

/* Whether the fix can be taken whole given those taken before: every file it edits is allowed,
 * readable and long enough, no edit overlaps a taken one, no file it creates exists. */
static int fix_fits(struct targets *ts, const struct fix *fix, const char *base, const struct strmap *allowed)
{
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct fix_edit *e = &fix->edits[i];
		const char *path = e->path ? e->path : base;
		/* another file only as part of a fix of a migration that may be edited (the
		 * runner's file beside it: Flyway's .conf, Diesel's metadata.toml) */
		if (!strmap_has(allowed, path) && !(e->path && strmap_has(allowed, base)))
			return 0;
		struct target *t = target_file(ts, path);
		if (!t || (size_t)e->offset + e->length > t->len)
			return 0;
		for (size_t k = 0; k < t->n; k++)
			if (overlap(e, t->edits[k]))
				return 0;
	}
	for (size_t i = 0; i < fix->nfiles; i++) {
		struct stat st;
		if (target_find(ts, fix->files[i].path) || lstat(fix->files[i].path, &st) == 0 || errno != ENOENT)
			return 0;
	}
	/* one new migration per migration: a second one would take the same version (the next
	 * pass finds that version taken, and the finding is left without its fix) */
	if (fix->nfiles && strmap_has(&ts->creators, base))
		return 0;
	return 1;
}

/* The file's text with its edits made. */
static void apply_edits(const struct target *t, struct strbuf *out)
{
	size_t at = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct fix_edit *e = t->edits[i];
		strbuf_add(out, t->text + at, e->offset - at);
		strbuf_addstr(out, e->text);
		at = (size_t)e->offset + e->length;
	}
	strbuf_add(out, t->text + at, t->len - at);
}

/* ---- the unified diff ---- */

static size_t line_start(const char *s, size_t at)
{
	while (at > 0 && s[at - 1] != '\n')
		at--;
	return at;
}

static size_t line_end(const char *s, size_t len, size_t at)
{
	while (at < len && s[at] != '\n')
		at++;
	return at < len ? at + 1 : at;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines + (n > 0 && s[n - 1] != '\n');
}

/* Each line of s[0..n) after the prefix character, with diff's marker for a last line without
 * its newline. */
static void diff_lines(FILE *out, char prefix, const char *s, size_t n)
{
	size_t at = 0;
	while (at < n) {
		size_t end = line_end(s, n, at);
		fputc(prefix, out);
		fwrite(s + at, 1, end - at, out);
		if (s[end - 1] != '\n')
			fputs("\n\\ No newline at end of file\n", out);
		at = end;
	}
}

/* Back and forward by up to CONTEXT lines from a line boundary. */
static size_t context_before(const char *s, size_t at)
{
	for (int i = 0; i < CONTEXT && at > 0; i++)
		at = line_start(s, at - 1);
	return at;
}

static size_t context_after(const char *s, size_t len, size_t at)
{
	for (int i = 0; i < CONTEXT && at < len; i++)
		at = line_end(s, len, at);
	return at;
}

/* The end of the old lines an edit changes: the end of the line its last byte is on, or, for
 * whole lines replaced or lines inserted at a line start, where it ends. */
static size_t edit_to(const struct target *t, const struct fix_edit *e)
{
	size_t end = (size_t)e->offset + e->length;
	if (e->length && t->text[end - 1] == '\n')
		return end;
	size_t n = strlen(e->text);
	if (!e->length && line_start(t->text, e->offset) == e->offset && n && e->text[n - 1] == '\n')
		return end;
	return line_end(t->text, t->len, end);
}

static void diff_path(FILE *out, const char *sign, const char *side, const char *path)
{
	fprintf(out, "%s %s%s\n", sign, path[0] == '/' ? "" : side, path);
}

/* The edits of t as a unified diff: the lines each edit touches, edits whose context meets in
 * one hunk. */
static void diff_target(FILE *out, const struct target *t)
{
	if (t->content) {
		size_t n = strlen(t->content);
		fputs("--- /dev/null\n", out);
		diff_path(out, "+++", "b/", t->path);
		fprintf(out, "@@ -0,0 +1,%zu @@\n", count_lines(t->content, n));
		diff_lines(out, '+', t->content, n);
		return;
	}
	diff_path(out, "---", "a/", t->path);
	diff_path(out, "+++", "b/", t->path);
	long delta = 0; /* new lines minus old lines in the hunks before */
	size_t i = 0;
	while (i < t->n) {
		/* the hunk: edits i..k-1, whose changed lines are within 2 * CONTEXT of each other */
		size_t from = line_start(t->text, t->edits[i]->offset);
		size_t to = edit_to(t, t->edits[i]);
		size_t k = i + 1;
		while (k < t->n) {
			size_t next = line_start(t->text, t->edits[k]->offset);
			if (next > context_after(t->text, t->len, context_after(t->text, t->len, to)))
				break;
			size_t end = edit_to(t, t->edits[k]);
			if (end > to)
				to = end;
			k++;
		}
		struct strbuf repl = STRBUF_INIT;
		size_t at = from;
		for (size_t j = i; j < k; j++) {
			strbuf_add(&repl, t->text + at, t->edits[j]->offset - at);
			strbuf_addstr(&repl, t->edits[j]->text);
			at = (size_t)t->edits[j]->offset + t->edits[j]->length;
		}
		strbuf_add(&repl, t->text + at, to - at);
		size_t before = context_before(t->text, from), after = context_after(t->text, t->len, to);
		size_t old_start = count_lines(t->text, before) + 1; /* before is a line start */
		size_t old_n = count_lines(t->text + before, after - before);
		size_t new_n = count_lines(t->text + before, from - before) + count_lines(repl.buf ? repl.buf : "", repl.len) +
			       count_lines(t->text + to, after - to);
		/* a hunk of no old line starts after line old_start - 1, as diff writes it */
		fprintf(out, "@@ -%zu,%zu +%ld,%zu @@\n", old_n ? old_start : old_start - 1, old_n,
			(long)(new_n ? old_start : old_start - 1) + delta, new_n);
		diff_lines(out, ' ', t->text + before, from - before);
		diff_lines(out, '-', t->text + from, to - from);
		diff_lines(out, '+', repl.buf ? repl.buf : "", repl.len);
		diff_lines(out, ' ', t->text + to, after - to);
		delta += (long)new_n - (long)old_n;
		strbuf_release(&repl);
		i = k;
	}
}

/* ---- writing ---- */

/* path replaced by text through a temporary file beside it, keeping the file's mode; a new
 * file (create) is linked into place, so that a file appearing meanwhile is not overwritten. */
static int write_file(const char *path, const char *text, size_t len, int create)
{
	struct stat st;
	mode_t mode;
	if (create) {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	} else if (stat(path, &st) != 0) {
		return error("cannot write '%s': %s", path, strerror(errno));
	} else {
		mode = st.st_mode & 07777;
	}
	/* a new migration may be a directory of its own (Diesel's <version>_name/) */
	const char *slash = strrchr(path, '/');
	if (create && slash && slash != path) {
		char *dir = xstrndup(path, (size_t)(slash - path));
		int made = mkdir(dir, 0777) == 0 || errno == EEXIST;
		int saved = errno;
		free(dir);
		if (!made)
			return error("cannot write '%s': %s", path, strerror(saved));
	}
	char *tmp = xasprintf("%s.pgsieve-fix.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int rc = error("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	int failed = fchmod(fd, mode) != 0;
	for (size_t done = 0; !failed && done < len;) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			failed = 1;
		else
			done += (size_t)w;
	}
	if (!failed && fsync(fd) != 0 && errno != EINVAL)
		failed = 1;
	if (close(fd) != 0)
		failed = 1;
	if (!failed) {
		if (create)
			failed = link(tmp, path) != 0;
		else
			failed = rename(tmp, path) != 0;
	}
	int saved = errno;
	if (create || failed)
		unlink(tmp);
	free(tmp);
	if (failed)
		return error("cannot write '%s': %s", path, strerror(saved));
	return 0;
}

int fix_apply(const struct lint_run *run, const struct strmap *allowed, int dry_run, FILE *diff_out,
	      struct strmap *created, struct fix_outcome *out)
{
	memset(out, 0, sizeof(*out));
	struct targets ts = { NULL, 0, 0, STRMAP_INIT, STRMAP_INIT };
	int rc = 0;
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		if (!f->fix)
			continue;
		const char *base = run->files[f->file].path;
		if (!fix_fits(&ts, f->fix, base, allowed)) {
			out->skipped++;
			continue;
		}
		for (size_t k = 0; k < f->fix->nedits; k++) {
			const struct fix_edit *e = &f->fix->edits[k];
			struct target *t = target_find(&ts, e->path ? e->path : base);
			XGROW(t->edits, t->n + 1, t->cap);
			t->edits[t->n++] = e;
		}
		for (size_t k = 0; k < f->fix->nfiles; k++)
			target_add(&ts, f->fix->files[k].path)->content = f->fix->files[k].content;
		if (f->fix->nfiles)
			strmap_put(&ts.creators, base, NULL);
		out->fixes++;
	}
	for (size_t i = 0; i < ts.n && rc == 0; i++) {
		struct target *t = &ts.items[i];
		if (!t->content && !t->n)
			continue; /* read for a fix that was not taken */
		if (t->n) /* a file to create has no edits (and no array) */
			qsort(t->edits, t->n, sizeof(*t->edits), edit_cmp);
		if (t->content)
			out->files_created++;
		else
			out->files_changed++;
		if (dry_run) {
			diff_target(diff_out, t);
			continue;
		}
		if (t->content) {
			rc = write_file(t->path, t->content, strlen(t->content), 1);
			if (rc == 0 && created)
				strmap_put(created, t->path, NULL);
		} else {
			struct strbuf sb = STRBUF_INIT;
			apply_edits(t, &sb);
			rc = write_file(t->path, sb.buf ? sb.buf : "", sb.len, 0);
			strbuf_release(&sb);
		}
	}
	for (size_t i = 0; i < ts.n; i++) {
		free(ts.items[i].text);
		free(ts.items[i].edits);
	}
	free(ts.items);
	strmap_release(&ts.index);
	strmap_release(&ts.creators);
	return rc;
}
