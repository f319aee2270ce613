#include "lint/registry.h"

#include <string.h>

#define RULE(name) extern const struct rule rule_##name;
#include "rules.def"
#undef RULE

const struct rule *const rule_registry[] = {
#define RULE(name) &rule_##name,
#include "rules.def"
#undef RULE
};

const size_t rule_count = sizeof(rule_registry) / sizeof(rule_registry[0]);

const struct rule *rule_find(const char *id)
{
	for (size_t i = 0; i < rule_count; i++)
		if (!strcmp(rule_registry[i]->id, id))
			return rule_registry[i];
	return NULL;
}

size_t rule_index(const struct rule *rule)
{
	for (size_t i = 0; i < rule_count; i++)
		if (rule_registry[i] == rule)
			return i;
	return 0;
}

/* Generated at build time from docs/rules/ by src/gen/embed-rule-docs.py. */
extern const char *const rule_docs_ids[];
extern const char *const rule_docs_texts[];
extern const size_t rule_docs_count;

const char *rule_doc(const struct rule *rule)
{
	for (size_t i = 0; i < rule_docs_count; i++)
		if (!strcmp(rule_docs_ids[i], rule->id))
			return rule_docs_texts[i];
	return NULL;
}

static const char *const category_names[] = {
#define CATEGORY(id, name) [CATEGORY_##id] = name,
#include "lint/categories.def"
#undef CATEGORY
};

const char *rule_category_name(enum rule_category c)
{
	return category_names[c];
}
