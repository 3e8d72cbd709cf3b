/* cli.h -- command-line option parsing and the subcommands of the udpchat program */
#ifndef UDPCHAT_CLI_H
#define UDPCHAT_CLI_H
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef enum cli_kind { CLI_FLAG, CLI_STRING, CLI_INT } cli_kind;

/* One long option. For CLI_FLAG `out` is an int* set to 1; CLI_STRING a const char**
 * pointing into argv; CLI_INT a long* checked against [min, max]. */
typedef struct cli_opt {
    const char *name;   /* without the leading "--" */
    cli_kind kind;
    void *out;
    long min, max;
    const char *metavar;
    const char *help;
} cli_opt;

/* What cli_parse found (the values are stable: callers may test rc != 0, rc > 0). */
typedef enum cli_result {
    CLI_OK = 0,
    CLI_HELP = 1,   /* --help was printed: exit 0 */
    CLI_ERROR = -1  /* a usage error was printed ("udpchat CMD: ..."): exit EXIT_USAGE */
} cli_result;

/* Parses argv[1..argc) (argv[0] is the subcommand name) against `opts` (terminated by
 * a zeroed entry). Positional arguments are stored in pos[0..*npos) (pointers into
 * argv), at most max_pos of them. For a chat command the settings file sets options
 * first (settings.h), so flags win; a flag --X also has --no-X (and --no-X has --X),
 * which clears it. */
cli_result cli_parse(int argc, char **argv, const cli_opt *opts, const char **pos, int max_pos,
                     int *npos, const char *usage);
/* Reads v as o's whole number (CLI_INT) into *out; -1 if it is not one in [o->min, o->max]. */
int cli_parse_int(const cli_opt *o, const char *v, long *out);
/* Prints "usage" plus the option table to f. */
void cli_print_usage(FILE *f, const char *cmd, const char *usage, const cli_opt *opts);

/* Subcommands: each returns an exit code (EXIT_OK, EXIT_RUNTIME, EXIT_USAGE). */
int cmd_convert(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_lan(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_gui(int argc, char **argv); /* builds with the window only (UDPCHAT_GUI) */
/* udpchatw.exe (no console): cmd_gui, and usage errors in a message box too. */
int cmd_gui_windowed(int argc, char **argv);

#endif
