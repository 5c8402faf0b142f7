/* Monotonic wall-clock seconds, for throughput and wall times in results. */
#ifndef DSML_CORE_TIMER_H
#define DSML_CORE_TIMER_H

#include <time.h>

static inline double dsml_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
