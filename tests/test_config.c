/* config: defaults, the shipped configs, --set, round trips through
 * config_to_ini, a table of bad inputs with the message each must give,
 * and a fuzz of mutated configs. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaesweep/config.h"
#include "vaesweep/error.h"
#include "vaesweep/rng.h"

#define DIGITS_INI PROJECT_DIR "/config/digits.ini"
#define TINY_INI   PROJECT_DIR "/config/tiny.ini"

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Every field equal, doubles bit for bit (the text must round-trip). */
static void assert_config_equal(const config_t *a, const config_t *b)
{
    size_t i;

    assert_string_equal(a->data_path, b->data_path);
    assert_true(a->test_size == b->test_size);
    assert_true(a->split_seed == b->split_seed);
    assert_string_equal(a->data_features, b->data_features);
    assert_string_equal(a->data_labels, b->data_labels);
    assert_int_equal(a->latent, b->latent);
    assert_int_equal(a->epochs, b->epochs);
    assert_int_equal(a->batch, b->batch);
    assert_true(a->lr == b->lr);
    assert_true(a->weight_decay == b->weight_decay);
    assert_true(a->alpha_clf == b->alpha_clf);
    assert_int_equal(a->n_seeds, b->n_seeds);
    for (i = 0; i < a->n_seeds; i++)
        assert_true(a->seeds[i] == b->seeds[i]);
    assert_int_equal(a->n_alpha_rec, b->n_alpha_rec);
    for (i = 0; i < a->n_alpha_rec; i++)
        assert_true(a->alpha_rec[i] == b->alpha_rec[i]);
    assert_int_equal(a->n_alpha_kl, b->n_alpha_kl);
    for (i = 0; i < a->n_alpha_kl; i++)
        assert_true(a->alpha_kl[i] == b->alpha_kl[i]);
    assert_int_equal(a->distance, b->distance);
    assert_int_equal(a->linkage, b->linkage);
    assert_int_equal(a->consensus, b->consensus);
    assert_int_equal(a->coassoc_clusters, b->coassoc_clusters);
    assert_int_equal(a->bootstrap, b->bootstrap);
    assert_true(a->bootstrap_seed == b->bootstrap_seed);
    assert_true(a->target == b->target);
    assert_int_equal(a->max_seeds, b->max_seeds);
    assert_int_equal(a->seed_batch, b->seed_batch);
    assert_int_equal(a->classifier, b->classifier);
    assert_int_equal(a->folds, b->folds);
    assert_int_equal(a->standardize, b->standardize);
    assert_int_equal(a->max_epochs, b->max_epochs);
    assert_true(a->score_seed == b->score_seed);
    assert_string_equal(a->output_path, b->output_path);
}

/* Text -> config -> text -> config gives the same config and text. */
static void assert_round_trip(const config_t *c)
{
    config_t back;
    char *ini = config_to_ini(c), *again;

    assert_non_null(ini);
    if (config_load_string(&back, ini, "round-trip") != 0)
        fail_msg("round trip failed: %s\n%s", error_text(), ini);
    assert_config_equal(c, &back);
    again = config_to_ini(&back);
    assert_non_null(again);
    assert_string_equal(ini, again);
    free(again);
    free(ini);
    config_free(&back);
}

static void test_defaults(void **state)
{
    config_t c;
    uint64_t seed;
    double rec, kl;
    size_t i;

    (void)state;
    assert_int_equal(config_default(&c), 0);
    assert_string_equal(c.data_path, "data/digits.csv.gz");
    assert_true(c.test_size == 0.3);
    assert_true(c.split_seed == 0);
    assert_string_equal(c.data_features, "features");
    assert_string_equal(c.data_labels, "labels");
    assert_int_equal(c.latent, 2);
    assert_int_equal(c.epochs, 35);
    assert_int_equal(c.batch, 16);
    assert_true(c.lr == 0.002);
    assert_true(c.weight_decay == 0.001);
    assert_true(c.alpha_clf == 1.0);
    assert_int_equal(c.n_seeds, 512);
    for (i = 0; i < 512; i++)
        assert_true(c.seeds[i] == i);
    assert_int_equal(c.n_alpha_rec, 1);
    assert_true(c.alpha_rec[0] == 0.1);
    assert_int_equal(c.n_alpha_kl, 1);
    assert_true(c.alpha_kl[0] == 0.01);
    assert_int_equal(c.distance, CONFIG_DISTANCE_CENTROID);
    assert_int_equal(c.linkage, CONFIG_LINKAGE_COMPLETE);
    assert_int_equal(c.consensus, CONFIG_CONSENSUS_MEAN);
    assert_int_equal(c.coassoc_clusters, 0);
    assert_int_equal(c.bootstrap, 1000);
    assert_true(c.target == 0.0);
    assert_int_equal(c.max_seeds, 2048);
    assert_int_equal(c.seed_batch, 64);
    assert_int_equal(c.classifier, CONFIG_CLASSIFIER_MLP);
    assert_int_equal(c.folds, 5);
    assert_false(c.standardize);
    assert_int_equal(c.max_epochs, 1000);
    assert_string_equal(c.output_path, "results/digits.h5");
    assert_int_equal(config_validate(&c), 0);
    assert_int_equal(config_run_count(&c), 512);
    assert_int_equal(config_run_max(&c), 512);
    config_run(&c, 511, &seed, &rec, &kl);
    assert_true(seed == 511 && rec == 0.1 && kl == 0.01);
    config_free(&c);
    config_free(&c); /* harmless twice */
    assert_null(c.seeds);
}

/* digits.ini is the default config written out: same values. */
static void test_load_digits(void **state)
{
    config_t c, d;

    (void)state;
    if (config_load(&c, DIGITS_INI) != 0)
        fail_msg("%s", error_text());
    assert_int_equal(config_default(&d), 0);
    assert_config_equal(&c, &d);
    assert_int_equal(config_validate(&c), 0);
    assert_int_equal(config_run_count(&c), 512);
    config_free(&c);
    config_free(&d);
}

/* The weight grid: runs come seed-major, then alpha_rec, then alpha_kl. */
static void test_load_grid(void **state)
{
    config_t c;
    size_t s, i, j, r = 0;

    (void)state;
    if (config_load(&c, PROJECT_DIR "/config/digits-grid.ini") != 0)
        fail_msg("%s", error_text());
    assert_int_equal(config_validate(&c), 0);
    assert_int_equal(config_run_count(&c), 72);
    assert_true(c.alpha_rec[0] == 0.05 && c.alpha_rec[2] == 0.2);
    assert_true(c.alpha_kl[0] == 0.005 && c.alpha_kl[2] == 0.02);
    for (s = 0; s < 8; s++)
        for (i = 0; i < 3; i++)
            for (j = 0; j < 3; j++, r++) {
                uint64_t seed;
                double rec, kl;
                config_run(&c, r, &seed, &rec, &kl);
                assert_true(seed == s);
                assert_true(rec == c.alpha_rec[i]);
                assert_true(kl == c.alpha_kl[j]);
            }
    assert_int_equal(r, 72);
    config_free(&c);
}

static void test_load_tiny(void **state)
{
    config_t c;
    uint64_t seed;
    double rec, kl;

    (void)state;
    if (config_load(&c, TINY_INI) != 0)
        fail_msg("%s", error_text());
    assert_int_equal(config_validate(&c), 0);
    assert_int_equal(config_run_count(&c), 2);
    assert_int_equal(c.epochs, 2);
    assert_int_equal(c.folds, 2);
    assert_int_equal(c.max_epochs, 20);
    config_run(&c, 1, &seed, &rec, &kl);
    assert_true(seed == 1 && rec == 0.1 && kl == 0.01);
    config_free(&c);
}

/* The second shipped example: iris, standardised scoring, 128 seeds. */
static void test_load_iris(void **state)
{
    config_t c;

    (void)state;
    if (config_load(&c, PROJECT_DIR "/config/iris.ini") != 0)
        fail_msg("%s", error_text());
    assert_int_equal(config_validate(&c), 0);
    assert_string_equal(c.data_path, "data/iris.csv");
    assert_string_equal(c.data_features, "features");
    assert_string_equal(c.data_labels, "labels");
    assert_int_equal(config_run_count(&c), 128);
    assert_int_equal(c.epochs, 100);
    assert_int_equal(c.folds, 5);
    assert_int_equal(c.coassoc_clusters, 0);
    assert_true(c.standardize);
    assert_string_equal(c.output_path, "results/iris.h5");
    assert_round_trip(&c);
    config_free(&c);
}

/* What libinih accepts around the keys: a byte order mark, CRLF ends,
 * indentation (never a continuation line), comments, "key: value", a
 * section opened twice, and an empty file (all defaults). */
static void test_load_variants(void **state)
{
    config_t c, d;

    (void)state;
    assert_int_equal(config_default(&d), 0);
    assert_int_equal(config_load_string(&c, "", "empty.ini"), 0);
    assert_config_equal(&c, &d);
    config_free(&c);

    if (config_load_string(&c,
                           "\xEF\xBB\xBF[vae]\r\n"
                           "  epochs = 3\r\n"
                           "\t latent = 4 ; inline comment\r\n"
                           "  # indented comment\r\n"
                           "[score]\n"
                           "folds: 3\n"
                           "[vae]\n"
                           "batch=8\n",
                           "variants.ini") != 0)
        fail_msg("%s", error_text());
    assert_int_equal(c.epochs, 3);
    assert_int_equal(c.latent, 4);
    assert_int_equal(c.folds, 3);
    assert_int_equal(c.batch, 8);
    assert_int_equal(c.n_seeds, 512);
    config_free(&c);
    config_free(&d);

    /* The name given stands for the file in messages. */
    assert_int_equal(
        config_load_string(&c, "[vae]\nlr = -1\n", "results.h5:/config"), -1);
    assert_non_null(strstr(error_text(), "results.h5:/config:2: [vae] lr"));
    assert_null(c.seeds);
}

static void test_set_every_type(void **state)
{
    config_t c;
    static const uint64_t seeds[] = {10, 11, 12, 0, 1, 2, 3, 40};

    (void)state;
    assert_int_equal(config_default(&c), 0);
    assert_int_equal(config_set(&c, "data.path=/tmp/x y.csv"), 0);
    assert_int_equal(config_set(&c, " data.test_size = 0.25 "), 0);
    assert_int_equal(config_set(&c, "data.split_seed=9223372036854775807"), 0);
    assert_int_equal(config_set(&c, "vae.epochs=50"), 0);
    assert_int_equal(config_set(&c, "vae.lr=1e-3"), 0);
    assert_int_equal(config_set(&c, "sweep.seeds=10-12, 0-3,40"), 0);
    assert_int_equal(config_set(&c, "sweep.alpha_rec= 0.5 "), 0);
    assert_int_equal(config_set(&c, "sweep.alpha_kl=0,1e-3"), 0);
    assert_int_equal(config_set(&c, "sweep.distance=mean_pairwise"), 0);
    assert_int_equal(config_set(&c, "sweep.linkage=ward"), 0);
    assert_int_equal(config_set(&c, "sweep.consensus=coassociation"), 0);
    assert_int_equal(config_set(&c, "sweep.coassoc_clusters=3"), 0);
    assert_int_equal(config_set(&c, "data.features=/grp/x"), 0);
    assert_int_equal(config_set(&c, "data.labels=y labels"), 0);
    assert_int_equal(config_set(&c, "stability.bootstrap=0"), 0);
    assert_int_equal(config_set(&c, "stability.target=0.9"), 0);
    assert_int_equal(config_set(&c, "score.classifier=forest"), 0);
    assert_int_equal(config_set(&c, "score.standardize=Yes"), 0);
    assert_int_equal(config_set(&c, "output.path=out.h5"), 0);

    assert_string_equal(c.data_path, "/tmp/x y.csv");
    assert_true(c.test_size == 0.25);
    assert_true(c.split_seed == (uint64_t)INT64_MAX);
    assert_int_equal(c.epochs, 50);
    assert_true(c.lr == 1e-3);
    assert_int_equal(c.n_seeds, 8);
    assert_memory_equal(c.seeds, seeds, sizeof seeds);
    assert_int_equal(c.n_alpha_rec, 1);
    assert_true(c.alpha_rec[0] == 0.5);
    assert_int_equal(c.n_alpha_kl, 2);
    assert_true(c.alpha_kl[0] == 0.0 && c.alpha_kl[1] == 1e-3);
    assert_int_equal(c.distance, CONFIG_DISTANCE_MEAN_PAIRWISE);
    assert_int_equal(c.linkage, CONFIG_LINKAGE_WARD);
    assert_int_equal(c.consensus, CONFIG_CONSENSUS_COASSOCIATION);
    assert_int_equal(c.coassoc_clusters, 3);
    assert_string_equal(c.data_features, "/grp/x");
    assert_string_equal(c.data_labels, "y labels");
    assert_int_equal(c.bootstrap, 0);
    assert_true(c.target == 0.9);
    assert_int_equal(c.classifier, CONFIG_CLASSIFIER_FOREST);
    assert_true(c.standardize);
    assert_string_equal(c.output_path, "out.h5");
    assert_int_equal(config_run_count(&c), 16);

    /* A failed --set names the option and leaves the config unchanged. */
    assert_int_equal(config_set(&c, "vae.epochs=abc"), -1);
    assert_non_null(strstr(error_text(), "--set vae.epochs"));
    assert_non_null(strstr(error_text(), "expected an integer >= 1"));
    assert_int_equal(c.epochs, 50);
    assert_int_equal(config_set(&c, "sweep.seeds=3-1"), -1);
    assert_non_null(strstr(error_text(), "empty seed range '3-1'"));
    assert_int_equal(c.n_seeds, 8);
    assert_int_equal(config_set(&c, "vae.epoch=5"), -1);
    assert_non_null(strstr(error_text(), "unknown key 'epoch' in [vae]"));
    assert_non_null(strstr(error_text(), "did you mean 'epochs'"));
    assert_int_equal(config_set(&c, "vea.epochs=5"), -1);
    assert_non_null(strstr(error_text(), "unknown section [vea]"));
    assert_int_equal(config_set(&c, "vae.epochs"), -1);
    assert_non_null(strstr(error_text(), "expected section.key=value"));
    assert_int_equal(config_set(&c, "epochs=5"), -1);
    assert_non_null(strstr(error_text(), "expected section.key=value"));
    assert_int_equal(config_set(&c, "output.path= ;x"), -1);
    assert_non_null(strstr(error_text(), "--set output.path"));
    assert_string_equal(c.output_path, "out.h5");
    assert_int_equal(config_set(&c, "sweep.coassoc_clusters=1"), -1);
    assert_non_null(strstr(error_text(), "0 (automatic) or an integer >= 2"));
    assert_int_equal(c.coassoc_clusters, 3);
    assert_int_equal(config_set(&c, "data.labels="), -1);
    assert_string_equal(c.data_labels, "y labels");
    assert_round_trip(&c);
    config_free(&c);
}

static void test_round_trip(void **state)
{
    config_t c, f;
    char *dir = testutil_tmpdir(), path[512], *ini;
    static const char *const sets[] = {
        "sweep.seeds=3,1,4-9,20,21,100",
        "sweep.alpha_rec=0.30000000000000004, 1e-300, 123456789.125, 0.1",
        "sweep.alpha_kl=2.5e-7",
        "vae.weight_decay=0",
        "vae.alpha_clf=0.7",
        "data.test_size=0.1",
        "stability.target=0.95",
        "stability.seed=77",
        "score.seed=5",
        "score.folds=10",
        "vae.latent=3",
        "sweep.coassoc_clusters=7",
        "data.features=data/x",
        "data.labels=/y",
    };
    size_t i;

    (void)state;
    assert_int_equal(config_default(&c), 0);
    assert_round_trip(&c);
    for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (config_set(&c, sets[i]) != 0)
            fail_msg("%s: %s", sets[i], error_text());
    assert_int_equal(config_validate(&c), 0);
    assert_round_trip(&c);

    /* Through a file too, as --print-config output would be reused. */
    ini = config_to_ini(&c);
    assert_non_null(ini);
    assert_non_null(strstr(ini, "seeds = 3, 1, 4-9, 20, 21, 100\n"));
    assert_non_null(strstr(ini, "0.30000000000000004, 1e-300"));
    snprintf(path, sizeof path, "%s/printed.ini", dir);
    write_file(path, ini, strlen(ini));
    assert_int_equal(config_load(&f, path), 0);
    assert_config_equal(&c, &f);
    unlink(path);
    rmdir(dir);
    free(dir);
    free(ini);
    config_free(&f);
    config_free(&c);
}

struct bad_case {
    const char *text;
    size_t len;               /* 0: strlen(text) */
    const char *fragments[4]; /* each must occur in the message */
};

static void test_bad_inputs(void **state)
{
    static char long_line[300];
    const struct bad_case cases[] = {
        {"[vae]\nepochs = -3\n",
         0,
         {"bad.ini:2", "[vae] epochs = -3", "expected an integer >= 1"}},
        {"[vae]\nepochs = 0\n", 0, {"bad.ini:2", "epochs = 0", ">= 1"}},
        {"[vae]\nepochs = 35abc\n",
         0,
         {"bad.ini:2", "epochs = 35abc", "unexpected 'abc'"}},
        {"[vae]\nepochs = 99999999999999999999\n",
         0,
         {"bad.ini:2", "epochs", "too large"}},
        {"[vae]\nepochs =\n", 0, {"bad.ini:2", "epochs", "not an integer"}},
        {"[vae]\nlatent = 2.5\n", 0, {"bad.ini:2", "latent", "'.5'"}},
        {"\n[vae]\nepoch = 3\n",
         0,
         {"bad.ini:3", "unknown key 'epoch' in [vae]",
          "known: latent, epochs, batch, lr, weight_decay, alpha_clf",
          "did you mean 'epochs'"}},
        {"[data]\n\n[vea]\n",
         0,
         {"bad.ini:3", "unknown section [vea]", "did you mean [vae]"}},
        {"epochs = 3\n", 0, {"bad.ini:1", "'epochs'", "outside any section"}},
        {"[vae]\nepochs\n", 0, {"bad.ini:2", "cannot read 'epochs'"}},
        {"[vae\nepochs = 3\n", 0, {"bad.ini:1", "cannot read '[vae'"}},
        {"[vae]\nepochs = 3\n[data]\n[vae]\nepochs = 4\n",
         0,
         {"bad.ini:5", "epochs is set a second time", "first at line 2"}},
        {"[vae]\nlr = 0\n", 0, {"bad.ini:2", "lr = 0", "a number > 0"}},
        {"[vae]\nlr = fast\n", 0, {"bad.ini:2", "lr", "not a number"}},
        {"[vae]\nlr = 1e999\n", 0, {"bad.ini:2", "lr", "not finite"}},
        {"[vae]\nlr = nan\n", 0, {"bad.ini:2", "lr", "not finite"}},
        {"[vae]\nlr = 0.1x\n", 0, {"bad.ini:2", "unexpected 'x'"}},
        {"[data]\ntest_size = 1\n", 0, {"bad.ini:2", "test_size", "in (0, 1)"}},
        {"[sweep]\nseeds = 5-2\n",
         0,
         {"bad.ini:2", "seeds", "empty seed range '5-2'"}},
        {"[sweep]\nseeds = 0-3, 2\n", 0, {"bad.ini:2", "seed 2 appears twice"}},
        {"[sweep]\nseeds =\n", 0, {"bad.ini:2", "at least one seed"}},
        {"[sweep]\nseeds = 0,,1\n", 0, {"bad.ini:2", "empty item"}},
        {"[sweep]\nseeds = -1\n",
         0,
         {"bad.ini:2", "'-1' is not a seed or a range"}},
        {"[sweep]\nseeds = 0-99999999999\n",
         0,
         {"bad.ini:2", "more than 100000 seeds"}},
        {"[sweep]\nseeds = 9223372036854775808\n",
         0,
         {"bad.ini:2", "too large"}},
        {"[sweep]\nalpha_rec = 0.1, -0.2\n",
         0,
         {"bad.ini:2", "alpha_rec", "'-0.2'", ">= 0"}},
        {"[sweep]\nalpha_kl = 0.1, 1e-1\n",
         0,
         {"bad.ini:2", "alpha_kl", "appears twice"}},
        {"[sweep]\ndistance = euclid\n",
         0,
         {"bad.ini:2", "distance = euclid", "one of: centroid, mean_pairwise"}},
        {"[sweep]\nlinkage = Ward\n",
         0,
         {"bad.ini:2", "one of: complete, average, single, ward"}},
        {"[score]\nstandardize = maybe\n",
         0,
         {"bad.ini:2", "standardize", "true or false"}},
        {"[score]\nfolds = 1\n", 0, {"bad.ini:2", "folds", ">= 2"}},
        {"[stability]\ntarget = 1\n",
         0,
         {"bad.ini:2", "target", "or 0 for off"}},
        {"[output]\npath =\n", 0, {"bad.ini:2", "[output] path", "empty"}},
        {"[sweep]\ncoassoc_clusters = 1\n",
         0,
         {"bad.ini:2", "coassoc_clusters = 1",
          "0 (automatic) or an integer >= 2", "too small"}},
        {"[sweep]\ncoassoc_clusters = -2\n",
         0,
         {"bad.ini:2", "coassoc_clusters", "negative"}},
        {"[sweep]\ncoassoc_clusters = half\n",
         0,
         {"bad.ini:2", "coassoc_clusters", "not an integer"}},
        {"[data]\nfeatures =\n", 0, {"bad.ini:2", "[data] features", "empty"}},
        {"[data]\nlabels = y ;z\n[data]\nlabels = w\n",
         0,
         {"bad.ini:4", "labels is set a second time"}},
        {"[data]\nlabel = y\n",
         0,
         {"bad.ini:2", "unknown key 'label' in [data]",
          "did you mean 'labels'"}},
        {long_line, 0, {"bad.ini:2", "expected at most 198"}},
        {"[vae]\nep\0chs = 3\n",
         sizeof "[vae]\nep\0chs = 3\n" - 1,
         {"bad.ini:2", "NUL byte"}},
        /* The first error wins, whichever kind it is. */
        {"[vae]\nbogus line\nepochs = -1\n",
         0,
         {"bad.ini:2", "cannot read 'bogus line'"}},
        {"[vae]\nepochs = -1\nbogus line\n", 0, {"bad.ini:2", "epochs"}},
    };
    char *dir = testutil_tmpdir(), path[512];
    size_t i, j;

    (void)state;
    snprintf(long_line, sizeof long_line, "[data]\npath = %0250d\n", 7);
    snprintf(path, sizeof path, "%s/bad.ini", dir);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *bc = &cases[i];
        config_t c;
        size_t len = bc->len ? bc->len : strlen(bc->text);

        write_file(path, bc->text, len);
        error_clear();
        if (config_load(&c, path) != -1)
            fail_msg("case %zu loaded: %s", i, bc->text);
        assert_null(c.seeds); /* nothing left to free */
        assert_null(c.data_path);
        for (j = 0; j < 4 && bc->fragments[j]; j++)
            if (!strstr(error_text(), bc->fragments[j]))
                fail_msg("case %zu: '%s' not in: %s", i, bc->fragments[j],
                         error_text());
    }
    unlink(path);

    {
        config_t c;
        snprintf(path, sizeof path, "%s/missing.ini", dir);
        assert_int_equal(config_load(&c, path), -1);
        assert_non_null(strstr(error_text(), "cannot open config"));
        assert_non_null(strstr(error_text(), "missing.ini"));
        assert_non_null(strstr(error_text(), "No such file or directory"));
        assert_int_equal(config_load(&c, dir), -1);
        assert_non_null(strstr(error_text(), dir));
    }
    rmdir(dir);
    free(dir);
}

static void test_validate(void **state)
{
    config_t c;
    uint64_t seed;
    double rec, kl;

    (void)state;
    assert_int_equal(config_default(&c), 0);
    assert_int_equal(config_set(&c, "stability.target=0.9"), 0);
    assert_int_equal(config_set(&c, "stability.max_seeds=4"), 0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "max_seeds = 4"));
    assert_non_null(strstr(error_text(), "512 seeds"));
    /* Without a target max_seeds is not used, so not checked. */
    assert_int_equal(config_set(&c, "stability.target=0"), 0);
    assert_int_equal(config_validate(&c), 0);

    /* Seeds beyond the list follow its largest seed; 9 runs a seed. */
    assert_int_equal(config_set(&c, "sweep.alpha_rec=0.05,0.1,0.2"), 0);
    assert_int_equal(config_set(&c, "sweep.alpha_kl=0.005,0.01,0.02"), 0);
    assert_int_equal(config_set(&c, "sweep.seeds=3,1"), 0);
    assert_int_equal(config_set(&c, "stability.target=0.5"), 0);
    assert_int_equal(config_set(&c, "stability.max_seeds=5"), 0);
    assert_int_equal(config_validate(&c), 0);
    assert_int_equal(config_run_count(&c), 18);
    assert_int_equal(config_run_max(&c), 45);
    assert_true(config_seed(&c, 1) == 1);
    assert_true(config_seed(&c, 2) == 4);
    assert_true(config_seed(&c, 4) == 6);
    config_run(&c, 44, &seed, &rec, &kl);
    assert_true(seed == 6 && rec == 0.2 && kl == 0.02);

    assert_int_equal(config_set(&c, "sweep.seeds=9223372036854775805"), 0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "9223372036854775807"));

    assert_int_equal(config_set(&c, "stability.target=0"), 0);
    assert_int_equal(config_set(&c, "stability.bootstrap=1000001"), 0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "bootstrap = 1000001"));
    assert_int_equal(config_set(&c, "stability.bootstrap=1000"), 0);

    assert_int_equal(config_set(&c, "sweep.seeds=0-99999"), 0);
    assert_int_equal(config_set(&c, "sweep.alpha_rec=1,2,3,4"), 0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "more than 1000000 runs"));

    assert_int_equal(config_set(&c, "sweep.seeds=0-7"), 0);
    assert_int_equal(config_set(&c, "output.path=data/digits.csv.gz"), 0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "[output] path = [data] path"));

    /* A list that --set accepts but that no config line could hold. */
    assert_int_equal(config_set(&c, "output.path=out.h5"), 0);
    assert_int_equal(config_set(&c, "sweep.seeds=0,2,4,6,8,10,12,14,16,18,20,"
                                    "22,24,26,28,30,32,34,36,38,40,42,44,46,48,"
                                    "50,52,54,56,58,60,62,64,66,68,70,72,74,76,"
                                    "78,80,82,84,86,88,90,92,94,96,98"),
                     0);
    assert_int_equal(config_validate(&c), -1);
    assert_non_null(strstr(error_text(), "at most 198 per line"));
    config_free(&c);
}

/* Mutated copies of digits.ini: flip, insert or delete a few bytes.  Each
 * must load or fail with a message; a loaded one that validates must
 * round-trip.  Fixed stream, so a failure replays. */
static void test_fuzz(void **state)
{
    size_t len, i, loaded = 0, failed = 0;
    char *base = read_file(DIGITS_INI, &len);
    char *buf = malloc(len + 64);
    char *dir = testutil_tmpdir(), path[512];
    rng_t r;
    int it;

    (void)state;
    assert_non_null(buf);
    snprintf(path, sizeof path, "%s/fuzz.ini", dir);
    rng_init(&r, 20240501, 0, RNG_SHUFFLE);
    for (it = 0; it < 5000; it++) {
        size_t n = len, edits = 1 + (size_t)rng_below(&r, 4);
        config_t c;

        memcpy(buf, base, len);
        for (i = 0; i < edits; i++) {
            size_t at = (size_t)rng_below(&r, n);
            int op = (int)rng_below(&r, 3);
            char byte = (char)rng_below(&r, 256);
            if (rng_below(&r, 2))
                byte = "=;#[]-,.0123456789 \n\tae"[rng_below(&r, 24)];
            if (op == 0) {
                buf[at] = byte;
            } else if (op == 1 && n + 1 < len + 64) {
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = byte;
                n++;
            } else if (n > 1) {
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            }
        }
        write_file(path, buf, n);
        error_clear();
        if (config_load(&c, path) == 0) {
            loaded++;
            if (config_validate(&c) == 0)
                assert_round_trip(&c);
            config_free(&c);
        } else {
            failed++;
            if (error_text()[0] == '\0')
                fail_msg("iteration %d failed without a message", it);
        }
    }
    print_message("fuzz: %zu loaded, %zu rejected\n", loaded, failed);
    assert_true(loaded > 0 && failed > 0);
    unlink(path);
    rmdir(dir);
    free(dir);
    free(buf);
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_digits),
        cmocka_unit_test(test_load_grid),
        cmocka_unit_test(test_load_tiny),
        cmocka_unit_test(test_load_iris),
        cmocka_unit_test(test_load_variants),
        cmocka_unit_test(test_set_every_type),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
