/* cmd_gui.c -- `udpchat gui [lan|join HOST|peer HOST:PORT] [OPTIONS]`: a chat mode in a window */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/gui.h"
#include "udpchat/mem.h"
#include "gui_stderr.h"

/* What cmd_gui asked of app_run. */
static struct {
    int wanted;
    const char *font;
    int windowed; /* udpchatw.exe: no console shows stderr */
} req;

int app_gui_wanted(void) { return req.wanted; }
const char *app_gui_font(void) { return req.font; }
/* The errors printed before the window opened (port taken, a host that does not resolve)
 * go to a message box too; once it is open, it shows them. */
char *app_gui_capture_end(void) { return gui_stderr_release(); }

/* Takes --font FILE (or --font=FILE) out of argv; -1 if its value is missing. */
static int take_font(int *argc, char **argv)
{
    for (int i = 1; i < *argc; i++) {
        int eq = strncmp(argv[i], "--font=", 7) == 0;
        if (!eq && strcmp(argv[i], "--font") != 0) continue;
        if (!eq && i + 1 >= *argc) return -1;
        req.font = eq ? argv[i] + 7 : argv[i + 1];
        int n = eq ? 1 : 2;
        memmove(argv + i, argv + i + n, (size_t)(*argc - i - n + 1) * sizeof *argv);
        *argc -= n;
        i--;
    }
    return 0;
}

static const char usage_text[] =
    "usage: udpchat gui [lan | join HOST[:PORT] | peer HOST:PORT] [OPTIONS]\n\n"
    "The chat of 'udpchat lan' (the default), 'join' or 'peer' in a window: a roster, the\n"
    "conversation, an input box. Every option of that mode works here (see 'udpchat MODE --help');\n"
    "lines are also printed on stdout, as in line mode. One more:\n"
    "  --font FILE  draw text with this TTF/OTF font (default: fontconfig's sans for Latin\n"
    "               and a Chinese-capable sans for the rest; on Windows Segoe UI and\n"
    "               Microsoft YaHei or SimSun, else wqy-microhei.ttc next to udpchat.exe)\n\n"
    "Keys: Enter sends, Shift+Enter starts a new line, PageUp/PageDown and the wheel scroll,\n"
    "Ctrl +/- zoom (Ctrl 0: 100%), Tab moves between the input box, the roster (Up/Down and\n"
    "Enter, or a click, open a conversation: like /to NICK) and a file offer's Accept /\n"
    "Decline buttons; Ctrl+Tab / Ctrl+Shift+Tab open the next / previous conversation; drag\n"
    "over the conversation to select, Ctrl+C copies, Ctrl+V pastes. A file dropped on the\n"
    "window is offered to the open conversation's person (LAN mode, as /send does).";

/* On stdout; udpchatw.exe has none a user sees: in a message box too. */
static void usage(void)
{
    puts(usage_text);
    if (req.windowed) gui_message_box("udpchat", usage_text);
}

static int run_mode(int argc, char **argv)
{
    int named = argc > 1 && argv[1][0] != '-';
    const char *mode = named ? argv[1] : "lan";
    int (*fn)(int, char **) = strcmp(mode, "lan") == 0 ? cmd_lan : strcmp(mode, "join") == 0 ? cmd_join
                              : strcmp(mode, "peer") == 0 ? cmd_peer : NULL;
    if (!fn) {
        fprintf(stderr, "udpchat gui: which chat? lan, join HOST or peer HOST:PORT, not '%s' (see --help)\n", mode);
        return EXIT_USAGE;
    }
    argv[named] = (char *)mode; /* the mode's name is its argv[0] (errors, settings section) */
    return fn(argc - named, argv + named);
}

int cmd_gui(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(), EXIT_OK;
    if (take_font(&argc, argv) < 0) {
        fprintf(stderr, "udpchat gui: --font needs a FILE\n");
        if (req.windowed) gui_message_box("udpchat", "udpchat gui: --font needs a FILE");
        return EXIT_USAGE;
    }
    req.wanted = 1;
    gui_stderr_capture();
    int rc = run_mode(argc, argv);
    char *errs = app_gui_capture_end(); /* "" when the window opened: it showed them */
    if ((rc == EXIT_RUNTIME || (req.windowed && rc != EXIT_OK)) && *errs) gui_message_box("udpchat", errs);
    free(errs);
    return rc;
}

int cmd_gui_windowed(int argc, char **argv)
{
    req.windowed = 1;
    return cmd_gui(argc, argv);
}
