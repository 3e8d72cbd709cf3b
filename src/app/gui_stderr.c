/* gui_stderr.c -- stderr held in a temporary file until the window opens, then given back */
#define _POSIX_C_SOURCE 200809L
#include "gui_stderr.h"

#include <stdio.h>
#include <unistd.h>

#include "udpchat/buf.h"

static FILE *held;        /* what stderr printed meanwhile */
static int saved_fd = -1; /* the real stderr */

void gui_stderr_capture(void)
{
    fflush(stderr);
    held = tmpfile();
    saved_fd = held ? dup(2) : -1;
    if (saved_fd < 0 || dup2(fileno(held), 2) < 0) {
        if (held) fclose(held);
        if (saved_fd >= 0) close(saved_fd);
        held = NULL, saved_fd = -1;
    }
}

char *gui_stderr_release(void)
{
    if (!held) return str_dup("");
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    saved_fd = -1;
    char text[2048];
    size_t n = 0;
    if (fseek(held, 0, SEEK_SET) == 0) n = fread(text, 1, sizeof text - 1, held);
    text[n] = '\0';
    fclose(held);
    held = NULL;
    fputs(text, stderr);
    return str_dup(text);
}
