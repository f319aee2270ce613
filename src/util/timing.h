/* Phase times for benchmarks: with PGSIEVE_TIMING=1 in the environment, timing_phase() prints
 * on stderr how long the phase that just ended took ("pgsieve: timing: LABEL 0.123 s"), measured
 * from the previous timing_phase() or timing_start(). Without it each call is one branch on a
 * cached flag, so the calls can stay in the code. bench/schema_bench.py reads these lines. */
#ifndef PGSIEVE_TIMING_H
#define PGSIEVE_TIMING_H

/* Whether PGSIEVE_TIMING is set to something other than "" or "0" (read once). */
int timing_enabled(void);
/* Starts the clock of the next phase without printing (the time before it is not a phase).
 * Without it, the first phase counts from the first call of any of these functions. */
void timing_start(void);
/* Prints the time since the last timing_start() or timing_phase() under the label fmt formats,
 * and restarts the clock. Labels are "AREA: what", such as "query: reading tables",
 * "apply: schema file" or "output: json"; the benchmark sums the phases of each area. */
void timing_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Seconds on a monotonic clock, to measure a phase interleaved with another (applying the
 * statements a parser hands over one by one); 0 when timing is off. */
double timing_now(void);
/* Prints seconds measured with timing_now() as a phase of its own; they are taken out of the
 * phase the next timing_phase() prints, so the phases still add up to the whole. */
void timing_note(double seconds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
