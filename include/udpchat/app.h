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

/* The same loop a step at a time, for a caller that waits on something else (the window):
 * chat_loop_step handles ev (NULL: none) and up to 63 more events waiting in ui, shows the
 * lines held for the history when due, and asks the core to quit after a signal; it
 * returns 1 when the loop is over (EV_FINISHED, or the quit grace ran out). chat_loop_wait
 * is how long the caller may wait before the next step; chat_loop_line hands it a typed
 * line (NULL: end of input, as closing the window); chat_loop_end returns the exit code. */
typedef struct chat_loop {
    runner *r;
    queue *ui;
    frontend *fe;
    uint64_t quit_at, held_since; /* ms: when we asked to quit; when the first held line came */
} chat_loop;
void chat_loop_init(chat_loop *L, runner *r, queue *ui, frontend *fe);
int chat_loop_step(chat_loop *L, chat_event *ev);
uint32_t chat_loop_wait(const chat_loop *L);
void chat_loop_line(chat_loop *L, const char *line);
int chat_loop_end(chat_loop *L);
/* Posts the "ready" event with the socket's port. */
void app_post_ready(queue *ui, uint16_t port);

/* `udpchat gui` (cmd_gui.c; udpchatw.exe): app_run hands the chat to the window instead of the
 * console when cmd_gui asked for it (gui_app.c). */
int app_gui_wanted(void);
const char *app_gui_font(void); /* --font FILE, or NULL */
/* Ends cmd_gui's capture of stderr (the window shows errors from now on); returns what was
 * printed meanwhile (heap; "" if nothing). */
char *app_gui_capture_end(void);
int app_run_gui(net_socket *sock, void *core, const core_ops *ops, frontend *fe);

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
