/* cmd_stubs.c -- subcommands whose issues have not landed yet: a clear error, exit 2 */
#include <stdio.h>
#include <string.h>

#include "udpchat/cli.h"

static int not_built(int argc, char **argv, const char *what)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: udpchat %s ...\n\n%s\n(not built yet in this version)\n", argv[0], what);
        return EXIT_OK;
    }
    fprintf(stderr, "udpchat %s: not built yet in this version of udpchat\n", argv[0]);
    return EXIT_USAGE;
}

int cmd_lan(int argc, char **argv) { return not_built(argc, argv, "Chat on the LAN without a server."); }
