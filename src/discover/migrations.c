#include "discover/migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/frameworks/framework.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/strmap.h"
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

/* Whether a (matched first) makes b's match no surprise: b is what a refines, or the reverse. */
static int related(const struct framework_desc *a, const struct framework_desc *b)
{
	return (a->refines && !strcmp(a->refines, b->name)) || (b->refines && !strcmp(b->refines, a->name));
}

/* Directories already noted as matching two layouts, so a note is given once. */
static struct strmap noted = STRMAP_INIT;

enum framework migrations_detect(const char *dir)
{
	/* by rank: the layouts that say the most about themselves first (a sqitch.plan, an
	 * alembic.ini) and those that only name their files or mark their lines last */
	int order[FW_COUNT], n = 0;
	for (int i = 0; i < FW_COUNT; i++) {
		if (!registry[i]->detect_rank)
			continue;
		int k = n++;
		while (k > 0 && registry[order[k - 1]]->detect_rank > registry[i]->detect_rank) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	int chosen = -1;
	const char *chosen_why = NULL;
	for (int k = 0; k < n; k++) {
		const struct framework_desc *f = registry[order[k]];
		const char *why = NULL;
		if (chosen >= 0 && related(registry[chosen], f))
			continue;
		if (!f->detect(dir, &why))
			continue;
		if (chosen < 0) {
			chosen = order[k];
			chosen_why = why;
			continue;
		}
		/* detection never guesses silently: say what else matched and why this one won */
		if (!strmap_has(&noted, dir)) {
			strmap_put(&noted, dir, NULL);
			note_add("layout-conflict", dir,
				 "'%s' has both %s's layout (%s) and %s's (%s); it is read as %s, which is "
				 "tried first; name the runner with --framework (or framework: in "
				 ".pgsieve.yml) to choose",
				 dir, registry[chosen]->name, chosen_why, f->name, why, registry[chosen]->name);
		}
		break;
	}
	return chosen >= 0 ? (enum framework)chosen : FW_SQL;
}

char *migrations_looked_for(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "looked for *.sql files");
	for (int i = 0; i < FW_COUNT; i++) {
		const char *why = NULL;
		if (i == FW_SQL)
			continue;
		registry[i]->detect(dir, &why); /* only for what it looks for */
		if (why)
			strbuf_addf(&sb, "; %s: %s", registry[i]->name, why);
	}
	char *s = xstrdup(strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
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
	char *env = set->env; /* chosen by the caller: which environment of an alembic.ini */
	memset(set, 0, sizeof(*set));
	set->env = env;
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

