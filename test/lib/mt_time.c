// SPDX-License-Identifier: GPL-2.0
/*
 * mt_time.c - CLOCK_MONOTONIC as a double, the one clock that the
 * stress tests, the fuzzer and the benchmark time themselves with.
 */
#include <time.h>

#include "mt_time.h"

double mt_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double mt_time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}
