/* What the benchmark programs measure of themselves: wall time, and CPU from getrusage. C and C++. */
#ifndef KSPOUT_BENCH_RUN_H
#define KSPOUT_BENCH_RUN_H

#include <sys/resource.h>
#include <time.h>

static inline double bench_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system seconds in `usage`. */
static inline double bench_cpu_seconds(const struct rusage* usage)
{
    return (double)(usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) +
           (double)(usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) / 1e6;
}

#endif
