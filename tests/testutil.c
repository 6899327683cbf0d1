#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *testutil_load_json(const char *name)
{
    char path[1024];
    FILE *f;
    long len;
    char *text;
    cJSON *root;

    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open reference file %s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    root = cJSON_Parse(text);
    free(text);
    if (!root)
        fail_msg("reference file %s is not valid JSON", path);
    return root;
}

size_t testutil_json_count(const cJSON *arr)
{
    const cJSON *item;
    size_t n = 0;

    if (cJSON_IsNumber(arr))
        return 1;
    cJSON_ArrayForEach(item, arr)
    {
        n += testutil_json_count(item);
    }
    return n;
}

static size_t json_flatten(const cJSON *arr, double *out, size_t cap, size_t at)
{
    const cJSON *item;

    if (cJSON_IsNumber(arr)) {
        if (at >= cap)
            fail_msg("reference array larger than %zu values", cap);
        out[at] = arr->valuedouble;
        return at + 1;
    }
    cJSON_ArrayForEach(item, arr)
    {
        at = json_flatten(item, out, cap, at);
    }
    return at;
}

size_t testutil_json_doubles(const cJSON *arr, double *out, size_t cap)
{
    return json_flatten(arr, out, cap, 0);
}

const cJSON *testutil_json_get(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!item)
        fail_msg("reference has no key '%s'", key);
    return item;
}

void testutil_assert_close(const char *label, const double *got,
                           const double *want, size_t n, double tol,
                           double floor)
{
    double worst = 0.0;
    size_t worst_at = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        double scale = fabs(want[i]) > floor ? fabs(want[i]) : floor;
        double gap = fabs(got[i] - want[i]) / scale;

        if (!(gap <= worst)) {
            worst = gap;
            worst_at = i;
        }
    }
    if (!(worst <= tol))
        fail_msg("%s: worst relative gap %.3g > %.3g at [%zu]: got %.17g, "
                 "want %.17g",
                 label, worst, tol, worst_at, got[worst_at], want[worst_at]);
}

char *testutil_tmpdir(void)
{
    char *dir = strdup("/tmp/vaesweep-test-XXXXXX");

    assert_non_null(dir);
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
    return dir;
}
