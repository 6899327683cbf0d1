/*
 * config: INI parsing with libinih, --set overrides, validation and the
 * resolved config as text.
 *
 * One table lists every key with its type and range; parsing, --set,
 * error messages ("known: ...") and config_to_ini all walk it, so a key is
 * added in one place (plus the switches that move values in and out of
 * config_t).
 *
 * libinih reads through our own line reader rather than ini_parse: the
 * reader counts lines (the library's handler gets no line number), rejects
 * unknown sections at their header line, rejects lines too long for
 * libinih's fixed buffer instead of letting it split them, and strips
 * leading whitespace so that an indented line is never taken for the
 * continuation of the previous value.
 */
#include "vaesweep/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "vaesweep/error.h"

/* Bigger than any sensible config; stops a mistaken path such as a data
 * file from being read whole into memory. */
#define CONFIG_FILE_MAX (1 << 20)

/* Characters of a value or line quoted back in a message. */
#define QUOTE_MAX 64

enum key_id {
    K_DATA_PATH,
    K_TEST_SIZE,
    K_SPLIT_SEED,
    K_FEATURES,
    K_LABELS,
    K_LATENT,
    K_EPOCHS,
    K_BATCH,
    K_LR,
    K_WEIGHT_DECAY,
    K_ALPHA_CLF,
    K_SEEDS,
    K_ALPHA_REC,
    K_ALPHA_KL,
    K_DISTANCE,
    K_LINKAGE,
    K_CONSENSUS,
    K_COASSOC_CLUSTERS,
    K_BOOTSTRAP,
    K_BOOTSTRAP_SEED,
    K_TARGET,
    K_MAX_SEEDS,
    K_SEED_BATCH,
    K_CLASSIFIER,
    K_FOLDS,
    K_STANDARDIZE,
    K_MAX_EPOCHS,
    K_SCORE_SEED,
    K_OUTPUT_PATH,
    K_COUNT
};

enum key_type {
    T_PATH,    /* non-empty text that reads back from an INI line */
    T_SEED,    /* integer in [0, CONFIG_SEED_MAX] */
    T_COUNT,   /* integer in [min, CONFIG_COUNT_MAX]; with R_AUTO, 0 too */
    T_NUMBER,  /* finite double in `range` */
    T_SEEDS,   /* list of seeds and seed ranges */
    T_NUMBERS, /* list of finite doubles in `range` */
    T_CHOICE,  /* one of `choices`, stored as its index */
    T_BOOL
};

enum range {
    R_NONNEG, /* >= 0 */
    R_POS,    /* > 0 */
    R_OPEN01, /* in (0, 1) */
    R_TARGET, /* 0, or in (0, 1) */
    R_AUTO    /* T_COUNT: 0 (chosen by the program) is accepted too */
};

struct key {
    enum key_id id;
    const char *section;
    const char *name;
    enum key_type type;
    size_t min;                 /* T_COUNT */
    enum range range;           /* T_NUMBER, T_NUMBERS */
    const char *const *choices; /* T_CHOICE, NULL-terminated, enum order */
};

static const char *const distance_names[] = {"centroid", "mean_pairwise", NULL};
/* scipy.cluster.hierarchy.linkage's method names. */
static const char *const linkage_names[] = {"complete", "average", "single",
                                            "ward", NULL};
static const char *const consensus_names[] = {"mean", "median", "coassociation",
                                              NULL};
static const char *const classifier_names[] = {"mlp", "forest", NULL};

static const char *const section_names[] = {
    "data", "vae", "sweep", "stability", "score", "output", NULL};

/* In the order of config_to_ini's text; sections stay contiguous. */
static const struct key keys[K_COUNT] = {
    {K_DATA_PATH, "data", "path", T_PATH, 0, R_NONNEG, NULL},
    {K_TEST_SIZE, "data", "test_size", T_NUMBER, 0, R_OPEN01, NULL},
    {K_SPLIT_SEED, "data", "split_seed", T_SEED, 0, R_NONNEG, NULL},
    {K_FEATURES, "data", "features", T_PATH, 0, R_NONNEG, NULL},
    {K_LABELS, "data", "labels", T_PATH, 0, R_NONNEG, NULL},
    {K_LATENT, "vae", "latent", T_COUNT, 1, R_NONNEG, NULL},
    {K_EPOCHS, "vae", "epochs", T_COUNT, 1, R_NONNEG, NULL},
    {K_BATCH, "vae", "batch", T_COUNT, 1, R_NONNEG, NULL},
    {K_LR, "vae", "lr", T_NUMBER, 0, R_POS, NULL},
    {K_WEIGHT_DECAY, "vae", "weight_decay", T_NUMBER, 0, R_NONNEG, NULL},
    {K_ALPHA_CLF, "vae", "alpha_clf", T_NUMBER, 0, R_NONNEG, NULL},
    {K_SEEDS, "sweep", "seeds", T_SEEDS, 0, R_NONNEG, NULL},
    {K_ALPHA_REC, "sweep", "alpha_rec", T_NUMBERS, 0, R_NONNEG, NULL},
    {K_ALPHA_KL, "sweep", "alpha_kl", T_NUMBERS, 0, R_NONNEG, NULL},
    {K_DISTANCE, "sweep", "distance", T_CHOICE, 0, R_NONNEG, distance_names},
    {K_LINKAGE, "sweep", "linkage", T_CHOICE, 0, R_NONNEG, linkage_names},
    {K_CONSENSUS, "sweep", "consensus", T_CHOICE, 0, R_NONNEG, consensus_names},
    {K_COASSOC_CLUSTERS, "sweep", "coassoc_clusters", T_COUNT, 2, R_AUTO, NULL},
    {K_BOOTSTRAP, "stability", "bootstrap", T_COUNT, 0, R_NONNEG, NULL},
    {K_BOOTSTRAP_SEED, "stability", "seed", T_SEED, 0, R_NONNEG, NULL},
    {K_TARGET, "stability", "target", T_NUMBER, 0, R_TARGET, NULL},
    {K_MAX_SEEDS, "stability", "max_seeds", T_COUNT, 1, R_NONNEG, NULL},
    {K_SEED_BATCH, "stability", "seed_batch", T_COUNT, 1, R_NONNEG, NULL},
    {K_CLASSIFIER, "score", "classifier", T_CHOICE, 0, R_NONNEG,
     classifier_names},
    {K_FOLDS, "score", "folds", T_COUNT, 2, R_NONNEG, NULL},
    {K_STANDARDIZE, "score", "standardize", T_BOOL, 0, R_NONNEG, NULL},
    {K_MAX_EPOCHS, "score", "max_epochs", T_COUNT, 1, R_NONNEG, NULL},
    {K_SCORE_SEED, "score", "seed", T_SEED, 0, R_NONNEG, NULL},
    {K_OUTPUT_PATH, "output", "path", T_PATH, 0, R_NONNEG, NULL},
};

/* A parsed value before it replaces the config's (so a bad value leaves
 * the config as it was). */
struct value {
    uint64_t u; /* T_SEED, T_COUNT, T_CHOICE, T_BOOL */
    double d;   /* T_NUMBER */
    uint64_t *seeds;
    double *numbers;
    size_t n;   /* length of seeds or numbers */
    char *text; /* T_PATH */
};

/* ------------------------------------------------------------------ */
/* Small text helpers                                                  */

/* Copy src into dst for a message: control bytes become '?', and a long
 * text is cut with "...", so a binary file cannot garble the terminal. */
static void quote(char *dst, size_t cap, const char *src, size_t len)
{
    size_t i, n = len < QUOTE_MAX ? len : QUOTE_MAX;

    if (n + 4 > cap)
        n = cap - 4;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (n < len) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Edit distance (insert, delete, substitute), case-insensitive, for the
 * "did you mean" hint; names longer than 31 characters never match. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[32];

    if (la > 31 || lb > 31)
        return SIZE_MAX;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) !=
                          tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* A growing string; `failed` sticks once an allocation fails. */
struct text {
    char *s;
    size_t len, cap;
    int failed;
};

static void text_add(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *s;
        while (t->len + (size_t)n + 1 > cap)
            cap *= 2;
        s = realloc(t->s, cap);
        if (!s) {
            t->failed = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* "a, b, c" of a NULL-terminated name list, into buf. */
static void join_names(char *buf, size_t cap, const char *const *names,
                       const char *open, const char *close)
{
    size_t len = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; names[i] && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s%s%s", i ? ", " : "",
                                open, names[i], close);
}

/* ------------------------------------------------------------------ */
/* Keys and sections                                                   */

static int section_known(const char *section)
{
    int i;

    for (i = 0; section_names[i]; i++)
        if (strcmp(section_names[i], section) == 0)
            return 1;
    return 0;
}

static const struct key *key_find(const char *section, const char *name)
{
    int i;

    for (i = 0; i < K_COUNT; i++)
        if (strcmp(keys[i].section, section) == 0 &&
            strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int error_unknown_section(const char *where, const char *section)
{
    char known[256], hint[96] = "", shown[QUOTE_MAX + 4];
    size_t best = 3;
    int i;

    join_names(known, sizeof known, section_names, "[", "]");
    for (i = 0; section_names[i]; i++) {
        size_t d = edit_distance(section, section_names[i]);
        if (d < best) {
            best = d;
            snprintf(hint, sizeof hint, "; did you mean [%s]?",
                     section_names[i]);
        }
    }
    quote(shown, sizeof shown, section, strlen(section));
    return error_set("%s: unknown section [%s] (known: %s%s)", where, shown,
                     known, hint);
}

static int error_unknown_key(const char *where, const char *section,
                             const char *name)
{
    char known[256] = "", hint[96] = "", shown[QUOTE_MAX + 4];
    size_t len = 0, best = 3;
    int i;

    for (i = 0; i < K_COUNT; i++) {
        size_t d;
        if (strcmp(keys[i].section, section) != 0)
            continue;
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
                                len ? ", " : "", keys[i].name);
        d = edit_distance(name, keys[i].name);
        if (d < best) {
            best = d;
            snprintf(hint, sizeof hint, "; did you mean '%s'?", keys[i].name);
        }
    }
    quote(shown, sizeof shown, name, strlen(name));
    return error_set("%s: unknown key '%s' in [%s] (known: %s%s)", where, shown,
                     section, known, hint);
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

/* What a key accepts, for "expected ..." in messages. */
static void key_expect(const struct key *k, char *buf, size_t cap)
{
    static const char *const range_text[] = {
        [R_NONNEG] = ">= 0",
        [R_POS] = "> 0",
        [R_OPEN01] = "in (0, 1)",
        [R_TARGET] = "in (0, 1), or 0 for off",
        [R_AUTO] = "",
    };
    char names[128];

    switch (k->type) {
    case T_PATH:
        snprintf(buf, cap, "a non-empty path");
        break;
    case T_SEED:
        snprintf(buf, cap, "a seed: an integer from 0 to %lld",
                 (long long)CONFIG_SEED_MAX);
        break;
    case T_COUNT:
        if (k->range == R_AUTO)
            snprintf(buf, cap, "0 (automatic) or an integer >= %zu", k->min);
        else
            snprintf(buf, cap, "an integer >= %zu", k->min);
        break;
    case T_NUMBER:
        snprintf(buf, cap, "a number %s", range_text[k->range]);
        break;
    case T_SEEDS:
        snprintf(buf, cap,
                 "a list of distinct seeds (integers >= 0) and ranges, "
                 "e.g. 0-7 or 0,3,9 or 0-3,10-12");
        break;
    case T_NUMBERS:
        snprintf(buf, cap, "a comma-separated list of distinct numbers %s",
                 range_text[k->range]);
        break;
    case T_CHOICE:
        join_names(names, sizeof names, k->choices, "", "");
        snprintf(buf, cap, "one of: %s", names);
        break;
    case T_BOOL:
        snprintf(buf, cap, "true or false (also yes/no, 1/0)");
        break;
    }
}

static int range_ok(enum range r, double x)
{
    switch (r) {
    case R_NONNEG:
        return x >= 0.0;
    case R_POS:
        return x > 0.0;
    case R_OPEN01:
        return x > 0.0 && x < 1.0;
    case R_TARGET:
        return x == 0.0 || (x > 0.0 && x < 1.0);
    case R_AUTO:
        break;
    }
    return 0;
}

/* Decimal digits at *s as an integer <= max.  Returns 0 and moves *s past
 * the digits; -1 when there are no digits; 1 when the value is > max. */
static int scan_uint(const char **s, uint64_t max, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    int over = 0;

    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (v > (max - digit) / 10)
            over = 1;
        else
            v = v * 10 + digit;
    }
    *s = p;
    *out = v;
    return over;
}

/* One integer filling the whole of s; why receives the problem. */
static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
                      char *why, size_t cap)
{
    const char *p = s;
    int rc = scan_uint(&p, max, out);

    if (rc < 0) {
        snprintf(why, cap, "%s",
                 s[0] == '-' && isdigit((unsigned char)s[1])
                     ? "negative"
                     : "not an integer");
        return -1;
    }
    if (*p) {
        char rest[QUOTE_MAX + 4];
        quote(rest, sizeof rest, p, strlen(p));
        snprintf(why, cap, "unexpected '%s' after the integer", rest);
        return -1;
    }
    if (rc > 0) {
        snprintf(why, cap, "too large (the limit is %llu)",
                 (unsigned long long)max);
        return -1;
    }
    if (*out < min) {
        snprintf(why, cap, "too small");
        return -1;
    }
    return 0;
}

/* One finite double filling the whole of s (strtod's syntax, "C" locale
 * as the program never calls setlocale). */
static int parse_double(const char *s, enum range range, double *out, char *why,
                        size_t cap)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    if (end == s || is_blank(*s)) {
        snprintf(why, cap, "not a number");
        return -1;
    }
    if (*end) {
        char rest[QUOTE_MAX + 4];
        quote(rest, sizeof rest, end, strlen(end));
        snprintf(why, cap, "unexpected '%s' after the number", rest);
        return -1;
    }
    if (!isfinite(*out)) {
        snprintf(why, cap, "not finite");
        return -1;
    }
    if (errno == ERANGE) {
        snprintf(why, cap, "out of the range of a double");
        return -1;
    }
    if (!range_ok(range, *out)) {
        snprintf(why, cap, "out of range");
        return -1;
    }
    return 0;
}

/* The items of a comma-separated list: start and length of item i, with
 * blanks around it trimmed. */
static size_t list_count(const char *s)
{
    size_t n = 1;

    for (; *s; s++)
        n += *s == ',';
    return n;
}

static const char *list_item(const char *s, size_t *len)
{
    const char *end;

    while (is_blank(*s))
        s++;
    end = s;
    while (*end && *end != ',')
        end++;
    *len = (size_t)(end - s);
    while (*len > 0 && is_blank(s[*len - 1]))
        (*len)--;
    return end;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "0-7", "0,3,9", "0-3,10-12": expanded in the order written. */
static int parse_seeds(const char *s, struct value *v, char *why, size_t cap)
{
    size_t n_items = list_count(s), i, total = 0;
    uint64_t *lo = error_calloc(n_items, sizeof *lo, "seed ranges");
    uint64_t *hi = error_calloc(n_items, sizeof *hi, "seed ranges");
    uint64_t *sorted = NULL;
    const char *p = s;
    char item[QUOTE_MAX + 4];
    int rc = -1;

    if (!lo || !hi) {
        snprintf(why, cap, "%s", error_text());
        goto done;
    }
    for (i = 0; i < n_items; i++) {
        size_t len;
        const char *start = p, *q;
        int over;

        while (is_blank(*start))
            start++;
        p = list_item(p, &len);
        quote(item, sizeof item, start, len);
        if (len == 0) {
            snprintf(why, cap, "%s",
                     n_items == 1 ? "at least one seed needed"
                                  : "empty item in the list");
            goto done;
        }
        q = start;
        over = scan_uint(&q, CONFIG_SEED_MAX, &lo[i]);
        hi[i] = lo[i];
        if (over == 0 && q < start + len) {
            while (is_blank(*q))
                q++;
            if (*q == '-') {
                q++;
                while (is_blank(*q))
                    q++;
                over = scan_uint(&q, CONFIG_SEED_MAX, &hi[i]);
            } else {
                over = -1;
            }
        }
        if (over < 0 || q != start + len) {
            snprintf(why, cap, "'%s' is not a seed or a range a-b", item);
            goto done;
        }
        if (over > 0) {
            snprintf(why, cap, "'%s' is too large (seeds go up to %lld)", item,
                     (long long)CONFIG_SEED_MAX);
            goto done;
        }
        if (hi[i] < lo[i]) {
            snprintf(why, cap,
                     "empty seed range '%s': the first seed must "
                     "not exceed the last",
                     item);
            goto done;
        }
        if (hi[i] - lo[i] >= CONFIG_LIST_MAX - total) {
            snprintf(why, cap, "more than %d seeds", CONFIG_LIST_MAX);
            goto done;
        }
        total += (size_t)(hi[i] - lo[i]) + 1;
        p += *p == ',';
    }

    v->seeds = error_calloc(total, sizeof *v->seeds, "seed list");
    sorted = error_calloc(total, sizeof *sorted, "seed list");
    if (!v->seeds || !sorted) {
        snprintf(why, cap, "%s", error_text());
        goto done;
    }
    v->n = 0;
    for (i = 0; i < n_items; i++) {
        uint64_t seed = lo[i];
        for (;;) {
            v->seeds[v->n++] = seed;
            if (seed == hi[i])
                break;
            seed++;
        }
    }
    memcpy(sorted, v->seeds, total * sizeof *sorted);
    qsort(sorted, total, sizeof *sorted, cmp_u64);
    for (i = 1; i < total; i++)
        if (sorted[i] == sorted[i - 1]) {
            snprintf(why, cap, "seed %llu appears twice",
                     (unsigned long long)sorted[i]);
            goto done;
        }
    rc = 0;

done:
    free(lo);
    free(hi);
    free(sorted);
    if (rc < 0) {
        free(v->seeds);
        v->seeds = NULL;
    }
    return rc;
}

static int parse_numbers(const char *s, enum range range, struct value *v,
                         char *why, size_t cap)
{
    size_t n = list_count(s), i;
    double *sorted = NULL;
    const char *p = s;
    char item[QUOTE_MAX + 4], one[256], detail[200];
    int rc = -1;

    if (n > CONFIG_LIST_MAX) {
        snprintf(why, cap, "more than %d values", CONFIG_LIST_MAX);
        return -1;
    }
    v->numbers = error_calloc(n, sizeof *v->numbers, "number list");
    sorted = error_calloc(n, sizeof *sorted, "number list");
    if (!v->numbers || !sorted) {
        snprintf(why, cap, "%s", error_text());
        goto done;
    }
    for (i = 0; i < n; i++) {
        size_t len;
        const char *start = p;

        while (is_blank(*start))
            start++;
        p = list_item(p, &len);
        if (len == 0) {
            snprintf(why, cap, "%s",
                     n == 1 ? "at least one value needed"
                            : "empty item in the list");
            goto done;
        }
        quote(item, sizeof item, start, len);
        if (len >= sizeof one) {
            snprintf(why, cap, "item '%s' is too long", item);
            goto done;
        }
        memcpy(one, start, len);
        one[len] = '\0';
        if (parse_double(one, range, &v->numbers[i], detail, sizeof detail) <
            0) {
            snprintf(why, cap, "item '%s': %s", item, detail);
            goto done;
        }
        p += *p == ',';
    }
    memcpy(sorted, v->numbers, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (i = 1; i < n; i++)
        if (sorted[i] == sorted[i - 1]) {
            /* Two equal settings would train the same runs twice and
             * count them twice in the consensus. */
            snprintf(why, cap, "%.17g appears twice", sorted[i]);
            goto done;
        }
    v->n = n;
    rc = 0;

done:
    free(sorted);
    if (rc < 0) {
        free(v->numbers);
        v->numbers = NULL;
    }
    return rc;
}

/* A path must come back unchanged from config_to_ini's "key = path" line:
 * libinih trims blanks and cuts at " ;" (an inline comment). */
static int parse_path(const char *s, struct value *v, char *why, size_t cap)
{
    size_t i, len = strlen(s);

    if (len == 0) {
        snprintf(why, cap, "empty");
        return -1;
    }
    if (is_blank(s[0]) || is_blank(s[len - 1]) || s[0] == ';') {
        snprintf(why, cap,
                 "it may not start or end with a blank or start "
                 "with ';'");
        return -1;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            snprintf(why, cap, "it holds a control character");
            return -1;
        }
        if (ch == ';' && is_blank(s[i - 1])) {
            snprintf(why, cap, "' ;' would start a comment in the file");
            return -1;
        }
    }
    v->text = strdup(s);
    if (!v->text) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    return 0;
}

static int parse_bool(const char *s, uint64_t *out)
{
    static const char *const yes[] = {"true", "yes", "1"};
    static const char *const no[] = {"false", "no", "0"};
    size_t i, n = strlen(s);
    char low[8];

    if (n >= sizeof low)
        return -1;
    for (i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    for (i = 0; i < 3; i++) {
        if (strcmp(low, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(low, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int parse_value(const struct key *k, const char *s, struct value *v,
                       char *why, size_t cap)
{
    size_t i;

    switch (k->type) {
    case T_PATH:
        return parse_path(s, v, why, cap);
    case T_SEED:
        return parse_uint(s, 0, CONFIG_SEED_MAX, &v->u, why, cap);
    case T_COUNT:
        if (k->range != R_AUTO)
            return parse_uint(s, k->min, CONFIG_COUNT_MAX, &v->u, why, cap);
        if (parse_uint(s, 0, CONFIG_COUNT_MAX, &v->u, why, cap) < 0)
            return -1;
        if (v->u != 0 && v->u < k->min) {
            snprintf(why, cap, "too small");
            return -1;
        }
        return 0;
    case T_NUMBER:
        return parse_double(s, k->range, &v->d, why, cap);
    case T_SEEDS:
        return parse_seeds(s, v, why, cap);
    case T_NUMBERS:
        return parse_numbers(s, k->range, v, why, cap);
    case T_CHOICE:
        for (i = 0; k->choices[i]; i++)
            if (strcmp(s, k->choices[i]) == 0) {
                v->u = i;
                return 0;
            }
        snprintf(why, cap, "not a known choice");
        return -1;
    case T_BOOL:
        if (parse_bool(s, &v->u) == 0)
            return 0;
        snprintf(why, cap, "not a boolean");
        return -1;
    }
    return -1;
}

/* Move a parsed value into the config, freeing what it replaces. */
static void store_value(config_t *c, enum key_id id, struct value *v)
{
    switch (id) {
    case K_DATA_PATH:
        free(c->data_path);
        c->data_path = v->text;
        break;
    case K_TEST_SIZE:
        c->test_size = v->d;
        break;
    case K_SPLIT_SEED:
        c->split_seed = v->u;
        break;
    case K_FEATURES:
        free(c->data_features);
        c->data_features = v->text;
        break;
    case K_LABELS:
        free(c->data_labels);
        c->data_labels = v->text;
        break;
    case K_LATENT:
        c->latent = (size_t)v->u;
        break;
    case K_EPOCHS:
        c->epochs = (size_t)v->u;
        break;
    case K_BATCH:
        c->batch = (size_t)v->u;
        break;
    case K_LR:
        c->lr = v->d;
        break;
    case K_WEIGHT_DECAY:
        c->weight_decay = v->d;
        break;
    case K_ALPHA_CLF:
        c->alpha_clf = v->d;
        break;
    case K_SEEDS:
        free(c->seeds);
        c->seeds = v->seeds;
        c->n_seeds = v->n;
        break;
    case K_ALPHA_REC:
        free(c->alpha_rec);
        c->alpha_rec = v->numbers;
        c->n_alpha_rec = v->n;
        break;
    case K_ALPHA_KL:
        free(c->alpha_kl);
        c->alpha_kl = v->numbers;
        c->n_alpha_kl = v->n;
        break;
    case K_DISTANCE:
        c->distance = (enum config_distance)v->u;
        break;
    case K_LINKAGE:
        c->linkage = (enum config_linkage)v->u;
        break;
    case K_CONSENSUS:
        c->consensus = (enum config_consensus)v->u;
        break;
    case K_COASSOC_CLUSTERS:
        c->coassoc_clusters = (size_t)v->u;
        break;
    case K_BOOTSTRAP:
        c->bootstrap = (size_t)v->u;
        break;
    case K_BOOTSTRAP_SEED:
        c->bootstrap_seed = v->u;
        break;
    case K_TARGET:
        c->target = v->d;
        break;
    case K_MAX_SEEDS:
        c->max_seeds = (size_t)v->u;
        break;
    case K_SEED_BATCH:
        c->seed_batch = (size_t)v->u;
        break;
    case K_CLASSIFIER:
        c->classifier = (enum config_classifier)v->u;
        break;
    case K_FOLDS:
        c->folds = (size_t)v->u;
        break;
    case K_STANDARDIZE:
        c->standardize = v->u != 0;
        break;
    case K_MAX_EPOCHS:
        c->max_epochs = (size_t)v->u;
        break;
    case K_SCORE_SEED:
        c->score_seed = v->u;
        break;
    case K_OUTPUT_PATH:
        free(c->output_path);
        c->output_path = v->text;
        break;
    case K_COUNT:
        break;
    }
}

/* Parse `text` for key k and store it; on failure record
 * "<where>: [section] key = text: expected ... (why)" and leave c as is. */
static int apply_value(config_t *c, const struct key *k, const char *text,
                       const char *where)
{
    struct value v = {0};
    char why[256];

    if (parse_value(k, text, &v, why, sizeof why) < 0) {
        char expect[256], shown[QUOTE_MAX + 4];
        key_expect(k, expect, sizeof expect);
        quote(shown, sizeof shown, text, strlen(text));
        return error_set("%s: [%s] %s = %s: expected %s (%s)", where,
                         k->section, k->name, shown, expect, why);
    }
    store_value(c, k->id, &v);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

/* The fewest significant digits that read back to exactly x (as
 * Python's repr does), so the text round-trips without 0.1 turning into
 * 0.10000000000000001. */
static void format_double(char *buf, size_t cap, double x)
{
    int prec;

    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
    snprintf(buf, cap, "%.17g", x);
}

/* Seeds in their order, consecutive ascending runs of three or more
 * written as ranges. */
static void format_seeds(struct text *t, const uint64_t *seeds, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t j = i;
        while (j + 1 < n && seeds[j] != UINT64_MAX &&
               seeds[j + 1] == seeds[j] + 1)
            j++;
        if (j - i >= 2) {
            text_add(t, "%s%llu-%llu", i ? ", " : "",
                     (unsigned long long)seeds[i],
                     (unsigned long long)seeds[j]);
            i = j + 1;
        } else {
            text_add(t, "%s%llu", i ? ", " : "", (unsigned long long)seeds[i]);
            i++;
        }
    }
}

static void format_numbers(struct text *t, const double *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char buf[40];
        format_double(buf, sizeof buf, x[i]);
        text_add(t, "%s%s", i ? ", " : "", buf);
    }
}

/* Index of an enum value into its name list, or the first name when the
 * value is outside the list (a hand-made config). */
static const char *choice_name(const char *const *names, unsigned value)
{
    unsigned i;

    for (i = 0; names[i]; i++)
        if (i == value)
            return names[i];
    return names[0];
}

static void format_value(struct text *t, const config_t *c, const struct key *k)
{
    double d = 0.0;
    uint64_t u = 0;

    switch (k->id) {
    case K_DATA_PATH:
        text_add(t, "%s", c->data_path ? c->data_path : "");
        return;
    case K_OUTPUT_PATH:
        text_add(t, "%s", c->output_path ? c->output_path : "");
        return;
    case K_FEATURES:
        text_add(t, "%s", c->data_features ? c->data_features : "");
        return;
    case K_LABELS:
        text_add(t, "%s", c->data_labels ? c->data_labels : "");
        return;
    case K_SEEDS:
        format_seeds(t, c->seeds, c->n_seeds);
        return;
    case K_ALPHA_REC:
        format_numbers(t, c->alpha_rec, c->n_alpha_rec);
        return;
    case K_ALPHA_KL:
        format_numbers(t, c->alpha_kl, c->n_alpha_kl);
        return;
    case K_DISTANCE:
        text_add(t, "%s", choice_name(k->choices, (unsigned)c->distance));
        return;
    case K_LINKAGE:
        text_add(t, "%s", choice_name(k->choices, (unsigned)c->linkage));
        return;
    case K_CONSENSUS:
        text_add(t, "%s", choice_name(k->choices, (unsigned)c->consensus));
        return;
    case K_CLASSIFIER:
        text_add(t, "%s", choice_name(k->choices, (unsigned)c->classifier));
        return;
    case K_STANDARDIZE:
        text_add(t, "%s", c->standardize ? "true" : "false");
        return;
    case K_TEST_SIZE:
        d = c->test_size;
        break;
    case K_LR:
        d = c->lr;
        break;
    case K_WEIGHT_DECAY:
        d = c->weight_decay;
        break;
    case K_ALPHA_CLF:
        d = c->alpha_clf;
        break;
    case K_TARGET:
        d = c->target;
        break;
    case K_SPLIT_SEED:
        u = c->split_seed;
        break;
    case K_LATENT:
        u = c->latent;
        break;
    case K_EPOCHS:
        u = c->epochs;
        break;
    case K_BATCH:
        u = c->batch;
        break;
    case K_COASSOC_CLUSTERS:
        u = c->coassoc_clusters;
        break;
    case K_BOOTSTRAP:
        u = c->bootstrap;
        break;
    case K_BOOTSTRAP_SEED:
        u = c->bootstrap_seed;
        break;
    case K_MAX_SEEDS:
        u = c->max_seeds;
        break;
    case K_SEED_BATCH:
        u = c->seed_batch;
        break;
    case K_FOLDS:
        u = c->folds;
        break;
    case K_MAX_EPOCHS:
        u = c->max_epochs;
        break;
    case K_SCORE_SEED:
        u = c->score_seed;
        break;
    case K_COUNT:
        return;
    }
    if (k->type == T_NUMBER) {
        char buf[40];
        format_double(buf, sizeof buf, d);
        text_add(t, "%s", buf);
    } else {
        text_add(t, "%llu", (unsigned long long)u);
    }
}

/* ------------------------------------------------------------------ */
/* Reading INI text                                                    */

struct parse {
    config_t *c;
    const char *name; /* file name for messages */
    const char *text; /* the whole file */
    const char *pos;  /* start of the next line for the reader */
    int line;         /* lines handed to libinih so far */
    int err_line;     /* line of our first error; 0 while none */
    int set_line[K_COUNT];
};

/* Start and length of line `line` (1-based) of text, without '\n'. */
static const char *line_at(const char *text, int line, size_t *len)
{
    const char *end;

    while (--line > 0 && (text = strchr(text, '\n')) != NULL)
        text++;
    if (!text) {
        *len = 0;
        return "";
    }
    end = strchr(text, '\n');
    *len = end ? (size_t)(end - text) : strlen(text);
    return text;
}

/* libinih's fgets-style reader over the text in memory.  Returning NULL
 * ends the parse, which is how an error found here stops it. */
static char *parse_reader(char *buf, int num, void *stream)
{
    struct parse *p = stream;
    const char *s = p->pos, *eol;
    size_t len, raw;

    if (p->err_line || *s == '\0')
        return NULL;
    eol = strchr(s, '\n');
    raw = eol ? (size_t)(eol - s) : strlen(s);
    p->pos = eol ? eol + 1 : s + raw;
    p->line++;

    if (raw > CONFIG_LINE_MAX || raw + 1 > (size_t)num) {
        p->err_line = p->line;
        error_set("%s:%d: line of %zu characters: expected at most %d "
                  "(split a long list into ranges such as 0-99)",
                  p->name, p->line, raw, CONFIG_LINE_MAX);
        return NULL;
    }
    while (raw > 0 && isspace((unsigned char)*s)) {
        s++;
        raw--;
    }
    len = raw;
    memcpy(buf, s, len);
    buf[len] = '\0';

    /* Check a section name here, at its own line: libinih only tells the
     * handler about sections that hold keys. */
    if (buf[0] == '[') {
        char *close = strchr(buf + 1, ']');
        if (close) {
            *close = '\0';
            if (!section_known(buf + 1)) {
                char where[300];
                snprintf(where, sizeof where, "%s:%d", p->name, p->line);
                p->err_line = p->line;
                error_unknown_section(where, buf + 1);
            }
            *close = ']';
        }
    }
    return buf;
}

static int parse_handler(void *user, const char *section, const char *name,
                         const char *value)
{
    struct parse *p = user;
    const struct key *k;
    char where[300];

    if (p->err_line)
        return 0;
    snprintf(where, sizeof where, "%s:%d", p->name, p->line);
    if (section[0] == '\0') {
        char known[256], shown[QUOTE_MAX + 4];
        join_names(known, sizeof known, section_names, "[", "]");
        quote(shown, sizeof shown, name, strlen(name));
        error_set("%s: key '%s' is outside any section: expected it under "
                  "one of %s",
                  where, shown, known);
        p->err_line = p->line;
        return 0;
    }
    k = key_find(section, name);
    if (!k) {
        if (section_known(section))
            error_unknown_key(where, section, name);
        else
            error_unknown_section(where, section);
        p->err_line = p->line;
        return 0;
    }
    if (p->set_line[k->id]) {
        error_set("%s: [%s] %s is set a second time (first at line %d): "
                  "expected each key once",
                  where, k->section, k->name, p->set_line[k->id]);
        p->err_line = p->line;
        return 0;
    }
    if (apply_value(p->c, k, value, where) < 0) {
        p->err_line = p->line;
        return 0;
    }
    p->set_line[k->id] = p->line;
    return 1;
}

/* Parse NUL-terminated text of length len into c (already defaulted). */
static int parse_text(config_t *c, const char *text, size_t len,
                      const char *name)
{
    struct parse p = {0};
    const char *nul = memchr(text, '\0', len);
    int rc;

    if (nul) {
        int line = 1;
        const char *s;
        for (s = text; s < nul; s++)
            line += *s == '\n';
        return error_set("%s:%d: NUL byte in the file: expected a text "
                         "file",
                         name, line);
    }
    /* libinih skips a UTF-8 byte order mark too; skipping it here keeps
     * the reader's view of the first line the same as the library's. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    p.c = c;
    p.name = name;
    p.text = text;
    p.pos = text;
    rc = ini_parse_stream(parse_reader, &p, parse_handler, &p);
    if (rc < 0)
        return error_set("%s: libinih failed to parse it (%d, out of "
                         "memory?)",
                         name, rc);
    /* libinih returns the first line it found wrong, which is ours
     * (message already recorded) unless a syntax error came earlier. */
    if (rc > 0 && (p.err_line == 0 || rc < p.err_line)) {
        size_t n;
        const char *line = line_at(text, rc, &n);
        char shown[QUOTE_MAX + 4];
        while (n > 0 && is_blank(*line)) {
            line++;
            n--;
        }
        while (n > 0 && isspace((unsigned char)line[n - 1]))
            n--;
        quote(shown, sizeof shown, line, n);
        return error_set("%s:%d: cannot read '%s': expected '[section]', "
                         "'key = value' or a comment starting with ';' or "
                         "'#'",
                         name, rc, shown);
    }
    return p.err_line ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

int config_default(config_t *c)
{
    /* 512 seeds of METHOD.md's weights: measured on digits, two halves
     * of 256 seeds agree to a split-half correlation of 0.97 (README). */
    static const double rec[] = {0.1};
    static const double kl[] = {0.01};
    size_t i;

    memset(c, 0, sizeof *c);
    c->test_size = 0.3;
    c->latent = 2;
    c->epochs = 35;
    c->batch = 16;
    c->lr = 0.002;
    c->weight_decay = 0.001;
    c->alpha_clf = 1.0;
    c->distance = CONFIG_DISTANCE_CENTROID;
    c->linkage = CONFIG_LINKAGE_COMPLETE;
    c->consensus = CONFIG_CONSENSUS_MEAN;
    c->bootstrap = 1000;
    c->max_seeds = 2048;
    c->seed_batch = 64;
    c->classifier = CONFIG_CLASSIFIER_MLP;
    c->folds = 5;
    c->standardize = false;
    c->max_epochs = 1000;

    c->n_seeds = 512;
    c->n_alpha_rec = 1;
    c->n_alpha_kl = 1;
    c->seeds = error_calloc(c->n_seeds, sizeof *c->seeds, "default seeds");
    c->alpha_rec = error_calloc(1, sizeof *c->alpha_rec, "default alpha_rec");
    c->alpha_kl = error_calloc(1, sizeof *c->alpha_kl, "default alpha_kl");
    c->data_path = strdup("data/digits.csv.gz");
    c->data_features = strdup("features");
    c->data_labels = strdup("labels");
    c->output_path = strdup("results/digits.h5");
    if (!c->seeds || !c->alpha_rec || !c->alpha_kl || !c->data_path ||
        !c->data_features || !c->data_labels || !c->output_path) {
        config_free(c);
        return error_set("out of memory for the default config");
    }
    for (i = 0; i < c->n_seeds; i++)
        c->seeds[i] = i;
    memcpy(c->alpha_rec, rec, sizeof rec);
    memcpy(c->alpha_kl, kl, sizeof kl);
    return 0;
}

int config_load_string(config_t *c, const char *text, const char *name)
{
    if (config_default(c) < 0)
        return -1;
    if (parse_text(c, text, strlen(text), name) < 0) {
        config_free(c);
        return -1;
    }
    return 0;
}

int config_load(config_t *c, const char *path)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    int rc;

    memset(c, 0, sizeof *c);
    f = fopen(path, "rb");
    if (!f)
        return error_set("cannot open config '%s': %s", path, strerror(errno));
    do {
        if (len + 4096 + 1 > cap) {
            char *grown;
            cap = cap ? 2 * cap : 8192;
            grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return error_set("out of memory reading config '%s'", path);
            }
            buf = grown;
        }
        got = fread(buf + len, 1, 4096, f);
        len += got;
    } while (got > 0 && len <= CONFIG_FILE_MAX);
    if (ferror(f)) {
        int err = errno;
        free(buf);
        fclose(f);
        return error_set("cannot read config '%s': %s", path, strerror(err));
    }
    fclose(f);
    if (len > CONFIG_FILE_MAX) {
        free(buf);
        return error_set("config '%s' is larger than %d bytes: expected a "
                         "small INI file (is it the right path?)",
                         path, CONFIG_FILE_MAX);
    }
    buf[len] = '\0';

    rc = config_default(c);
    if (rc == 0 && parse_text(c, buf, len, path) < 0) {
        config_free(c);
        rc = -1;
    }
    free(buf);
    return rc;
}

int config_set(config_t *c, const char *assignment)
{
    const char *eq = strchr(assignment, '='), *dot, *s, *e;
    char section[64], name[64], where[200], shown[QUOTE_MAX + 4];
    char *value;
    const struct key *k;
    size_t n;
    int rc;

    quote(shown, sizeof shown, assignment, strlen(assignment));
    if (!eq)
        return error_set("--set '%s': expected section.key=value, e.g. "
                         "vae.epochs=50",
                         shown);
    s = assignment;
    e = eq;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    dot = memchr(s, '.', (size_t)(e - s));
    if (!dot || dot == s || dot + 1 == e ||
        (size_t)(dot - s) >= sizeof section ||
        (size_t)(e - dot - 1) >= sizeof name)
        return error_set("--set '%s': expected section.key=value, e.g. "
                         "vae.epochs=50",
                         shown);
    memcpy(section, s, (size_t)(dot - s));
    section[dot - s] = '\0';
    memcpy(name, dot + 1, (size_t)(e - dot - 1));
    name[e - dot - 1] = '\0';
    snprintf(where, sizeof where, "--set %s.%s", section, name);
    if (!section_known(section))
        return error_unknown_section(where, section);
    k = key_find(section, name);
    if (!k)
        return error_unknown_key(where, section, name);

    s = eq + 1;
    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    value = malloc(n + 1);
    if (!value)
        return error_set("%s: out of memory", where);
    memcpy(value, s, n);
    value[n] = '\0';
    rc = apply_value(c, k, value, where);
    free(value);
    return rc;
}

static uint64_t seeds_max(const config_t *c)
{
    uint64_t m = 0;
    size_t i;

    for (i = 0; i < c->n_seeds; i++)
        if (c->seeds[i] > m)
            m = c->seeds[i];
    return m;
}

int config_validate(const config_t *c)
{
    size_t seeds = c->n_seeds, per_seed;
    char *ini;
    const char *line;

    if (!c->seeds || !c->n_seeds || !c->alpha_rec || !c->n_alpha_rec ||
        !c->alpha_kl || !c->n_alpha_kl || !c->data_path || !c->data_features ||
        !c->data_labels || !c->output_path)
        return error_set("config: a list or path is empty: expected a "
                         "config from config_load or config_default");
    if (c->target > 0.0) {
        if (c->max_seeds < c->n_seeds)
            return error_set(
                "config: [stability] max_seeds = %zu is below the %zu "
                "seeds of [sweep] seeds: expected max_seeds >= %zu when "
                "[stability] target is set (or target = 0)",
                c->max_seeds, c->n_seeds, c->n_seeds);
        if (c->max_seeds - c->n_seeds >
            (uint64_t)CONFIG_SEED_MAX - seeds_max(c))
            return error_set(
                "config: the seeds added towards [stability] target follow "
                "the largest listed seed and would pass %lld: expected "
                "smaller seeds in [sweep] seeds or a smaller max_seeds",
                (long long)CONFIG_SEED_MAX);
        seeds = c->max_seeds;
    }
    per_seed = c->n_alpha_rec * c->n_alpha_kl;
    if (per_seed > CONFIG_RUNS_MAX || seeds > CONFIG_RUNS_MAX / per_seed)
        return error_set("config: %zu seeds x %zu alpha_rec x %zu alpha_kl "
                         "is more than %d runs: expected fewer seeds or "
                         "weights",
                         seeds, c->n_alpha_rec, c->n_alpha_kl, CONFIG_RUNS_MAX);
    /* Each resample builds a dendrogram on rank 0: 1e6 take about 1 s. */
    if (c->bootstrap > CONFIG_BOOTSTRAP_MAX)
        return error_set("config: [stability] bootstrap = %zu: expected at "
                         "most %d resamples (1000 are plenty for a support "
                         "to 0.02)",
                         c->bootstrap, CONFIG_BOOTSTRAP_MAX);
    if (strcmp(c->data_path, c->output_path) == 0)
        return error_set("config: [output] path = [data] path = '%s': "
                         "expected a results file apart from the data, "
                         "which would be overwritten",
                         c->data_path);

    /* Every line must read back through libinih's fixed line buffer. */
    ini = config_to_ini(c);
    if (!ini)
        return -1;
    for (line = ini; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > CONFIG_LINE_MAX) {
            char shown[QUOTE_MAX + 4];
            quote(shown, sizeof shown, line, len);
            free(ini);
            return error_set("config: '%s' takes %zu characters: expected "
                             "at most %d per line (use seed ranges such as "
                             "0-99, fewer values or a shorter path)",
                             shown, len, CONFIG_LINE_MAX);
        }
        line += len + (eol != NULL);
    }
    free(ini);
    return 0;
}

size_t config_run_count(const config_t *c)
{
    return c->n_seeds * c->n_alpha_rec * c->n_alpha_kl;
}

size_t config_run_max(const config_t *c)
{
    size_t seeds = c->n_seeds;

    if (c->target > 0.0 && c->max_seeds > seeds)
        seeds = c->max_seeds;
    return seeds * c->n_alpha_rec * c->n_alpha_kl;
}

uint64_t config_seed(const config_t *c, size_t i)
{
    if (i < c->n_seeds)
        return c->seeds[i];
    return seeds_max(c) + 1 + (uint64_t)(i - c->n_seeds);
}

void config_run(const config_t *c, size_t r, uint64_t *seed, double *a_rec,
                double *a_kl)
{
    size_t per_seed = c->n_alpha_rec * c->n_alpha_kl;

    *seed = config_seed(c, r / per_seed);
    *a_rec = c->alpha_rec[(r / c->n_alpha_kl) % c->n_alpha_rec];
    *a_kl = c->alpha_kl[r % c->n_alpha_kl];
}

char *config_to_ini(const config_t *c)
{
    struct text t = {0};
    const char *section = "";
    int i;

    for (i = 0; i < K_COUNT; i++) {
        if (strcmp(keys[i].section, section) != 0) {
            section = keys[i].section;
            text_add(&t, "%s[%s]\n", i ? "\n" : "", section);
        }
        text_add(&t, "%s = ", keys[i].name);
        format_value(&t, c, &keys[i]);
        text_add(&t, "\n");
    }
    if (t.failed || !t.s) {
        free(t.s);
        error_set("out of memory writing the config as INI text");
        return NULL;
    }
    return t.s;
}

void config_free(config_t *c)
{
    if (!c)
        return;
    free(c->data_path);
    free(c->data_features);
    free(c->data_labels);
    free(c->output_path);
    free(c->seeds);
    free(c->alpha_rec);
    free(c->alpha_kl);
    c->data_path = NULL;
    c->data_features = NULL;
    c->data_labels = NULL;
    c->output_path = NULL;
    c->seeds = NULL;
    c->alpha_rec = NULL;
    c->alpha_kl = NULL;
    c->n_seeds = 0;
    c->n_alpha_rec = 0;
    c->n_alpha_kl = 0;
}
