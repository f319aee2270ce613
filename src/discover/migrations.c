#include "discover/migrations.h"

#include <stdlib.h>
#include <string.h>

#include "discover/frameworks/framework.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const struct framework_desc *const registry[FW_COUNT] = {
#define FRAMEWORK(id, sym) [FW_##sym] = &framework_##id,
#include "discover/frameworks/frameworks.def"
#undef FRAMEWORK
};

const struct framework_desc *framework_get(enum framework fw)
{
	return registry[fw];
}

const char *framework_name(enum framework fw)
{
	return registry[fw]->name;
}

int framework_parse(const char *name, enum framework *out)
{
	for (int i = 0; i < FW_COUNT; i++) {
		if (!strcmp(registry[i]->name, name)) {
			*out = (enum framework)i;
			return 0;
		}
	}
	return -1;
}

char *framework_name_list(const char *last)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < FW_COUNT; i++)
		strbuf_addf(&sb, "%s%s", i == 0 ? "" : i == FW_COUNT - 1 ? last : ", ", registry[i]->name);
	char *s = xstrdup(strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
}

int framework_has_downs(enum framework fw)
{
	return (registry[fw]->flags & FRAMEWORK_DOWNS) != 0;
}

enum framework migrations_detect(const char *dir)
{
	/* by rank: the layouts that say the most about themselves first (a sqitch.plan, an
	 * alembic.ini) and those that only name their files last */
	for (int rank = 1; rank <= FW_COUNT; rank++) {
		for (int i = 0; i < FW_COUNT; i++) {
			const char *why = NULL;
			if (registry[i]->detect_rank == rank && registry[i]->detect(dir, &why))
				return (enum framework)i;
		}
	}
	return FW_SQL;
}

/* Runners that key applied migrations by version refuse, or silently skip, a second
 * migration with a version already seen. */
static void check_versions(struct migration_set *set)
{
	const char *consequence = registry[set->fw]->duplicate_versions;
	if (!consequence)
		return;
	for (size_t i = 1; i < set->n; i++) {
		const struct migration *a = &set->items[i - 1], *b = &set->items[i];
		if (a->repeatable || b->repeatable || !*b->version || migration_version_cmp(a->version, b->version))
			continue;
		const char *other = strrchr(a->up.path, '/');
		migration_set_problem(set, "migration-graph", b->up.path, 0,
				      "give each migration a version of its own (a new timestamp or the next "
				      "free number)",
				      "version %s is also the version of '%s': %s", b->version,
				      other ? other + 1 : a->up.path, consequence);
	}
}

int migrations_load(const char *dir, enum framework fw, struct migration_set *set, int *errors)
{
	memset(set, 0, sizeof(*set));
	set->fw = fw;
	set->dir = xstrdup(dir);
	const struct framework_desc *f = registry[fw];
	if (f->load(dir, set, errors) != 0)
		return -1;
	if (f->flags & FRAMEWORK_OWN_ORDER)
		return 0;
	migration_set_sort(set);
	check_versions(set);
	return 0;
}
