#include "lint/baseline.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "lint/registry.h"
#include "util/error.h"
#include "util/strmap.h"

enum { BASELINE_VERSION = 1 };

int baseline_write(const char *path, const struct lint_run *run)
{
	json_t *root = json_object();
	json_object_set_new(root, "pgsieve_baseline", json_integer(BASELINE_VERSION));
	json_t *arr = json_array();
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		json_t *j = json_object();
		json_object_set_new(j, "fingerprint", json_string(f->fingerprint));
		/* rule, file and line are for people reading the file; matching uses the fingerprint */
		json_object_set_new(j, "rule", json_string(f->rule->id));
		json_object_set_new(j, "file", json_string(run->files[f->file].path));
		json_object_set_new(j, "line", json_integer(f->line));
		json_array_append_new(arr, j);
	}
	json_object_set_new(root, "findings", arr);
	int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc != 0)
		return error("cannot write the baseline '%s': %s", path, strerror(errno));
	return 0;
}

int baseline_apply(const char *path, struct lint_run *run, size_t *dropped)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	*dropped = 0;
	if (!root && jerr.line < 1) /* could not open it: jansson gives no line */
		return error("cannot read the baseline '%s': %s (record one with --write-baseline %s)",
			     path, strerror(errno), path);
	if (!root)
		return error("the baseline '%s' is not valid JSON: %s (line %d); record it again with "
			     "--write-baseline", path, jerr.text, jerr.line);
	json_t *version = json_object_get(root, "pgsieve_baseline");
	json_t *arr = json_object_get(root, "findings");
	if (!json_is_integer(version) || !json_is_array(arr)) {
		json_decref(root);
		return error("'%s' is not a pgsieve baseline (write one with --write-baseline)", path);
	}
	if (json_integer_value(version) != BASELINE_VERSION) {
		long long v = (long long)json_integer_value(version); /* read before root is freed */
		json_decref(root);
		return error("'%s' is a baseline of version %lld; this pgsieve reads version %d", path, v,
			     BASELINE_VERSION);
	}
	struct strmap known = STRMAP_INIT;
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item) {
		const char *fp = json_string_value(json_object_get(item, "fingerprint"));
		if (fp)
			strmap_put(&known, fp, (void *)1);
	}
	size_t kept = 0;
	for (size_t k = 0; k < run->nfindings; k++) {
		if (strmap_has(&known, run->findings[k].fingerprint))
			(*dropped)++;
		else
			run->findings[kept++] = run->findings[k];
	}
	run->nfindings = kept;
	strmap_release(&known);
	json_decref(root);
	return 0;
}
