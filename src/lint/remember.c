/* Helpers for rules that remember what earlier statements of the migration did (the schemas it
 * created, the fixes it made, the tables it named) until a later statement or finish() decides.
 * Built on the rule API only (lint/rule.h). */
#include "lint/rule.h"

const char *lint_keep(struct lint_ctx *ctx, const char *s)
{
	return lint_printf(ctx, "%s", s ? s : "");
}

void *lint_rule_memory(struct lint_ctx *ctx, const struct rule *rule, size_t size, int *fresh)
{
	void **data = lint_rule_data(ctx, rule);
	if (fresh)
		*fresh = !*data;
	if (!*data)
		*data = lint_alloc(ctx, size);
	return *data;
}

void *lint_list_push(struct lint_ctx *ctx, const struct rule *rule, size_t size)
{
	void **head = lint_rule_data(ctx, rule);
	struct lint_link *item = lint_alloc(ctx, size);
	item->next = *head;
	*head = item;
	return item;
}

const void *lint_list_head(struct lint_ctx *ctx, const struct rule *rule)
{
	return *lint_rule_data(ctx, rule);
}

void lint_names_add(struct lint_ctx *ctx, struct lint_names *names, const char *name)
{
	names->list = names->n ? lint_printf(ctx, "%s, %s", names->list, name) : name;
	if (!names->n)
		names->first = name;
	names->n++;
}
