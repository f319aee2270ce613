#include "util/timing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* -1: the environment not read yet */
static int enabled = -1;
/* the start of the running phase, and what timing_note() took out of it */
static double last, noted;

static double clock_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int timing_enabled(void)
{
	if (enabled < 0) {
		const char *v = getenv("PGSIEVE_TIMING");
		enabled = v && *v && !(v[0] == '0' && !v[1]);
		last = clock_now(); /* a first phase without timing_start() counts from here */
	}
	return enabled;
}

double timing_now(void)
{
	return timing_enabled() ? clock_now() : 0;
}

void timing_start(void)
{
	last = timing_now();
	noted = 0;
}

__attribute__((format(printf, 2, 0))) static void print_phase(double seconds, const char *fmt, va_list ap)
{
	char label[200];
	vsnprintf(label, sizeof(label), fmt, ap);
	fprintf(stderr, "pgsieve: timing: %s %.4f s\n", label, seconds);
}

void timing_phase(const char *fmt, ...)
{
	if (!timing_enabled())
		return;
	double now = timing_now();
	va_list ap;
	va_start(ap, fmt);
	print_phase(now - last - noted, fmt, ap);
	va_end(ap);
	last = now;
	noted = 0;
}

void timing_note(double seconds, const char *fmt, ...)
{
	if (!timing_enabled())
		return;
	va_list ap;
	va_start(ap, fmt);
	print_phase(seconds, fmt, ap);
	va_end(ap);
	noted += seconds;
}
