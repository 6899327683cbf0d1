#include "vaesweep/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char last_error[ERROR_TEXT_MAX];

int error_set(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return -1;
}

const char *error_text(void)
{
    return last_error;
}

void error_clear(void)
{
    last_error[0] = '\0';
}

void *error_calloc(size_t count, size_t size, const char *what)
{
    void *p;

    if (count == 0 || size == 0) {
        error_set("internal error: empty allocation for %s", what);
        return NULL;
    }
    p = calloc(count, size);
    if (!p)
        error_set("out of memory allocating %zu x %zu bytes for %s", count,
                  size, what);
    return p;
}
