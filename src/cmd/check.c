/* `pgsieve check PATH...`: what a reviewer runs on a generated migration before approving it:
 * lint, then the trace with --round-trip on a throwaway cluster, in one report. The options are
 * trace's (trace.c), the run is trace's with lint's findings first. */
#include "cmd/cmd.h"

int cmd_check(int argc, char **argv)
{
	return cmd_trace_run(argc, argv, 1);
}
