/*
 * testutil: shared pieces of the cmocka tests: reading the reference
 * JSON files and comparing arrays with a tolerance that reports the worst
 * gap, so a failure says by how much and where.
 */
#ifndef VAESWEEP_TESTUTIL_H
#define VAESWEEP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

/* Parse a JSON file under tests/data; fails the test if unreadable.
 * Free with cJSON_Delete. */
cJSON *testutil_load_json(const char *name);

/* Number of doubles in a nested JSON array of numbers (any depth). */
size_t testutil_json_count(const cJSON *arr);

/* Flatten a nested JSON array of numbers into out (row-major); returns
 * the count written.  Fails the test when more than cap. */
size_t testutil_json_doubles(const cJSON *arr, double *out, size_t cap);

/* Child of obj by key; fails the test when missing. */
const cJSON *testutil_json_get(const cJSON *obj, const char *key);

/* Largest |got - want| / max(|want|, floor) over n values; prints the
 * worst index with `label` when it exceeds tol, and fails the test. */
void testutil_assert_close(const char *label, const double *got,
                           const double *want, size_t n, double tol,
                           double floor);

/* A fresh temporary directory path (mkdtemp); caller frees. */
char *testutil_tmpdir(void);

#endif
