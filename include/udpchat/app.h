/* app.h -- pieces shared by the chat subcommands: signals, the front-end loop, cores */
#ifndef UDPCHAT_APP_H
#define UDPCHAT_APP_H
#include "udpchat/frontend.h"
#include "udpchat/net.h"
#include "udpchat/runner.h"
#include "udpchat/session.h"

/* Ctrl-C / SIGTERM set a flag instead of killing the process. */
void signals_install(void);
int signals_caught(void);

/* Runs the front end on the main thread until the core finishes: renders events,
 * turns input lines into commands, and on end of input / a signal asks the core to
 * quit (CMD_QUIT, or CMD_SHUTDOWN for a server). Returns the exit code. */
int chat_loop_run(runner *r, queue *ui, frontend *fe);

/* Tab completion in the console (completion.c): started before console_start, fed every
 * event on the main thread, stopped after console_stop. */
void completion_start(frontend_mode mode);
void completion_note(const chat_event *ev, const char *my_nick);
void completion_stop(void);

/* Runs a chat core until it finishes: Ctrl-C handling, the "ready" event with the
 * socket's port, the receive and service threads, the console (interactive on a terminal,
 * else line mode) and the front-end loop; everything is stopped and joined on return.
 * The caller keeps ownership of sock, core and fe. Returns the exit code. */
int app_run(net_socket *sock, void *core, const core_ops *ops, frontend *fe, int no_color);

/* peer and join: resolves remote, opens the socket, runs a session; returns the exit code.
 * no_bell and no_history set the front end's bell and history (frontend.h). */
int app_run_session(const char *cmd, session_config *cfg, frontend_mode mode, int json, int no_color,
                    int no_bell, int no_history, charset_id console, const char *remote,
                    uint16_t default_port, long port);

/* Opens the socket and resolves the remote for peer/join; prints errors; returns an
 * exit code (0 on success). */
int app_open_endpoint(const char *cmd, const char *remote, uint16_t default_port, long local_port,
                      net_socket **sock, net_addr *addr);
/* Parses a --charset style option (NULL = default); prints an error and returns -1. */
int app_charset_option(const char *cmd, const char *opt, const char *value, charset_id dflt,
                       charset_id *out);

#endif
