/* cli.c -- a small portable long-option parser shared by every subcommand */
#include "udpchat/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/settings.h"

void cli_print_usage(FILE *f, const char *cmd, const char *usage, const cli_opt *opts)
{
    fprintf(f, "usage: udpchat %s %s\n", cmd, usage);
    if (opts && opts[0].name) fputs("\noptions:\n", f);
    for (const cli_opt *o = opts; o && o->name; o++) {
        char left[64];
        if (o->kind == CLI_FLAG)
            snprintf(left, sizeof left, "--%s", o->name);
        else
            snprintf(left, sizeof left, "--%s %s", o->name, o->metavar ? o->metavar : "VALUE");
        fprintf(f, "  %-26s %s\n", left, o->help ? o->help : "");
    }
    fprintf(f, "  %-26s %s\n", "--help", "show this help and exit");
    settings_usage_note(f, cmd);
}

static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t n)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0) return o;
    return NULL;
}

int cli_parse_int(const cli_opt *o, const char *v, long *out)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || !end || end == v || *end || n < o->min || n > o->max) return -1;
    *out = n;
    return 0;
}

static int set_value(const char *cmd, const cli_opt *o, const char *v)
{
    settings_flag_seen(cmd, o);
    if (o->kind == CLI_STRING) {
        *(const char **)o->out = v;
        return 0;
    }
    if (cli_parse_int(o, v, (long *)o->out) < 0) {
        fprintf(stderr, "udpchat %s: --%s wants a whole number from %ld to %ld, not '%s'\n",
                cmd, o->name, o->min, o->max, v);
        return -1;
    }
    return 0;
}

/* --X for a flag --no-X, or --no-X for a flag --X: the flag cleared (undoes the file). */
static const cli_opt *find_negation(const cli_opt *opts, const char *name, size_t n)
{
    for (const cli_opt *o = opts; o && o->name; o++) {
        size_t len = strlen(o->name);
        if (o->kind != CLI_FLAG) continue;
        if (strncmp(o->name, "no-", 3) == 0 && len - 3 == n && strncmp(o->name + 3, name, n) == 0) return o;
        if (n > 3 && strncmp(name, "no-", 3) == 0 && len == n - 3 && strncmp(o->name, name + 3, len) == 0)
            return o;
    }
    return NULL;
}

static int parse_long(int argc, char **argv, int *i, const cli_opt *opts)
{
    const char *cmd = argv[0], *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_opt *o = find_opt(opts, arg, n), *neg = o ? NULL : find_negation(opts, arg, n);
    if (neg && !eq) {
        settings_flag_seen(cmd, neg);
        *(int *)neg->out = 0;
        return 0;
    }
    if (!o) {
        fprintf(stderr, "udpchat %s: unknown option '--%.*s' (see 'udpchat %s --help')\n",
                cmd, (int)n, arg, cmd);
        return -1;
    }
    if (o->kind == CLI_FLAG) {
        if (eq) {
            fprintf(stderr, "udpchat %s: --%s takes no value\n", cmd, o->name);
            return -1;
        }
        settings_flag_seen(cmd, o);
        *(int *)o->out = 1;
        return 0;
    }
    if (eq) return set_value(cmd, o, eq + 1);
    if (*i + 1 >= argc) {
        fprintf(stderr, "udpchat %s: --%s needs a value\n", cmd, o->name);
        return -1;
    }
    return set_value(cmd, o, argv[++*i]);
}

cli_result cli_parse(int argc, char **argv, const cli_opt *opts, const char **pos, int max_pos,
                     int *npos, const char *usage)
{
    int only_pos = 0;
    *npos = 0;
    settings_apply(argv[0], opts); /* the file first: flags win */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
        } else if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            cli_print_usage(stdout, argv[0], usage, opts);
            return CLI_HELP;
        } else if (!only_pos && a[0] == '-' && a[1] == '-') {
            if (parse_long(argc, argv, &i, opts) < 0) return CLI_ERROR;
        } else if (!only_pos && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "udpchat %s: unknown option '%s' (see 'udpchat %s --help')\n",
                    argv[0], a, argv[0]);
            return CLI_ERROR;
        } else {
            if (*npos >= max_pos) {
                fprintf(stderr, "udpchat %s: unexpected argument '%s' (see 'udpchat %s --help')\n",
                        argv[0], a, argv[0]);
                return CLI_ERROR;
            }
            pos[(*npos)++] = a;
        }
    }
    settings_done(argv[0], opts);
    return CLI_OK;
}
