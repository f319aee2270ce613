/* .pgsieve.yml, read with libyaml's document API, and the --select/--ignore lists.
 *
 * A file is checked completely into a staging area before any option changes, so a bad file
 * leaves the options as they were. Select, ignore and the `rules:` map are not folded into
 * lint_options.severities directly: they are recorded per rule (rule_settings) and the
 * severities recomputed, because the command line must be able to replace the file's select
 * list and re-enable a rule the file switched off. */
#include "lint/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "discover/migrations.h"
#include "lint/registry.h"
#include "util/error.h"
#include "util/spell.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Per rule, in lint_options.rule_settings: the file's `rules:` severity (two bits and a
 * "given" bit), and who selected or ignored it. */
enum {
	SET_SEVERITY_MASK = 0x03,
	SET_SEVERITY_GIVEN = 0x04,
	SET_FILE_SELECT = 0x08,
	SET_FILE_IGNORE = 0x10,
	SET_CLI_SELECT = 0x20,
	SET_CLI_IGNORE = 0x40,
};

/* lint_options.select_given */
enum { GIVEN_FILE = 1, GIVEN_CLI = 2 };

/* Config files are a few lines; anything this large is not one. */
enum { CONFIG_MAX_BYTES = 1 << 20 };

static const char *const config_names[] = { ".pgsieve.yml", ".pgsieve.yaml" };

/* ---- rule settings -> severities ---- */

static unsigned char *rule_settings(struct lint_options *o)
{
	if (!o->rule_settings)
		o->rule_settings = xcalloc(rule_count ? rule_count : 1, 1);
	return o->rule_settings;
}

/* Rules that report broken input: select does not switch them off, only ignore does, because a
 * file that does not parse is never clean. */
static int reports_broken_input(size_t i)
{
	return rule_registry[i] == &rule_syntax_error || rule_registry[i] == &rule_invalid_input ||
	       rule_registry[i] == &rule_not_analysed;
}

static void recompute_severities(struct lint_options *o)
{
	const unsigned char *set = rule_settings(o);
	for (size_t i = 0; i < rule_count; i++) {
		unsigned s = set[i];
		enum severity dflt = rule_registry[i]->severity, base = dflt, sev;
		if (s & SET_SEVERITY_GIVEN)
			base = (enum severity)(s & SET_SEVERITY_MASK);
		if (s & SET_CLI_IGNORE) {
			sev = SEVERITY_OFF;
		} else if (o->select_given & GIVEN_CLI) {
			/* Naming a rule on the command line runs it even when the file switched it
			 * off; the file's severity for it still applies when it has one. */
			if (s & SET_CLI_SELECT)
				sev = base != SEVERITY_OFF ? base : dflt;
			else if (reports_broken_input(i) && !(s & SET_FILE_IGNORE))
				sev = base;
			else
				sev = SEVERITY_OFF;
		} else if (s & SET_FILE_IGNORE) {
			sev = SEVERITY_OFF;
		} else if ((o->select_given & GIVEN_FILE) && !(s & SET_FILE_SELECT) &&
			   !reports_broken_input(i)) {
			sev = SEVERITY_OFF;
		} else {
			sev = base;
		}
		o->severities[i] = sev;
	}
}

/* ---- suggestions for misspelt names ---- */


/* The closest of names[] to word when it is close enough to be a typo, else NULL. */
static const char *closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, limit = strlen(word) / 3 + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < best_d)
			best = names[i], best_d = d;
	}
	return best_d <= limit ? best : NULL;
}

static const char *closest_rule(const char *word)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, limit = strlen(word) / 3 + 1;
	for (size_t i = 0; i < rule_count; i++) {
		size_t d = edit_distance(word, rule_registry[i]->id);
		if (d < best_d)
			best = rule_registry[i]->id, best_d = d;
	}
	return best_d <= limit ? best : NULL;
}

/* "; did you mean 'x'?" or "" */
static char *did_you_mean(const char *suggestion)
{
	return suggestion ? xasprintf("; did you mean '%s'?", suggestion) : xstrdup("");
}

/* The end of an unknown-rule message: where the list is, and the likely intended id. */
static char *rule_hint(const char *id)
{
	const char *near = closest_rule(id);
	if (near)
		return xasprintf("; 'pgsieve rules' lists them (did you mean '%s'?)", near);
	return xstrdup("; 'pgsieve rules' lists them");
}

/* ---- the command line ---- */

/* Marks the rules of a comma-separated list with `flag`, replacing the previous command-line
 * list of that kind. Checks every id before changing anything. */
static int apply_cli_list(struct lint_options *o, const char *list, const char *option, unsigned flag)
{
	unsigned char *set = rule_settings(o);
	unsigned char *mark = xcalloc(rule_count ? rule_count : 1, 1);
	size_t named = 0;
	const char *p = list;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == s)
			continue;
		char *id = xstrndup(s, (size_t)(e - s));
		const struct rule *r = rule_find(id);
		if (!r) {
			char *hint = rule_hint(id);
			error("unknown rule '%s' in %s%s", id, option, hint);
			free(hint);
			free(id);
			free(mark);
			return -1;
		}
		free(id);
		mark[rule_index(r)] = 1;
		named++;
	}
	if (!named) {
		free(mark);
		return error("%s needs at least one rule id (comma-separated)", option);
	}
	for (size_t i = 0; i < rule_count; i++)
		set[i] = (unsigned char)(mark[i] ? set[i] | flag : set[i] & ~flag);
	free(mark);
	if (flag == SET_CLI_SELECT)
		o->select_given |= GIVEN_CLI;
	recompute_severities(o);
	return 0;
}

int config_select(struct lint_options *o, const char *list)
{
	return apply_cli_list(o, list, "--select", SET_CLI_SELECT);
}

int config_ignore(struct lint_options *o, const char *list)
{
	return apply_cli_list(o, list, "--ignore", SET_CLI_IGNORE);
}

/* ---- finding the file ---- */

static int path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* The directory part of a path as written: "a/b.sql" -> "a", "b.sql" -> ".", "/b" -> "/". */
static char *parent_of(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return xstrdup(".");
	while (n > 1 && path[n - 1] == '/')
		n--;
	return xstrndup(path, n);
}

/* The found path relative to the working directory when it lies below it, so messages show
 * the short path people typed; absolute otherwise. */
static char *shorten(char *abs)
{
	char *cwd = realpath(".", NULL);
	if (!cwd)
		return abs;
	size_t n = strlen(cwd);
	const char *rest = NULL;
	if (n == 1 && cwd[0] == '/')
		rest = abs + 1;
	else if (!strncmp(abs, cwd, n) && abs[n] == '/')
		rest = abs + n + 1;
	free(cwd);
	if (!rest || !*rest)
		return abs;
	char *rel = xstrdup(rest);
	free(abs);
	return rel;
}

char *config_find(const char *start)
{
	struct stat st;
	char *dir = stat(start, &st) == 0 && S_ISDIR(st.st_mode) ? xstrdup(start) : parent_of(start);
	/* Walk the real directories: a relative path has no parents to strip lexically, and ".."
	 * after a symlink means the physical parent anyway. */
	char *abs = realpath(dir, NULL);
	free(dir);
	if (!abs)
		return NULL;
	for (;;) {
		for (size_t i = 0; i < sizeof(config_names) / sizeof(config_names[0]); i++) {
			char *candidate = join_path(abs, config_names[i]);
			if (path_exists(candidate)) {
				free(abs);
				return shorten(candidate);
			}
			free(candidate);
		}
		char *git = join_path(abs, ".git"); /* a directory, or a file in worktrees */
		int at_root = path_exists(git);
		free(git);
		char *slash = strrchr(abs, '/');
		if (at_root || !slash || (slash == abs && !abs[1]))
			break;
		if (slash == abs)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(abs);
	return NULL;
}

int config_find_common(char *const *paths, size_t n, const char *stdin_name, char **out)
{
	*out = NULL;
	const char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *start = paths[i];
		if (!strcmp(start, "-"))
			start = stdin_name ? stdin_name : ".";
		char *found = config_find(start);
		if (i == 0) {
			*out = found;
			first = paths[i];
			continue;
		}
		int same = found && *out ? !strcmp(found, *out) : found == *out;
		if (!same) {
			/* One run has one set of options: linting these together would apply one
			 * directory's settings to the other's migrations. */
			error("'%s' and '%s' have different configuration files (%s, %s): lint them in "
			      "separate runs, or choose one with --config or none with --no-config",
			      first, paths[i], *out ? *out : "none", found ? found : "none");
			free(found);
			free(*out);
			*out = NULL;
			return -1;
		}
		free(found);
	}
	return 0;
}

/* ---- reading the file ---- */

struct staged {
	int pg_version;          /* 0: not given */
	int assume_tx, lock_timeout, statement_timeout; /* -1: not given */
	int require_down, irreversible_ok;                /* -1: not given */
	int fail_on;             /* -1: not given */
	int has_select, has_ignore, has_rules, has_exclude, has_dims;
	unsigned char *select, *ignore; /* per rule index */
	signed char *severity;   /* per rule index; -1: not set */
	char **exclude;
	size_t n_exclude, cap_exclude;
	int *dims;
	size_t n_dims, cap_dims;
	char *framework;
	long long small_rows, small_bytes; /* -1: not given */
	char *alembic_name, *alembic_config, *alembic_python;
	int no_python;           /* -1: not given */
	int atlas_tx_mode;       /* -1: not given */
};

struct loader {
	const char *path;
	yaml_document_t *doc;
	struct staged *st;
};

static size_t node_line(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

static int fail(const struct loader *ld, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct loader *ld, const yaml_node_t *at, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error("%s:%zu: %s", ld->path, node_line(at), msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* A plain `~`, `null` or nothing at all: a key written with no value. */
static int is_null(const yaml_node_t *n)
{
	if (!is_plain(n))
		return 0;
	const char *s = scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	default: return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? "a plain value" : "a quoted string";
	}
}

/* For messages: how the value was written, shortened. */
static char *shown(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return xstrdup(kind_name(n));
	const char *s = scalar(n);
	const char *quoted = is_plain(n) ? "" : "the quoted string ";
	if (strlen(s) > 40)
		return xasprintf("%s'%.40s...'", quoted, s);
	return xasprintf("%s'%s'", quoted, s);
}

static int want_bool(const struct loader *ld, const char *key, const yaml_node_t *v, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False", "FALSE" };
	if (is_plain(v)) {
		for (int i = 0; i < 3; i++) {
			if (!strcmp(scalar(v), yes[i]))
				return *out = 1, 0;
			if (!strcmp(scalar(v), no[i]))
				return *out = 0, 0;
		}
	}
	char *what = shown(v);
	int r = fail(ld, v, "'%s' takes true or false, not %s", key, what);
	free(what);
	return r;
}

/* A plain decimal number in [min, max]. */
static int want_int(const yaml_node_t *v, long min, long max, long *out)
{
	if (!is_plain(v))
		return -1;
	const char *s = scalar(v);
	if (*s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Severity words a setting takes: `rules:` values allow off, fail-on allows never. */
static int severity_word(const yaml_node_t *v, const char *off_word, enum severity *out)
{
	if (v->type != YAML_SCALAR_NODE)
		return -1;
	const char *s = scalar(v);
	if (!strcmp(s, off_word)) {
		*out = SEVERITY_OFF;
		return 0;
	}
	if (!strcmp(s, "error") || !strcmp(s, "warning") || !strcmp(s, "info"))
		return severity_parse(s, out);
	return -1;
}

static const struct rule *want_rule(const struct loader *ld, const char *key, const yaml_node_t *v)
{
	if (v->type != YAML_SCALAR_NODE || is_null(v)) {
		char *what = shown(v);
		fail(ld, v, "'%s' takes rule ids, not %s", key, what);
		free(what);
		return NULL;
	}
	const struct rule *r = rule_find(scalar(v));
	if (!r) {
		char *hint = rule_hint(scalar(v));
		fail(ld, v, "'%s' names unknown rule '%s'%s", key, scalar(v), hint);
		free(hint);
	}
	return r;
}

static int want_list(const struct loader *ld, const char *key, const yaml_node_t *v, const char *of)
{
	if (v->type == YAML_SEQUENCE_NODE)
		return 0;
	char *what = shown(v);
	int r = fail(ld, v, "'%s' takes a list of %s, such as [a, b], not %s", key, of, what);
	free(what);
	return r;
}

static int load_rule_list(const struct loader *ld, const char *key, const yaml_node_t *v, unsigned char *into)
{
	if (want_list(ld, key, v, "rule ids") != 0)
		return -1;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const struct rule *r = want_rule(ld, key, yaml_document_get_node(ld->doc, *it));
		if (!r)
			return -1;
		into[rule_index(r)] = 1;
	}
	return 0;
}

static int load_rules_map(const struct loader *ld, const char *key, const yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE) {
		char *what = shown(v);
		int r = fail(ld, v, "'%s' takes a mapping of rule ids to error, warning, info or off, not %s",
			     key, what);
		free(what);
		return r;
	}
	/* line of each rule's first setting, to name both places of a duplicate */
	size_t *seen = xcalloc(rule_count ? rule_count : 1, sizeof(*seen));
	int status = 0;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *val = yaml_document_get_node(ld->doc, p->value);
		const struct rule *r = want_rule(ld, key, k);
		if (!r) {
			status = -1;
			break;
		}
		size_t i = rule_index(r);
		if (seen[i]) {
			status = fail(ld, k, "'%s' sets '%s' twice (first on line %zu)", key, r->id, seen[i]);
			break;
		}
		seen[i] = node_line(k);
		enum severity sev;
		if (severity_word(val, "off", &sev) != 0) {
			char *what = shown(val);
			status = fail(ld, val, "'%s': '%s' takes error, warning, info or off, not %s", key,
				      r->id, what);
			free(what);
			break;
		}
		ld->st->severity[i] = (signed char)sev;
	}
	free(seen);
	return status;
}

static int load_exclude(const struct loader *ld, const char *key, const yaml_node_t *v)
{
	if (want_list(ld, key, v, "glob patterns") != 0)
		return -1;
	struct staged *st = ld->st;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *n = yaml_document_get_node(ld->doc, *it);
		if (n->type != YAML_SCALAR_NODE || is_null(n)) {
			char *what = shown(n);
			int r = fail(ld, n, "'%s' takes glob patterns (strings), not %s", key, what);
			free(what);
			return r;
		}
		XGROW(st->exclude, st->n_exclude + 1, st->cap_exclude);
		st->exclude[st->n_exclude++] = xstrdup(scalar(n));
	}
	return 0;
}

static int load_dims(const struct loader *ld, const char *key, const yaml_node_t *v)
{
	if (want_list(ld, key, v, "vector sizes") != 0)
		return -1;
	struct staged *st = ld->st;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *n = yaml_document_get_node(ld->doc, *it);
		long d;
		if (want_int(n, 1, INT_MAX, &d) != 0) {
			char *what = shown(n);
			int r = fail(ld, n, "'%s' takes positive whole numbers (vector sizes), not %s", key, what);
			free(what);
			return r;
		}
		XGROW(st->dims, st->n_dims + 1, st->cap_dims);
		st->dims[st->n_dims++] = (int)d;
	}
	return 0;
}

static int load_framework(const struct loader *ld, const char *key, const yaml_node_t *v)
{
	enum framework fw;
	if (v->type == YAML_SCALAR_NODE && framework_parse(scalar(v), &fw) == 0) {
		ld->st->framework = xstrdup(framework_name(fw));
		return 0;
	}
	/* the names come from the runners' list (discover/frameworks/frameworks.def) */
	const char *names[FW_COUNT];
	for (int i = 0; i < FW_COUNT; i++)
		names[i] = framework_name((enum framework)i);
	char *known = framework_name_list(", ");
	char *what = shown(v);
	char *hint = did_you_mean(v->type == YAML_SCALAR_NODE ? closest(scalar(v), names, FW_COUNT) : NULL);
	int r = fail(ld, v, "'%s' takes one of %s, not %s%s", key, known, what, hint);
	free(hint);
	free(what);
	free(known);
	return r;
}

/* The Alembic settings: a name (an ini section), or a path read from the configuration file's
 * directory (alembic-config: an ini file; alembic-python: an interpreter, or a command name
 * without a slash, looked up in PATH when it runs). */
static int load_alembic_string(const struct loader *ld, const char *key, const yaml_node_t *v, char **out)
{
	if (v->type != YAML_SCALAR_NODE || !*scalar(v) || strchr(scalar(v), '\n')) {
		char *what = shown(v);
		int r = fail(ld, v, "'%s' takes %s, not %s", key,
			     !strcmp(key, "alembic-name") ? "the name of a section of alembic.ini (alembic -n NAME)"
			     : !strcmp(key, "alembic-config") ? "the path of an Alembic ini file"
							    : "the path or command name of a Python interpreter",
			     what);
		free(what);
		return r;
	}
	const char *s = scalar(v);
	if (!strcmp(key, "alembic-name") || (!strcmp(key, "alembic-python") && !strchr(s, '/'))) {
		free(*out);
		*out = xstrdup(s);
		return 0;
	}
	char *dir = parent_of(ld->path);
	char *path = s[0] == '/' || !strcmp(dir, ".") ? xstrdup(s) : join_path(dir, s);
	free(dir);
	struct stat st;
	int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (ok && !strcmp(key, "alembic-python"))
		ok = access(path, X_OK) == 0;
	if (!ok) {
		int r = fail(ld, v, "'%s' names '%s', which is not %s", key, path,
			     !strcmp(key, "alembic-python") ? "an executable file" : "a file");
		free(path);
		return r;
	}
	free(*out);
	*out = path;
	return 0;
}

/* small-table-rows takes a whole number; small-table-bytes one with an optional unit as
 * PostgreSQL writes sizes (kB, MB, GB, TB: powers of 1024), "10MB" or "10 MB". */
static int load_size(const struct loader *ld, const char *key, const yaml_node_t *v, int units, long long *out)
{
	static const struct {
		const char *unit;
		long long factor;
	} unit_list[] = { { "", 1 }, { "B", 1 }, { "kB", 1024 }, { "MB", 1024LL * 1024 },
			  { "GB", 1024LL * 1024 * 1024 }, { "TB", 1024LL * 1024 * 1024 * 1024 } };
	const char *s = v->type == YAML_SCALAR_NODE ? scalar(v) : "";
	char *end;
	errno = 0;
	long long n = *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	if (n >= 0 && !errno) {
		while (*end == ' ')
			end++;
		for (size_t i = 0; i < sizeof(unit_list) / sizeof(unit_list[0]); i++) {
			if (strcmp(end, unit_list[i].unit) || (!units && *end))
				continue;
			if (n > LLONG_MAX / unit_list[i].factor)
				break;
			*out = n * unit_list[i].factor;
			return 0;
		}
	}
	char *what = shown(v);
	int r = fail(ld, v, "'%s' takes %s, not %s", key,
		     units ? "a size in bytes, optionally with a unit (512kB, 10MB, 1GB)" : "a whole number of rows", what);
	free(what);
	return r;
}

enum key_id {
	KEY_PG_VERSION, KEY_ASSUME_TX, KEY_SELECT, KEY_IGNORE, KEY_RULES, KEY_EXCLUDE, KEY_FAIL_ON,
	KEY_LOCK_TIMEOUT, KEY_STATEMENT_TIMEOUT, KEY_VECTOR_DIMS, KEY_FRAMEWORK, KEY_REQUIRE_DOWN,
	KEY_IRREVERSIBLE_OK, KEY_SMALL_ROWS, KEY_SMALL_BYTES, KEY_ALEMBIC_NAME, KEY_ALEMBIC_CONFIG,
	KEY_ALEMBIC_PYTHON, KEY_NO_PYTHON, KEY_ATLAS_TX_MODE, KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_PG_VERSION] = "pg-version",
	[KEY_ASSUME_TX] = "assume-in-transaction",
	[KEY_SELECT] = "select",
	[KEY_IGNORE] = "ignore",
	[KEY_RULES] = "rules",
	[KEY_EXCLUDE] = "exclude",
	[KEY_FAIL_ON] = "fail-on",
	[KEY_LOCK_TIMEOUT] = "lock-timeout-set-by-runner",
	[KEY_STATEMENT_TIMEOUT] = "statement-timeout-set-by-runner",
	[KEY_VECTOR_DIMS] = "vector-dimensions",
	[KEY_FRAMEWORK] = "framework",
	[KEY_REQUIRE_DOWN] = "require-down",
	[KEY_IRREVERSIBLE_OK] = "irreversible-marker-ok",
	[KEY_SMALL_ROWS] = "small-table-rows",
	[KEY_SMALL_BYTES] = "small-table-bytes",
	[KEY_ALEMBIC_NAME] = "alembic-name",
	[KEY_ALEMBIC_CONFIG] = "alembic-config",
	[KEY_ALEMBIC_PYTHON] = "alembic-python",
	[KEY_NO_PYTHON] = "no-python",
	[KEY_ATLAS_TX_MODE] = "atlas-tx-mode",
};

static int load_value(const struct loader *ld, enum key_id key, const yaml_node_t *v)
{
	struct staged *st = ld->st;
	const char *name = key_names[key];
	if (is_null(v))
		return fail(ld, v, "'%s' has no value", name);
	switch (key) {
	case KEY_PG_VERSION: {
		long n;
		if (want_int(v, PG_VERSION_MIN, PG_VERSION_MAX, &n) != 0) {
			char *what = shown(v);
			int r = fail(ld, v, "'%s' takes a major version from %d to %d (such as %d), not %s",
				     name, PG_VERSION_MIN, PG_VERSION_MAX, PG_VERSION_DEFAULT, what);
			free(what);
			return r;
		}
		st->pg_version = (int)n;
		return 0;
	}
	case KEY_ASSUME_TX:
		return want_bool(ld, name, v, &st->assume_tx);
	case KEY_LOCK_TIMEOUT:
		return want_bool(ld, name, v, &st->lock_timeout);
	case KEY_STATEMENT_TIMEOUT:
		return want_bool(ld, name, v, &st->statement_timeout);
	case KEY_REQUIRE_DOWN:
		return want_bool(ld, name, v, &st->require_down);
	case KEY_IRREVERSIBLE_OK:
		return want_bool(ld, name, v, &st->irreversible_ok);
	case KEY_SELECT:
		st->has_select = 1;
		return load_rule_list(ld, name, v, st->select);
	case KEY_IGNORE:
		st->has_ignore = 1;
		return load_rule_list(ld, name, v, st->ignore);
	case KEY_RULES:
		st->has_rules = 1;
		return load_rules_map(ld, name, v);
	case KEY_EXCLUDE:
		st->has_exclude = 1;
		return load_exclude(ld, name, v);
	case KEY_VECTOR_DIMS:
		st->has_dims = 1;
		return load_dims(ld, name, v);
	case KEY_FAIL_ON: {
		enum severity sev;
		if (severity_word(v, "never", &sev) != 0) {
			char *what = shown(v);
			int r = fail(ld, v, "'%s' takes error, warning, info or never, not %s", name, what);
			free(what);
			return r;
		}
		st->fail_on = (int)sev;
		return 0;
	}
	case KEY_FRAMEWORK:
		return load_framework(ld, name, v);
	case KEY_SMALL_ROWS:
	case KEY_SMALL_BYTES:
		return load_size(ld, name, v, key == KEY_SMALL_BYTES,
				 key == KEY_SMALL_BYTES ? &st->small_bytes : &st->small_rows);
	case KEY_ALEMBIC_NAME:
		return load_alembic_string(ld, name, v, &st->alembic_name);
	case KEY_ALEMBIC_CONFIG:
		return load_alembic_string(ld, name, v, &st->alembic_config);
	case KEY_ALEMBIC_PYTHON:
		return load_alembic_string(ld, name, v, &st->alembic_python);
	case KEY_NO_PYTHON:
		return want_bool(ld, name, v, &st->no_python);
	case KEY_ATLAS_TX_MODE: {
		static const char *const modes[] = { [ATLAS_TX_FILE] = "file", [ATLAS_TX_ALL] = "all",
						     [ATLAS_TX_NONE] = "none" };
		for (int i = 0; v->type == YAML_SCALAR_NODE && i < 3; i++)
			if (!strcmp(scalar(v), modes[i])) {
				st->atlas_tx_mode = i;
				return 0;
			}
		char *what = shown(v);
		int r = fail(ld, v, "'%s' takes file, all or none (atlas migrate apply --tx-mode), not %s", name, what);
		free(what);
		return r;
	}
	case KEY_COUNT:
		break;
	}
	return 0;
}

static int load_root(const struct loader *ld, const yaml_node_t *root)
{
	if (is_null(root))
		return 0; /* a file holding only `~` or comments: no settings */
	if (root->type != YAML_MAPPING_NODE) {
		char *what = shown(root);
		int r = fail(ld, root, "the configuration must be a mapping of keys to values (key: value), not %s",
			     what);
		free(what);
		return r;
	}
	size_t seen[KEY_COUNT] = { 0 };
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return fail(ld, k, "keys must be names, not %s", kind_name(k));
		int key = -1;
		for (int i = 0; i < KEY_COUNT; i++)
			if (!strcmp(scalar(k), key_names[i]))
				key = i;
		if (key < 0) {
			char *hint = did_you_mean(closest(scalar(k), key_names, KEY_COUNT));
			struct strbuf known = STRBUF_INIT;
			if (!*hint)
				for (int i = 0; i < KEY_COUNT; i++)
					strbuf_addf(&known, "%s%s", i ? ", " : "; the keys are ", key_names[i]);
			int r = fail(ld, k, "unknown key '%s'%s%s", scalar(k), hint, strbuf_str(&known));
			strbuf_release(&known);
			free(hint);
			return r;
		}
		if (seen[key])
			return fail(ld, k, "'%s' is set twice (first on line %zu)", key_names[key], seen[key]);
		seen[key] = node_line(k);
		if (load_value(ld, (enum key_id)key, v) != 0)
			return -1;
	}
	return 0;
}

/* libyaml marks are 0-based; reader errors (bad encoding) carry only a byte offset. */
static size_t line_at(const char *text, size_t len, size_t offset)
{
	size_t line = 1;
	for (size_t i = 0; i < offset && i < len; i++)
		line += text[i] == '\n';
	return line;
}

/* libyaml builds a document of any depth, and took 25 s on 100,000 nested flow brackets before
 * the loader could say the key is unknown: a configuration is a mapping of lists and scalars,
 * so flow nesting deeper than this is refused before libyaml sees it. */
enum { CONFIG_MAX_DEPTH = 64 };

/* The first place where [ and { (outside quotes and comments) nest deeper than
 * CONFIG_MAX_DEPTH, or len when they never do. */
static size_t too_deep_at(const char *text, size_t len)
{
	size_t depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '\'' || c == '"') {
			for (i++; i < len && text[i] != c; i++)
				if (c == '"' && text[i] == '\\')
					i++;
		} else if (c == '[' || c == '{') {
			if (++depth > CONFIG_MAX_DEPTH)
				return i;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return len;
}

static int yaml_failure(const char *path, const yaml_parser_t *p, const char *text, size_t len)
{
	size_t line = p->error == YAML_READER_ERROR ? line_at(text, len, p->problem_offset)
						    : p->problem_mark.line + 1;
	const char *problem = p->problem ? p->problem : "cannot be parsed";
	if (p->context && p->context_mark.line + 1 != line)
		return error("%s:%zu: invalid YAML: %s (%s, line %zu)", path, line, problem, p->context,
			     p->context_mark.line + 1);
	return error("%s:%zu: invalid YAML: %s", path, line, problem);
}

static char *read_config(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		error("cannot read configuration file '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		strbuf_add(&sb, chunk, n);
		if (sb.len > CONFIG_MAX_BYTES) {
			fclose(f);
			strbuf_release(&sb);
			error("configuration file '%s' is larger than %d bytes: not a configuration file", path,
			      CONFIG_MAX_BYTES);
			return NULL;
		}
	}
	if (ferror(f)) {
		error("cannot read configuration file '%s': %s", path, strerror(errno));
		fclose(f);
		strbuf_release(&sb);
		return NULL;
	}
	fclose(f);
	*len = sb.len;
	if (!sb.buf)
		return xstrdup("");
	return strbuf_detach(&sb);
}

/* .pgsieve.yml and .pgsieve.yaml side by side: which one is meant is a guess, so say so. */
static int check_ambiguous(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(base, config_names[i]))
			continue;
		char *dir = parent_of(path);
		char *other = join_path(dir, config_names[1 - i]);
		int both = path_exists(other);
		free(other);
		free(dir);
		if (both)
			return error("%s: both %s and %s exist in that directory; keep one", path,
				     config_names[0], config_names[1]);
	}
	return 0;
}

static void staged_release(struct staged *st)
{
	free(st->select);
	free(st->ignore);
	free(st->severity);
	for (size_t i = 0; i < st->n_exclude; i++)
		free(st->exclude[i]);
	free(st->exclude);
	free(st->dims);
	free(st->framework);
	free(st->alembic_name);
	free(st->alembic_config);
	free(st->alembic_python);
}

static void commit(struct staged *st, struct lint_options *o)
{
	if (st->pg_version)
		o->pg_version = st->pg_version;
	if (st->assume_tx >= 0)
		o->assume_in_transaction = st->assume_tx;
	if (st->lock_timeout >= 0)
		o->lock_timeout_set_by_runner = st->lock_timeout;
	if (st->statement_timeout >= 0)
		o->statement_timeout_set_by_runner = st->statement_timeout;
	if (st->require_down >= 0)
		o->require_down = st->require_down;
	if (st->irreversible_ok >= 0)
		o->irreversible_marker_ok = st->irreversible_ok;
	if (st->fail_on >= 0)
		o->fail_on = (enum severity)st->fail_on;
	if (st->small_rows >= 0)
		o->small_table_rows = st->small_rows;
	if (st->small_bytes >= 0)
		o->small_table_bytes = st->small_bytes;
	if (st->framework) {
		free(o->framework);
		o->framework = st->framework;
		st->framework = NULL;
	}
	char **alembic_from[] = { &st->alembic_name, &st->alembic_config, &st->alembic_python };
	char **alembic_to[] = { &o->alembic_name, &o->alembic_config, &o->alembic_python };
	for (size_t i = 0; i < 3; i++) {
		if (*alembic_from[i]) {
			free(*alembic_to[i]);
			*alembic_to[i] = *alembic_from[i];
			*alembic_from[i] = NULL;
		}
	}
	if (st->no_python >= 0)
		o->no_python = st->no_python;
	if (st->atlas_tx_mode >= 0)
		o->atlas_tx_mode = st->atlas_tx_mode;
	if (st->has_exclude) {
		for (size_t i = 0; i < o->n_exclude; i++)
			free(o->exclude[i]);
		free(o->exclude);
		o->exclude = st->exclude;
		o->n_exclude = st->n_exclude;
		st->exclude = NULL;
		st->n_exclude = 0;
	}
	if (st->has_dims) {
		free(o->vector_dimensions);
		o->vector_dimensions = st->dims;
		o->n_vector_dimensions = st->n_dims;
		st->dims = NULL;
		st->n_dims = 0;
	}
	unsigned char *set = rule_settings(o);
	for (size_t i = 0; i < rule_count; i++) {
		unsigned s = set[i];
		if (st->has_select)
			s = st->select[i] ? s | SET_FILE_SELECT : s & ~(unsigned)SET_FILE_SELECT;
		if (st->has_ignore)
			s = st->ignore[i] ? s | SET_FILE_IGNORE : s & ~(unsigned)SET_FILE_IGNORE;
		if (st->has_rules) {
			s &= ~(unsigned)(SET_SEVERITY_GIVEN | SET_SEVERITY_MASK);
			if (st->severity[i] >= 0)
				s |= SET_SEVERITY_GIVEN | (unsigned)st->severity[i];
		}
		set[i] = (unsigned char)s;
	}
	if (st->has_select)
		o->select_given |= GIVEN_FILE;
	recompute_severities(o);
}

int config_load(const char *path, struct lint_options *o)
{
	if (check_ambiguous(path) != 0)
		return -1;
	size_t len;
	char *text = read_config(path, &len);
	if (!text)
		return -1;

	struct staged st = { .assume_tx = -1, .lock_timeout = -1, .statement_timeout = -1, .fail_on = -1,
			     .require_down = -1, .irreversible_ok = -1, .small_rows = -1, .small_bytes = -1,
			     .no_python = -1, .atlas_tx_mode = -1 };
	size_t n = rule_count ? rule_count : 1;
	st.select = xcalloc(n, 1);
	st.ignore = xcalloc(n, 1);
	st.severity = xmalloc(n);
	memset(st.severity, -1, n);

	yaml_parser_t parser;
	yaml_document_t doc;
	int status = -1, have_doc = 0;
	size_t deep = too_deep_at(text, len);
	if (deep < len) {
		error("%s:%zu: lists and mappings nested more than %d deep; the configuration is a mapping of "
		      "lists and values", path, line_at(text, len, deep), CONFIG_MAX_DEPTH);
		goto out;
	}
	if (!yaml_parser_initialize(&parser)) {
		error("%s: cannot start the YAML parser (out of memory)", path);
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* Not libyaml's guess from a byte-order mark: a stray 0xFF 0xFE must not turn the file
	 * into UTF-16 text. */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_failure(path, &parser, text, len);
		goto out_parser;
	}
	have_doc = 1;
	struct loader ld = { path, &doc, &st };
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && load_root(&ld, root) != 0)
		goto out_parser;
	/* Further documents (after `---`) would be ignored by the loader above: refuse any that
	 * hold something. The stream's end is a document without a root. */
	for (;;) {
		yaml_document_t next;
		if (!yaml_parser_load(&parser, &next)) {
			yaml_failure(path, &parser, text, len);
			goto out_parser;
		}
		yaml_node_t *extra = yaml_document_get_root_node(&next);
		size_t line = next.start_mark.line + 1;
		int empty = !extra || is_null(extra);
		yaml_document_delete(&next);
		if (!extra)
			break;
		if (!empty) {
			error("%s:%zu: a second YAML document; the configuration is one mapping", path, line);
			goto out_parser;
		}
	}
	commit(&st, o);
	status = 0;
out_parser:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
out:
	staged_release(&st);
	free(text);
	return status;
}
