/* gui_stats.c -- UDPCHAT_GUI_FRAMES=FILE: one line per frame drawn (microseconds of draw + present), for bench/ */
#include <stdio.h>
#include <time.h>

#include "gui_internal.h"

/* The file is opened at the first frame and kept open (flushed per line) until the process
 * ends. Unset: one getenv at the first frame, then a pointer test per frame. The first line,
 * "# first frame presented at unix_us N", is the wall clock (TIME_UTC) when the first frame
 * was presented: bench/gui_bench.py subtracts the time it started the process. */
static FILE *frames;
static int looked;   /* 1: the environment was read */
static int started;  /* 1: the first frame's line was written */

/* The wall clock in microseconds (mingw's C library has no timespec_get: whole seconds
 * there; bench/ runs on Linux). */
static long long wall_us(void)
{
#ifdef TIME_UTC
    struct timespec ts = {0, 0};
    if (timespec_get(&ts, TIME_UTC)) return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
#endif
    return (long long)time(NULL) * 1000000;
}

static void stats_open(void)
{
    looked = 1;
    const char *path = SDL_getenv("UDPCHAT_GUI_FRAMES");
    if (path && *path) frames = fopen(path, "a");
}

uint64_t gui_clock_us(void)
{
    Uint64 c = SDL_GetPerformanceCounter(), f = SDL_GetPerformanceFrequency(); /* c * 10^6 would overflow */
    return c / f * 1000000 + c % f * 1000000 / f;
}

void gui_stats_note(const char *what, uint64_t since_us)
{
    if (!looked) stats_open();
    if (frames) fprintf(frames, "# %s %llu\n", what, (unsigned long long)(gui_clock_us() - since_us)), fflush(frames);
}

void gui_stats_draw(gui *g)
{
    if (!looked) stats_open();
    if (!frames) {
        gui_draw(g);
        return;
    }
    Uint64 t0 = SDL_GetPerformanceCounter();
    gui_draw(g);
    Uint64 us = (SDL_GetPerformanceCounter() - t0) * 1000000 / SDL_GetPerformanceFrequency();
    if (!started) {
        started = 1;
        fprintf(frames, "# first frame presented at unix_us %lld\n", wall_us());
    }
    fprintf(frames, "%llu\n", (unsigned long long)us);
    fflush(frames); /* a reader sees each frame at once */
}
