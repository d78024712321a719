/* SPDX-License-Identifier: MIT */
/* Deadlines and durations: milliseconds on the monotonic clock. */
#include <time.h>

#include "lab/util/util.h"

long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
