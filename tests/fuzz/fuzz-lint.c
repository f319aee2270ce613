/* libFuzzer target: the whole lint of one file (front end, migration context, schema model,
 * every rule, suppressions) and the text, JSON and SARIF reports of it. The first byte picks
 * the target version, whether the runner wraps the file in a transaction and whether the
 * reports are written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/options.h"
#include "lint/run.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned knobs = size ? data[0] : 0;
	if (size) {
		data++;
		size--;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct lint_options opts;
	lint_options_init(&opts);
	opts.pg_version = PG_VERSION_MIN + (int)(knobs % (PG_VERSION_MAX - PG_VERSION_MIN + 1));
	struct lint_run run;
	lint_run_init(&run, &opts);
	struct lint_source src = { 0 };
	src.path = "fuzz.sql";
	src.text = text;
	src.len = size;
	src.tx = (knobs & 0x80) ? LINT_TX_WRAPPED : LINT_TX_UNKNOWN;
	src.has_down = -1;
	lint_run_source(&run, &src);

	/* The reports list every rule with its documentation: written for one input in eight
	 * only, so that most of the time goes to the lint itself. */
	FILE *out = (knobs & 0x70) == 0x70 ? fopen("/dev/null", "w") : NULL;
	if (out) {
		struct report_options ro = { 0 };
		ro.tool_version = "0";
		ro.project_url = "https://example.org";
		report_text(out, &run, &ro);
		report_json(out, &run, &ro);
		report_sarif(out, &run, &ro);
		fclose(out);
	}
	lint_run_release(&run);
	lint_options_release(&opts);
	free(text);
	return 0;
}
