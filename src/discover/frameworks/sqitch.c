/* Sqitch: sqitch.plan names the changes in order; deploy/<change>.sql and revert/<change>.sql
 * scripts, run with psql --file (statement by statement: scripts carry their own BEGIN and
 * COMMIT). History: sqitch.changes, per project, with the script's SHA-1. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"


/* One line of sqitch.plan that names a change or a tag. */
struct plan_line {
	char *name;      /* the change, or the tag without its '@' */
	int is_tag;
	uint32_t offset; /* of the line in sqitch.plan */
	/* the changes of this project it requires by plain name (`[users orders]`), and where each
	 * is written; conflicts (`!name`), other projects' changes (`proj:name`), `name@tag` and
	 * change ids are not checked */
	char **reqs;
	uint32_t *req_offsets;
	size_t nreqs;
	int in_cycle; /* already named in a reported cycle */
};

/* Reads the requires of a change line: `name [dep dep] timestamp planner # note`. */
static void plan_requires(struct plan_line *l, const char *plan, const char *line)
{
	const char *p = line + strlen(l->name);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[')
		return;
	p++;
	size_t cap = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == ']')
			break;
		size_t k = strcspn(p, " \t]");
		int plain = *p != '!' && !memchr(p, '@', k) && !memchr(p, ':', k) && k != 40;
		if (plain) {
			XGROW(l->reqs, l->nreqs + 1, cap);
			l->req_offsets = xrealloc(l->req_offsets, cap * sizeof(*l->req_offsets));
			l->reqs[l->nreqs] = xstrndup(p, k);
			l->req_offsets[l->nreqs++] = (uint32_t)(p - plan);
		}
		p += k;
	}
}

/* Depth-first from change line `at` along requires, looking for the change named `target`;
 * the path found is appended to chain. `first` maps a name to its first line + 1. */
static int reaches(struct plan_line *lines, const struct strmap *first, size_t at, const char *target,
		   unsigned char *seen, struct strbuf *chain)
{
	if (seen[at])
		return 0;
	seen[at] = 1;
	for (size_t r = 0; r < lines[at].nreqs; r++) {
		const char *req = lines[at].reqs[r];
		size_t next = (size_t)(uintptr_t)strmap_get(first, req);
		if (!strcmp(req, target) || (next && reaches(lines, first, next - 1, target, seen, chain))) {
			/* built from the far end back: prepend */
			char *tail = strbuf_detach(chain);
			strbuf_addf(chain, " -> %s%s", req, tail);
			free(tail);
			lines[at].in_cycle = 1;
			return 1;
		}
	}
	return 0;
}

/* What Sqitch checks when it reads a plan (App::Sqitch::Plan's check_changes): every change a
 * change requires must be planned before it, so that deploying in plan order works; a change
 * required from above, a change requiring itself, and an unknown change make it refuse the plan
 * ("Dependency error detected") for every command. A cycle is the case where no order works. */
static void check_requires(struct migration_set *set, const char *plan_path, struct plan_line *lines, size_t n)
{
	struct strmap first = STRMAP_INIT, seen = STRMAP_INIT;
	for (size_t i = n; i-- > 0;)
		if (!lines[i].is_tag)
			strmap_put(&first, lines[i].name, (void *)(uintptr_t)(i + 1));
	unsigned char *visited = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		struct plan_line *l = &lines[i];
		if (l->is_tag)
			continue;
		for (size_t r = 0; r < l->nreqs; r++) {
			const char *req = l->reqs[r];
			uint32_t at = l->req_offsets[r];
			if (strmap_has(&seen, req))
				continue;
			if (!strcmp(req, l->name)) {
				migration_set_problem(set, "migration-graph", plan_path, at,
						      "remove the change from its own requires",
						      "change '%s' requires itself: Sqitch refuses to read the plan "
						      "(Change \"%s\" cannot require itself)",
						      l->name, l->name);
				continue;
			}
			size_t later = (size_t)(uintptr_t)strmap_get(&first, req);
			if (!later) {
				migration_set_problem(set, "migration-graph", plan_path, at,
						      "name a change of this plan, or write another project's "
						      "change as project:change",
						      "change '%s' requires '%s', which is not a change of this plan: "
						      "Sqitch refuses to read the plan (Unknown change \"%s\" "
						      "required by change \"%s\")",
						      l->name, req, req, l->name);
				continue;
			}
			/* Sqitch checks each tag's section on its own, against the sections above:
			 * a change required from a later section is "unknown" to it */
			size_t between = 0;
			int tagged = 0;
			for (size_t j = i + 1; j < later - 1; j++) {
				between += !lines[j].is_tag;
				tagged |= lines[j].is_tag;
			}
			char *words = tagged ? xasprintf("Unknown change \"%s\" required by change \"%s\"", req, l->name)
					     : xasprintf("Change \"%s\" planned %zu change%s before required change \"%s\"",
							 l->name, between + 1, between ? "s" : "", req);
			struct strbuf chain = STRBUF_INIT;
			memset(visited, 0, n);
			if (reaches(lines, &first, later - 1, l->name, visited, &chain)) {
				int again = l->in_cycle;
				l->in_cycle = 1;
				if (!again)
					migration_set_problem(set, "migration-graph", plan_path, at,
							      "drop one of the requires in the cycle: changes that "
							      "require each other have no order to deploy in",
							      "changes require each other in a cycle (%s -> %s%s): "
							      "Sqitch refuses to read the plan (%s)",
							      l->name, req, strbuf_str(&chain), words);
			} else {
				migration_set_problem(set, "migration-graph", plan_path, at,
						      "move the line of the required change above this one",
						      "change '%s' requires '%s', which the plan lists after it: "
						      "Sqitch refuses to read the plan (%s)",
						      l->name, req, words);
			}
			free(words);
			strbuf_release(&chain);
		}
		strmap_put(&seen, l->name, (void *)1);
	}
	free(visited);
	strmap_release(&first);
	strmap_release(&seen);
}

/* Adds the .sql files under dir/sub (recursively) whose change is not in the plan as problems. */
static void sqitch_strays(struct migration_set *set, const char *dir, const char *rel,
			  const struct plan_line *lines, size_t n)
{
	char *here = path_join(dir, rel);
	size_t count;
	char **names = layout_list(here, &count);
	for (size_t i = 0; i < count; i++) {
		char *relname = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		char *full = path_join(dir, relname);
		if (layout_is_dir(full)) {
			sqitch_strays(set, dir, relname, lines, n);
		} else if (layout_ends_with(names[i], ".sql")) {
			/* deploy/<change>.sql, or deploy/<change>@<tag>.sql for a reworked change */
			size_t cl = strlen(relname) - 4;
			const char *at = memchr(relname, '@', cl);
			if (at)
				cl = (size_t)(at - relname);
			const char *change = strchr(relname, '/') + 1; /* past "deploy/" */
			size_t nl = cl - (size_t)(change - relname);
			int planned = 0;
			for (size_t k = 0; k < n && !planned; k++)
				planned = !lines[k].is_tag && strlen(lines[k].name) == nl &&
					  !strncmp(lines[k].name, change, nl);
			if (!planned)
				migration_set_problem(set, "migration-graph", full, 0,
						      "add the change to sqitch.plan (sqitch add, or a line of its "
						      "own in the plan), or delete the script",
						      "'%.*s' is not a change of sqitch.plan: sqitch never deploys "
						      "this script", (int)nl, change);
		}
		free(full);
		free(relname);
	}
	layout_list_free(names);
	free(here);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	char *plan_path = path_join(dir, "sqitch.plan");
	size_t len;
	char *plan = file_read(plan_path, &len);
	if (!plan) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		(*errors)++;
		free(plan_path);
		return 0;
	}
	/* the plan's changes and tags, in order */
	struct plan_line *lines = NULL;
	size_t n = 0, cap = 0;
	for (char *line = plan; line && *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		/* a change line starts with its name, a tag line with '@'; pragmas (%), comments (#)
		 * and blank lines name nothing */
		if (*line && !strchr("%#", *line) && !isspace((unsigned char)*line)) {
			int tag = *line == '@';
			const char *name = line + tag;
			XGROW(lines, n + 1, cap);
			lines[n].name = xstrndup(name, strcspn(name, " \t[\r"));
			lines[n].is_tag = tag;
			lines[n].offset = (uint32_t)(line - plan);
			lines[n].reqs = NULL;
			lines[n].req_offsets = NULL;
			lines[n].nreqs = 0;
			lines[n].in_cycle = 0;
			if (!tag)
				plan_requires(&lines[n], plan, line);
			n++;
		}
		line = eol ? eol + 1 : NULL;
	}
	char *deploy = path_join(dir, "deploy"), *revert = path_join(dir, "revert");
	unsigned order = 0;
	for (size_t i = 0; i < n; i++) {
		if (lines[i].is_tag)
			continue;
		const char *name = lines[i].name;
		/* A change reworked later in the plan keeps its old scripts as <change>@<tag>.sql,
		 * the tag being the first one after this line. */
		const char *tag = NULL;
		for (size_t j = i + 1; j < n && !tag; j++)
			if (!lines[j].is_tag && !strcmp(lines[j].name, name))
				for (size_t k = i + 1; k < j && !tag; k++)
					if (lines[k].is_tag)
						tag = lines[k].name;
		char *file = tag ? xasprintf("%s@%s.sql", name, tag) : xasprintf("%s.sql", name);
		char *up = path_join(deploy, file), *down = path_join(revert, file);
		if (tag && !layout_is_file(up)) {
			free(file);
			free(up);
			free(down);
			file = xasprintf("%s.sql", name);
			up = path_join(deploy, file);
			down = path_join(revert, file);
		}
		char version[32];
		snprintf(version, sizeof(version), "%06u", ++order);
		struct migration *m = migration_set_add(set, version, name);
		if (layout_is_file(up)) {
			migration_part_set(&m->up, up, LINT_TX_NONE);
			up = NULL;
		} else {
			migration_set_problem(set, "migration-graph", plan_path, lines[i].offset,
					      "add the deploy script (sqitch add writes deploy/, revert/ and "
					      "verify/ scripts), or remove the change from the plan",
					      "the plan's change '%s' has no deploy script deploy/%s: sqitch deploy "
					      "fails when it reaches it", name, file);
		}
		if (layout_is_file(down)) {
			migration_part_set(&m->down, down, LINT_TX_NONE);
			down = NULL;
		}
		free(up);
		free(down);
		free(file);
	}
	check_requires(set, plan_path, lines, n);
	sqitch_strays(set, dir, "deploy", lines, n);
	for (size_t i = 0; i < n; i++) {
		free(lines[i].name);
		for (size_t r = 0; r < lines[i].nreqs; r++)
			free(lines[i].reqs[r]);
		free(lines[i].reqs);
		free(lines[i].req_offsets);
	}
	free(lines);
	free(deploy);
	free(revert);
	free(plan);
	free(plan_path);
	return 0;
}


static int detect(const char *dir, const char **why)
{
	*why = "a sqitch.plan file";
	return layout_exists_in(dir, "sqitch.plan");
}

/* deploy/, revert/ and verify/ beside sqitch.plan hold the scripts of the plan's changes */
static int owns_subdir(const char *setdir, const char *subdir)
{
	const char *base = strrchr(subdir, '/');
	base = base ? base + 1 : subdir;
	return (!strcmp(base, "deploy") || !strcmp(base, "revert") || !strcmp(base, "verify")) &&
	       layout_has_file(setdir, NULL, "sqitch.plan");
}

const struct framework_desc framework_sqitch = {
	.name = "sqitch",
	.detect_rank = 1,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS | FRAMEWORK_OWN_ORDER | FRAMEWORK_SUBPROJECTS, /* the plan's order is the order */
	.owns_subdir = owns_subdir,
	.down_help = "add revert/<change>.sql undoing the deploy script (`sqitch add` writes one)",
	.down_consequence = "`sqitch revert` cannot undo this change",
	.history = {
		/* one project's changes when the plan names it ($1), in the order they were deployed */
		.schema = "sqitch",
		.table = "changes",
		.columns = "change::text, NULL, script_hash::text, change_id::text, NULL, false, false, 0",
		.rest = " WHERE $1::text IS NULL OR project = $1 ORDER BY committed_at, change_id",
		.key = HISTORY_KEY_NAME,
		.checksum = CHECKSUM_SHA1,
		.repeats = HISTORY_REPEATS_OCCURRENCES,
		.by_project = 1,
		.modified_help = "put the edit in a new change (sqitch rework, or sqitch add) and "
				 "restore this script",
	},
};
