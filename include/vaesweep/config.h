/*
 * config: the settings of one sweep, from an INI file and --set overrides.
 *
 * A config is built in three steps: config_load starts from the defaults
 * below and replaces the keys the file names; each config_set applies one
 * "section.key=value" from the command line; config_validate then checks
 * the rules that tie keys together.  Every error is one message (error.h)
 * naming where the value came from ("config/x.ini:7" or "--set
 * vae.epochs"), the key, the value and what was expected.
 *
 * The file is INI as libinih reads it: "[section]" headers, "key = value"
 * lines, comments on their own line after ';' or '#', or after " ;" at the
 * end of a line.  Section and key names are lowercase; a key may appear
 * once per file; leading whitespace is ignored (no multi-line values);
 * lines hold at most CONFIG_LINE_MAX characters.
 *
 * Keys, defaults (those of the reference run on digits) and accepted values:
 *
 *   [data]
 *   path = data/digits.csv.gz   CSV (features..., label), .gz allowed; or
 *                               HDF5 when it ends in .h5, .hdf5 or .he5
 *   test_size = 0.3             number in (0, 1)
 *   split_seed = 0              seed
 *   features = features         HDF5 only (ignored for a CSV): the 2-D
 *                               [n, d] float or integer dataset of features
 *   labels = labels             HDF5 only (ignored for a CSV): the 1-D [n]
 *                               integer dataset of labels; both names are
 *                               paths inside the file ("x" or "/grp/x")
 *   [vae]
 *   latent = 2                  count >= 1
 *   epochs = 35                 count >= 1
 *   batch = 16                  count >= 1
 *   lr = 0.002                  number > 0
 *   weight_decay = 0.001        number >= 0
 *   alpha_clf = 1.0             number >= 0
 *   [sweep]
 *   seeds = 0-511               seed list: "0-7", "0,3,9", "0-3,10-12";
 *                               at least one seed, none twice
 *   alpha_rec = 0.1             list of numbers >= 0, none twice
 *   alpha_kl = 0.01             list of numbers >= 0, none twice
 *   distance = centroid         centroid | mean_pairwise
 *   linkage = complete          complete | average | single | ward
 *   consensus = mean            mean | median | coassociation
 *   coassoc_clusters = 0        count: clusters each run is cut into for
 *                               the co-association consensus; 0 = half the
 *                               classes, at least 2; else >= 2 (and at
 *                               most the number of classes, which only
 *                               the data tells)
 *   [stability]
 *   bootstrap = 1000            count >= 0 of resamples for merge support
 *                               (0 = off)
 *   seed = 0                    seed of the bootstrap stream
 *   target = 0                  0 = off, else a number in (0, 1): add seeds
 *                               until the split-half correlation reaches it
 *   max_seeds = 2048             count >= 1; with target, >= the seeds listed
 *   seed_batch = 64             count >= 1 of seeds added per round
 *   [score]
 *   classifier = mlp            mlp | forest
 *   folds = 5                   count >= 2
 *   standardize = false         true | false | yes | no | 1 | 0
 *   max_epochs = 1000           count >= 1
 *   seed = 0                    seed
 *   [output]
 *   path = results/digits.h5
 *
 * A "seed" is an integer from 0 to CONFIG_SEED_MAX (it fits a signed 64-bit
 * HDF5 attribute); a "count" is an integer up to CONFIG_COUNT_MAX (it fits
 * an int); a "number" is a finite double written as strtod reads it.
 * Paths are kept exactly as given: a relative path is relative to the
 * working directory of the process, not to the config file.
 */
#ifndef VAESWEEP_CONFIG_H
#define VAESWEEP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest accepted line of a config file, in characters (libinih's
 * fixed line buffer of 200 bytes, less the newline and the NUL). */
#define CONFIG_LINE_MAX 198

#define CONFIG_SEED_MAX  INT64_MAX
#define CONFIG_COUNT_MAX ((size_t)INT32_MAX)

/* Most values one list may hold, and most runs one sweep may have. */
#define CONFIG_LIST_MAX      100000
#define CONFIG_RUNS_MAX      1000000
#define CONFIG_BOOTSTRAP_MAX 1000000

enum config_distance {
    CONFIG_DISTANCE_CENTROID,     /* Euclidean between class centroids */
    CONFIG_DISTANCE_MEAN_PAIRWISE /* mean Euclidean over pairs of samples */
};

/* The linkage methods of scipy.cluster.hierarchy.linkage. */
enum config_linkage {
    CONFIG_LINKAGE_COMPLETE,
    CONFIG_LINKAGE_AVERAGE,
    CONFIG_LINKAGE_SINGLE,
    CONFIG_LINKAGE_WARD
};

enum config_consensus {
    CONFIG_CONSENSUS_MEAN,         /* element-wise mean of the matrices */
    CONFIG_CONSENSUS_MEDIAN,       /* element-wise median */
    CONFIG_CONSENSUS_COASSOCIATION /* fraction of runs sharing a cluster */
};

enum config_classifier {
    CONFIG_CLASSIFIER_MLP,   /* scikit-learn MLPClassifier, hidden (10, 10) */
    CONFIG_CLASSIFIER_FOREST /* scikit-learn RandomForestClassifier */
};

typedef struct {
    /* [data] */
    char *data_path;     /* owned */
    double test_size;    /* validation fraction, in (0, 1) */
    uint64_t split_seed; /* seed of the train/validation split */
    char *data_features; /* owned; HDF5 dataset name of the features */
    char *data_labels;   /* owned; HDF5 dataset name of the labels */

    /* [vae] */
    size_t latent;
    size_t epochs;
    size_t batch;
    double lr;
    double weight_decay;
    double alpha_clf;

    /* [sweep] */
    uint64_t *seeds; /* [n_seeds], owned, in the order given, distinct */
    size_t n_seeds;
    double *alpha_rec; /* [n_alpha_rec], owned, in the order given */
    size_t n_alpha_rec;
    double *alpha_kl; /* [n_alpha_kl], owned, in the order given */
    size_t n_alpha_kl;
    enum config_distance distance;
    enum config_linkage linkage;
    enum config_consensus consensus;
    size_t coassoc_clusters; /* 0 = half the classes, at least 2 */

    /* [stability] */
    size_t bootstrap;        /* 0 = no bootstrap */
    uint64_t bootstrap_seed; /* [stability] seed */
    double target;           /* 0 = off, else in (0, 1) */
    size_t max_seeds;
    size_t seed_batch;

    /* [score] */
    enum config_classifier classifier;
    size_t folds;
    bool standardize;
    size_t max_epochs;
    uint64_t score_seed; /* [score] seed */

    /* [output] */
    char *output_path; /* owned */
} config_t;

/* Fill c with the defaults listed above, overwriting whatever it held
 * (free a previous config first).  Returns 0, or -1 when out of memory,
 * with c then holding no allocations. */
int config_default(config_t *c);

/* Defaults, then every key of the INI file at `path`.  c is overwritten
 * as by config_default.  Cross-key rules are not checked here (a --set may
 * still fix them): call config_validate after the overrides.  Returns 0;
 * or -1 with the error recorded and c holding no allocations (config_free
 * on it is harmless), for an unreadable file, a syntax error, an unknown
 * section or key, a key given twice, or a value of the wrong type or out
 * of range. */
int config_load(config_t *c, const char *path);

/* As config_load, on INI text in memory; `name` stands for the file name
 * in error messages (e.g. "results.h5:/config"). */
int config_load_string(config_t *c, const char *text, const char *name);

/* Apply one override "section.key=value" (as given to --set; spaces around
 * the key and the value are ignored) to a loaded config.  Returns 0, or -1
 * with the error recorded and c unchanged. */
int config_set(config_t *c, const char *assignment);

/* Rules between keys: with a target, max_seeds must cover the seeds listed
 * and the added seeds must stay <= CONFIG_SEED_MAX; at most
 * CONFIG_RUNS_MAX runs; the output path must differ from the data path;
 * every key must fit one line of config_to_ini's text.  Returns 0, or -1
 * with the error recorded. */
int config_validate(const config_t *c);

/* Runs of the sweep: n_seeds x n_alpha_rec x n_alpha_kl, alpha_clf fixed.
 * Seed is outermost, then alpha_rec, then alpha_kl: run r has
 *   seed  = config_seed(c, r / (n_alpha_rec * n_alpha_kl)),
 *   a_rec = alpha_rec[(r / n_alpha_kl) % n_alpha_rec],
 *   a_kl  = alpha_kl[r % n_alpha_kl],
 * so the runs of one seed are contiguous and adding seeds (target) only
 * appends runs. */
size_t config_run_count(const config_t *c);

/* Most runs the sweep can reach: config_run_count, or with a target the
 * runs of max(n_seeds, max_seeds) seeds. */
size_t config_run_max(const config_t *c);

/* The settings of run r < config_run_max(c), in the order above. */
void config_run(const config_t *c, size_t r, uint64_t *seed, double *a_rec,
                double *a_kl);

/* Seed number i: seeds[i] for i < n_seeds; beyond the list (seeds added
 * towards a target), max(seeds) + 1 + (i - n_seeds), which never repeats a
 * listed seed.  Valid for i < max(n_seeds, max_seeds) on a validated
 * config. */
uint64_t config_seed(const config_t *c, size_t i);

/* The fully resolved config as INI text with every key above, in that
 * order; numbers are written with the fewest digits that read back to the
 * same double, so config_load_string on the text gives an equal config.
 * Returns a NUL-terminated string the caller frees, or NULL when out of
 * memory (error recorded). */
char *config_to_ini(const config_t *c);

/* Free the lists and paths of c and set them to NULL; NULL-safe. */
void config_free(config_t *c);

#endif
