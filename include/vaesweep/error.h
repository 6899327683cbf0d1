/*
 * error: the last error of the calling process, as text for the user.
 *
 * The plain-C modules (dataset, nn, vae, classify, linkage, consensus,
 * config) never print and never exit: on failure they record one message
 * here and return a failure code.  The caller that talks to the user
 * (sweep, main) prints it once and decides what happens next.  Each MPI
 * rank has its own process, so one buffer per process is enough.
 */
#ifndef VAESWEEP_ERROR_H
#define VAESWEEP_ERROR_H

#include <stddef.h>

#define ERROR_TEXT_MAX 1024

/* Record a printf-style message, replacing the previous one.  Always
 * returns -1, so a module can write `return error_set(...);`. */
int error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last recorded message, or "" when none.  Never NULL. */
const char *error_text(void);

/* Forget the last message. */
void error_clear(void);

/* calloc that records "out of memory" naming `what` on failure.
 * Returns NULL on failure (and for a zero-size request), never aborts. */
void *error_calloc(size_t count, size_t size, const char *what);

#endif
