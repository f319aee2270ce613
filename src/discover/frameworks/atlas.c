/* Atlas versioned migrations (ariga/atlas): a directory with atlas.sum and <version>[_name].sql
 * files. Each file runs in a transaction of its own by default (--tx-mode file); a
 * `-- atlas:txmode none` directive in the file's header runs its statements one by one
 * without one, `-- atlas:txmode file` or `all` keeps a transaction. Atlas splits the file into
 * statements and executes them one at a time. History:
 * atlas_schema_revisions.atlas_schema_revisions(version, applied, total, hash, ...). */
#include "discover/frameworks/framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

static int detect(const char *dir, const char **why)
{
	*why = "an atlas.sum file";
	return layout_has_file(dir, NULL, "atlas.sum");
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
		char *text = file_read(path, &len);
		if (!text) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			(*errors)++;
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
		free(text);
		/* the version: up to the first '_' or the extension (migrate.Version) */
		size_t vl = strcspn(f, "_.");
		char *version = xstrndup(f, vl);
		const char *ns = f[vl] == '_' ? f + vl + 1 : f + vl;
		char *name = xstrndup(ns, strlen(ns) > 4 ? strlen(ns) - 4 : 0);
		struct migration *m = migration_set_add(set, version, name);
		migration_part_set(&m->up, path, tx);
		free(version);
		free(name);
	}
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
