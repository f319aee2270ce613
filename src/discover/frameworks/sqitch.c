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
#include "util/xalloc.h"


/* One line of sqitch.plan that names a change or a tag. */
struct plan_line {
	char *name;      /* the change, or the tag without its '@' */
	int is_tag;
	uint32_t offset; /* of the line in sqitch.plan */
};

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
	sqitch_strays(set, dir, "deploy", lines, n);
	for (size_t i = 0; i < n; i++)
		free(lines[i].name);
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
