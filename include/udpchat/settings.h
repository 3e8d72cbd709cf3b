/* settings.h -- the settings file: options' defaults from it, /set at run time, the first nick */
#ifndef UDPCHAT_SETTINGS_H
#define UDPCHAT_SETTINGS_H
#include <stdio.h>
#include "udpchat/cli.h"
#include "udpchat/frontend.h"

/* The keys of the file are the long options of the chat commands (lan, peer, join,
 * server): a key at the top applies to every command that has that option, a key in a
 * [lan], [peer], [join] or [server] section to that command only (and wins over the top).
 * A flag --no-X is also the key X with the opposite value (color = false is no-color =
 * true). Flags on the command line win over the file. The file is $UDPCHAT_CONFIG when
 * set, else the platform's place (settings_backend.h). Other commands (convert) do not
 * read it.
 *
 * The module keeps one process-wide state (the file's text, its entries, each option's
 * value and origin), created by the first settings_apply and kept until exit; strings it
 * hands to options (CLI_STRING outs) stay valid until exit. Main thread only. */

/* Hooks in cli_parse. Before argv: reads the file once, sets the options it sets, and
 * prints a warning naming the file and line for each problem (a bad line, an unknown key
 * in a command's section, a value the option refuses: that one is ignored). */
void settings_apply(const char *cmd, const cli_opt *opts);
/* Option o was given on the command line (it wins over the file). */
void settings_flag_seen(const char *cmd, const cli_opt *o);
/* After argv, when cli_parse succeeded: keeps each option's value for /set; and on a
 * first start on Windows (no nick from a flag or the file, stdin a console, no --json)
 * asks for the nick, default the Windows user name, and saves it to the file.
 * UDPCHAT_ASK_NICK=1 asks on any platform, whatever stdin is (for tests). */
void settings_done(const char *cmd, const cli_opt *opts);
/* The --help note: where the file is and that every option can be set there. */
void settings_usage_note(FILE *f, const char *cmd);
/* The nick used when none is set: the login's user name when it is a valid nick (Windows:
 * GetUserNameW, so a Chinese user name is kept whole), else nick_default's pick. */
void settings_default_nick(char *out, size_t n);

/* "/set", "/set KEY", "/set KEY VALUE" typed in a chat (args: what follows "/set"):
 * lists every setting with its value and origin, shows one, or checks VALUE, saves it to
 * the file and applies what can change at run time. Returns a command for the core (a
 * nick change where the mode has /nick; the caller hands it to the runner) or NULL. */
core_command *settings_command(frontend *fe, const char *args);

#endif
