#include "discover/set.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void migration_set_problem(struct migration_set *set, const char *rule, const char *path,
			   uint32_t offset, const char *help, const char *fmt, ...)
{
	XGROW(set->problems, set->nproblems + 1, set->problems_cap);
	struct migration_problem *p = &set->problems[set->nproblems++];
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->rule = rule;
	p->path = xstrdup(path);
	p->offset = offset;
	p->message = xstrdup(buf);
	p->help = help ? xstrdup(help) : NULL;
}

int migration_version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = 0, lb = 0;
			while (isdigit((unsigned char)a[la]))
				la++;
			while (isdigit((unsigned char)b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		} else {
			/* separators ('.', '_') sort before digits and letters */
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
		}
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int cmp_migrations(const void *pa, const void *pb)
{
	const struct migration *a = pa, *b = pb;
	if (a->repeatable != b->repeatable)
		return a->repeatable - b->repeatable;
	int c = migration_version_cmp(a->version, b->version);
	return c ? c : strcmp(a->name, b->name);
}

void migration_set_sort(struct migration_set *set)
{
	if (set->n > 1) /* qsort must not be given NULL, even for nothing to sort */
		qsort(set->items, set->n, sizeof(*set->items), cmp_migrations);
}

struct migration *migration_set_add(struct migration_set *set, const char *version, const char *name)
{
	XGROW(set->items, set->n + 1, set->cap);
	struct migration *m = &set->items[set->n++];
	memset(m, 0, sizeof(*m));
	m->fw = set->fw;
	m->version = xstrdup(version);
	m->name = xstrdup(name);
	return m;
}

struct migration *migration_set_find(struct migration_set *set, const char *version)
{
	for (size_t i = 0; i < set->n; i++)
		if (!migration_version_cmp(set->items[i].version, version) && !set->items[i].repeatable)
			return &set->items[i];
	return NULL;
}

void migration_part_set(struct migration_part *p, char *path, enum lint_tx tx)
{
	free(p->path);
	p->path = path;
	p->tx = tx;
}

void migration_part_text_in_place(struct migration_part *p, const char *text, size_t len)
{
	p->text = xmalloc(len + 1);
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->text_len = len;
	p->text_in_place = 1;
}

void migration_set_release(struct migration_set *set)
{
	free(set->env);
	for (size_t i = 0; i < set->n; i++) {
		free(set->items[i].version);
		free(set->items[i].name);
		free(set->items[i].up.path);
		free(set->items[i].down.path);
		for (size_t k = 0; k < set->items[i].nparents; k++)
			free(set->items[i].parents[k]);
		free(set->items[i].parents);
	}
	for (size_t i = 0; i < set->n; i++) {
		struct migration_part *parts[2] = { &set->items[i].up, &set->items[i].down };
		for (int d = 0; d < 2; d++) {
			free(parts[d]->text);
			for (size_t k = 0; k < parts[d]->nsegments; k++)
				free((char *)parts[d]->segments[k].index_table);
			free(parts[d]->segments);
			free(parts[d]->note);
			free((char *)parts[d]->renderer.mode);
			free((char *)parts[d]->renderer.python);
			free((char *)parts[d]->renderer.python_version);
			free((char *)parts[d]->renderer.alembic);
			free((char *)parts[d]->renderer.sqlalchemy);
		}
	}
	for (size_t i = 0; i < set->nproblems; i++) {
		free(set->problems[i].path);
		free(set->problems[i].message);
		free(set->problems[i].help);
	}
	free(set->problems);
	free(set->items);
	free(set->dir);
	memset(set, 0, sizeof(*set));
}
