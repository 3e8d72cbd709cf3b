/* main.c -- the udpchat program: picks a subcommand and runs it */
#define SDL_MAIN_HANDLED
#include <SDL.h>

#include <stdio.h>
#include <string.h>

#include "udpchat/charset.h"
#include "udpchat/cli.h"
#include "udpchat/console.h"
#include "udpchat/version.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"lan", cmd_lan, "chat with everyone on the LAN, no server (IP Messenger compatible)"},
    {"peer", cmd_peer, "chat directly with one peer at HOST:PORT"},
    {"server", cmd_server, "run a relay server for a chat room"},
    {"join", cmd_join, "join a chat room on a relay server"},
#ifdef UDPCHAT_GUI
    {"gui", cmd_gui, "the chat in a window: gui [lan | join HOST | peer HOST:PORT] [OPTIONS]"},
#endif
    {"history", cmd_history, "print or export the chat log (--search TEXT, --with NICK, --json)"},
    {"convert", cmd_convert, "convert text between utf-8, gbk and gb18030 (like iconv)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fputs("usage: udpchat [COMMAND] [OPTIONS]\n\n"
          "udpchat is a LAN chat for Windows and Linux peers; it converts between\n"
          "UTF-8 and GBK/GB18030 so everyone reads everyone's Chinese.\n\ncommands:\n", f);
    for (const command *c = commands; c->name; c++) fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fputs("\nWith no command, udpchat runs 'lan'. 'udpchat COMMAND --help' tells more.\n"
          "  --version  print the version and exit\n  --help     show this help and exit\n", f);
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        char *lan_argv[] = {"lan", NULL};
        return cmd_lan(1, lan_argv);
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("udpchat %s\n", UDPCHAT_VERSION);
        return EXIT_OK;
    }
    if (name[0] == '-') { /* options with no command belong to 'lan', and say so in errors */
        argv[0] = (char *)"lan";
        return cmd_lan(argc, argv);
    }
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "udpchat: unknown command '%s' (see 'udpchat --help')\n", name);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    SDL_SetMainReady();
    charset_utf8_args(argc, &argv); /* --nick 窗口 on a Chinese Windows: UTF-8, not GBK */
    int rc = run(argc, argv);
    console_hold_on_error(rc); /* a double-clicked udpchat.exe: let the error be read */
    return rc;
}
