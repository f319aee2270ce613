#include "schema/size.h"

#include <stdio.h>
#include <string.h>

#include "effects/effects.h"
#include "schema/norm.h"

const char *schema_format_bytes(long long bytes, char *buf, size_t size)
{
	static const char *const units[] = { "bytes", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lld bytes", bytes);
	else if (v < 10)
		snprintf(buf, size, "%.1f %s", v, units[u]);
	else
		snprintf(buf, size, "%.0f %s", v, units[u]);
	return buf;
}

const char *schema_format_rows(double rows, char *buf, size_t size)
{
	if (rows < 1000)
		snprintf(buf, size, "~%.0f", rows);
	else if (rows < 1e6)
		snprintf(buf, size, "~%.*fk", rows < 1e4 ? 1 : 0, rows / 1e3);
	else if (rows < 1e9)
		snprintf(buf, size, "~%.*fM", rows < 1e7 ? 1 : 0, rows / 1e6);
	else
		snprintf(buf, size, "~%.*fG", rows < 1e10 ? 1 : 0, rows / 1e9);
	return buf;
}

static const char *duration(double seconds, char *buf, size_t size)
{
	if (seconds < 1)
		snprintf(buf, size, "under a second");
	else if (seconds < 120)
		snprintf(buf, size, "~%.0f s", seconds);
	else if (seconds < 7200)
		snprintf(buf, size, "~%.0f min", seconds / 60);
	else
		snprintf(buf, size, "~%.1f h", seconds / 3600);
	return buf;
}

/* The sizes of the relation an effect locks; *name gets "schema.name". */
static const struct schema_stats *effect_stats(const struct schema_model *m, const struct effect *e, int *exists,
					       char *name, size_t size)
{
	PgQuery__RangeVar buf;
	const PgQuery__RangeVar *rv = effect_rangevar(e, &buf);
	*exists = 0;
	if (!rv || !*rv->relname)
		return NULL;
	const char *schema = *rv->schemaname ? rv->schemaname : schema_resolve_relation(m, rv->relname);
	if (!schema)
		return NULL;
	if (e->object == EFFECT_OBJ_INDEX && e->role == EFFECT_ROLE_INDEX_TABLE) {
		/* the lock is on the index's table */
		const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, rv->relname);
		if (!ix)
			return NULL;
		*exists = 1;
		snprintf(name, size, "%s", ix->table_key);
		const struct schema_table *t = strmap_get(&m->tables, ix->table_key);
		if (t)
			return t->stats.known ? &t->stats : NULL;
		const struct schema_view *v = strmap_get(&m->views, ix->table_key);
		return v && v->stats.known ? &v->stats : NULL;
	}
	if (!schema_relation_kind(m, schema, rv->relname))
		return NULL;
	*exists = 1;
	snprintf(name, size, "%s.%s", schema, rv->relname);
	return schema_relation_stats(m, schema, rv->relname);
}

void schema_size_note(const struct schema_model *m, const PgQuery__Node *stmt, int pg_version,
		      long long small_rows, long long small_bytes, struct schema_size_note *out)
{
	memset(out, 0, sizeof(*out));
	struct effect effects[EFFECTS_MAX];
	size_t n = effects_of(stmt, pg_version, effects, EFFECTS_MAX);
	const struct schema_stats *biggest = NULL;
	unsigned biggest_flags = 0;
	char biggest_name[300] = "";
	int missing = 0, small = 1;
	for (size_t i = 0; i < n; i++) {
		const struct effect *e = &effects[i];
		if (e->lock == LOCK_NONE && !(e->flags & (EFFECT_REWRITE | EFFECT_SCAN | EFFECT_VALIDATE)))
			continue;
		if (e->object == EFFECT_OBJ_ALL) {
			missing = 1;
			continue;
		}
		int exists;
		char name[300];
		const struct schema_stats *st = effect_stats(m, e, &exists, name, sizeof(name));
		if (!exists)
			continue; /* made by this migration, or unknown: nothing to say about its size */
		if (!st) {
			missing = 1;
			continue;
		}
		int rows_small = st->rows < 0 || st->rows < (double)small_rows;
		if (!rows_small || st->bytes >= small_bytes)
			small = 0;
		if (!biggest || st->bytes > biggest->bytes) {
			biggest = st;
			biggest_flags = e->flags;
			snprintf(biggest_name, sizeof(biggest_name), "%s", name);
		}
	}
	if (!biggest || missing)
		return;
	out->known = 1;
	out->small = small;
	char rows[32], bytes[32], time[32];
	schema_format_bytes(biggest->bytes, bytes, sizeof(bytes));
	if (biggest->rows < 0)
		snprintf(rows, sizeof(rows), "never analyzed");
	else
		snprintf(rows, sizeof(rows), "%s rows", schema_format_rows(biggest->rows, time, sizeof(time)));
	if (small) {
		snprintf(out->text, sizeof(out->text), "%s: %s, %s; a small table, so reported as info", biggest_name, rows,
			 bytes);
		return;
	}
	double mb = (double)biggest->bytes / (1024.0 * 1024.0);
	if (biggest_flags & EFFECT_REWRITE)
		snprintf(out->text, sizeof(out->text), "%s: %s, %s; a rewrite takes %s at ~%d MB/s", biggest_name, rows,
			 bytes, duration(mb / SCHEMA_REWRITE_MBPS, time, sizeof(time)), SCHEMA_REWRITE_MBPS);
	else if (biggest_flags & (EFFECT_SCAN | EFFECT_VALIDATE))
		snprintf(out->text, sizeof(out->text), "%s: %s, %s; a full scan takes %s at ~%d MB/s", biggest_name, rows,
			 bytes, duration(mb / SCHEMA_SCAN_MBPS, time, sizeof(time)), SCHEMA_SCAN_MBPS);
	else
		snprintf(out->text, sizeof(out->text), "%s: %s, %s", biggest_name, rows, bytes);
}
