#include "vaesweep/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_rank;
static int log_verbose;

void log_set_rank(int rank)
{
    log_rank = rank;
}

void log_set_verbose(int verbose)
{
    log_verbose = verbose;
}

/* One write per line: stderr is unbuffered, and pieces written apart
 * interleave with other ranks' lines. */
static void log_vprint(FILE *out, const char *prefix, const char *fmt,
                       va_list ap)
{
    char line[4096];
    int len = snprintf(line, sizeof line, "%s", prefix);

    vsnprintf(line + len, sizeof line - (size_t)len - 1, fmt, ap);
    len = (int)strlen(line);
    line[len] = '\n';
    fwrite(line, 1, (size_t)len + 1, out);
    fflush(out);
}

void log_info(const char *fmt, ...)
{
    va_list ap;

    if (log_rank != 0)
        return;
    va_start(ap, fmt);
    log_vprint(stdout, "", fmt, ap);
    va_end(ap);
}

void log_detail(const char *fmt, ...)
{
    va_list ap;

    if (log_rank != 0 || !log_verbose)
        return;
    va_start(ap, fmt);
    log_vprint(stdout, "", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    char prefix[48];
    va_list ap;

    if (log_rank == 0)
        snprintf(prefix, sizeof prefix, "vaesweep: error: ");
    else
        snprintf(prefix, sizeof prefix, "vaesweep: rank %d: error: ", log_rank);
    va_start(ap, fmt);
    log_vprint(stderr, prefix, fmt, ap);
    va_end(ap);
}

double log_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
