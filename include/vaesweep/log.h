/*
 * log: what the program tells the user on the terminal.
 *
 * Progress goes to stdout from rank 0 only, so a 64-rank job prints one
 * copy.  Errors go to stderr from whichever rank found them, prefixed
 * with that rank, because only that rank knows.
 */
#ifndef VAESWEEP_LOG_H
#define VAESWEEP_LOG_H

/* Tell the module which rank this process is (default 0, i.e. prints). */
void log_set_rank(int rank);

/* Show log_detail() lines too. */
void log_set_verbose(int verbose);

/* A progress line on stdout, rank 0 only, newline added. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like log_info, only when verbose. */
void log_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "vaesweep: error: ..." on stderr from any rank, newline added. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds since an arbitrary fixed point (monotonic clock). */
double log_now(void);

#endif
