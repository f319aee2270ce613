/* `pgsieve explain RULE`: the rule's page of docs/rules/, embedded at build time; rendered for a
 * terminal, the Markdown as written otherwise. */
#include "cmd/cmd.h"

#include <stdlib.h>

#include "lint/registry.h"
#include "report/report.h"

int cmd_explain(int argc, char **argv)
{
	if (argc != 2)
		return cmd_usage_error("%s", "explain takes one rule id");
	const struct rule *r = rule_find(argv[1]);
	if (!r)
		return cmd_usage_error("'%s' is not a rule; 'pgsieve rules' lists them", argv[1]);
	const char *doc = rule_doc(r);
	size_t width = cmd_terminal_width();
	if (doc && width) /* rendered for reading; piped or redirected, the Markdown as written */
		report_doc_terminal(stdout, doc, width > 100 ? 100 : width, !getenv("NO_COLOR"));
	else
		fputs(doc ? doc : r->summary, stdout);
	return EXIT_CLEAN;
}
