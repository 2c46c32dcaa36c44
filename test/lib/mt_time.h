/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_time.h - the monotonic clock, for timeouts, rates and benchmarks.
 *
 *   mt_time_now()	CLOCK_MONOTONIC in seconds
 *   mt_time_now_ns()	CLOCK_MONOTONIC in nanoseconds
 */
#ifndef MT_TIME_H
#define MT_TIME_H

/* tv_sec + tv_nsec / 1e9 */
double mt_time_now(void);
/* tv_sec * 1e9 + tv_nsec */
double mt_time_now_ns(void);

#endif /* MT_TIME_H */
