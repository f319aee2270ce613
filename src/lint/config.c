#include "lint/config.h"

#include "util/error.h"

char *config_find(const char *start)
{
	(void)start;
	return NULL;
}

int config_load(const char *path, struct lint_options *o)
{
	(void)o;
	return error("%s: configuration files are not supported yet", path);
}

int config_select(struct lint_options *o, const char *list)
{
	(void)o;
	(void)list;
	return error("--select is not supported yet");
}

int config_ignore(struct lint_options *o, const char *list)
{
	(void)o;
	(void)list;
	return error("--ignore is not supported yet");
}
