/* signals.c -- Ctrl-C and SIGTERM become a polite quit, on POSIX and Windows consoles */
#include <signal.h>

#include "udpchat/app.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    (void)sig;
    caught = 1;
}

void signals_install(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

int signals_caught(void) { return caught != 0; }
