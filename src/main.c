/*
 * vaesweep: command line.  Parses the options, loads and validates the
 * config on every rank (each reads the same file, so each reaches the
 * same verdict and rank 0 alone reports it), then hands over to sweep.
 */
#include <cblas.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaesweep/config.h"
#include "vaesweep/error.h"
#include "vaesweep/log.h"
#include "vaesweep/results.h"
#include "vaesweep/sweep.h"
#include "vaesweep/version.h"

/* Exit codes: 0 done, 1 the sweep failed, 2 bad command line or config. */
#define EXIT_USAGE 2

static const char usage[] =
    "Usage: mpirun -n RANKS vaesweep CONFIG.ini [options]\n"
    "\n"
    "Trains a sweep of VAEs over seeds and loss weights, builds one\n"
    "consensus dendrogram of the classes from their latent spaces and\n"
    "scores every cut level by cross-validation; all results go into one\n"
    "HDF5 file (output.path in the config).\n"
    "\n"
    "Options:\n"
    "  --set SECTION.KEY=VALUE  override a config key (repeatable), e.g.\n"
    "                           --set sweep.seeds=0-3 --set vae.epochs=5\n"
    "  --overwrite              replace an existing results file\n"
    "  --resume                 continue an interrupted sweep from its\n"
    "                           OUTPUT.partial file (same config needed)\n"
    "  --print-config           print the resolved config and exit\n"
    "  --verbose                more progress detail\n"
    "  --version                print the version and exit\n"
    "  --help                   print this help and exit\n"
    "\n"
    "Config keys and defaults: see config/digits.ini and README.md.\n"
    "Exit status: 0 done, 1 the sweep failed, 2 bad options or config.\n";

typedef struct {
    const char *config_path;
    enum results_mode mode;
    int print_config, verbose, help, version;
} cli_options;

/* Parse argv; --set values are applied later, in order, by cli_config. */
static int cli_parse(int argc, char **argv, cli_options *o)
{
    int i;

    memset(o, 0, sizeof *o);
    o->mode = RESULTS_NEW;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            o->help = 1;
        else if (strcmp(a, "--version") == 0)
            o->version = 1;
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            o->verbose = 1;
        else if (strcmp(a, "--print-config") == 0)
            o->print_config = 1;
        else if (strcmp(a, "--overwrite") == 0 || strcmp(a, "--resume") == 0) {
            enum results_mode m =
                a[2] == 'o' ? RESULTS_OVERWRITE : RESULTS_RESUME;

            if (o->mode != RESULTS_NEW && o->mode != m)
                return error_set("--overwrite and --resume exclude each "
                                 "other: pick one");
            o->mode = m;
        } else if (strcmp(a, "--set") == 0) {
            if (++i == argc || strncmp(argv[i], "--", 2) == 0)
                return error_set("--set needs SECTION.KEY=VALUE after it");
        } else if (strncmp(a, "--set=", 6) == 0) {
            continue;
        } else if (a[0] == '-') {
            return error_set("unknown option '%s' (see --help)", a);
        } else if (o->config_path) {
            return error_set("one config file expected, got '%s' and '%s'",
                             o->config_path, a);
        } else {
            o->config_path = a;
        }
    }
    if (!o->help && !o->version && !o->config_path)
        return error_set("no config file given: try vaesweep "
                         "config/digits.ini (see --help)");
    return 0;
}

/* A sweep stopped by its scheduler or by Ctrl-C: say how to go on, then
 * die of the signal as before.  Only async-signal-safe calls here. */
static void main_on_signal(int sig)
{
    static const char note[] =
        "vaesweep: interrupted: the runs finished so far are in the "
        "output's .partial file; continue with --resume\n";
    ssize_t written = write(STDERR_FILENO, note, sizeof note - 1);

    (void)written;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Load the config and apply the --set overrides in command-line order. */
static int cli_config(int argc, char **argv, const cli_options *o,
                      config_t *cfg)
{
    int i;

    if (config_load(cfg, o->config_path) < 0)
        return -1;
    for (i = 1; i < argc; i++) {
        const char *value = NULL;

        if (strcmp(argv[i], "--set") == 0)
            value = argv[++i];
        else if (strncmp(argv[i], "--set=", 6) == 0)
            value = argv[i] + 6;
        if (value && config_set(cfg, value) < 0)
            return -1;
    }
    return config_validate(cfg);
}

int main(int argc, char **argv)
{
    cli_options opt;
    config_t cfg;
    int rank = 0, status = 0;

    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vaesweep: error: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    log_set_rank(rank);

    /* Ranks are the parallelism: one BLAS thread each. */
    openblas_set_num_threads(1);

    /* config_load fills in the defaults; a zeroed struct is what
     * config_free accepts whatever happens before. */
    memset(&cfg, 0, sizeof cfg);
    if (cli_parse(argc, argv, &opt) < 0) {
        if (rank == 0)
            log_error("%s", error_text());
        status = EXIT_USAGE;
    } else if (opt.help || opt.version) {
        if (rank == 0 && opt.help)
            fputs(usage, stdout);
        if (rank == 0 && opt.version)
            printf("vaesweep %s\n", VAESWEEP_VERSION);
    } else if (cli_config(argc, argv, &opt, &cfg) < 0) {
        if (rank == 0)
            log_error("%s", error_text());
        status = EXIT_USAGE;
    } else if (opt.print_config) {
        char *ini = config_to_ini(&cfg);

        if (rank == 0 && ini)
            fputs(ini, stdout);
        status = ini ? 0 : 1;
        free(ini);
    } else {
        log_set_verbose(opt.verbose);
        if (rank == 0) {
            signal(SIGTERM, main_on_signal);
            signal(SIGINT, main_on_signal);
        }
        status = sweep_run(MPI_COMM_WORLD, &cfg, opt.mode);
    }
    config_free(&cfg);
    MPI_Finalize();
    return status;
}
