/* main_windowed.c -- udpchatw.exe (Windows GUI subsystem): `udpchat gui` with the same arguments, and no console */
#define SDL_MAIN_HANDLED
#include <SDL.h>

#include "udpchat/charset.h"
#include "udpchat/cli.h"

/* A double-click, the Start menu or the desktop shortcut starts this program: Windows opens
 * no console for it, and errors a user can act on reach them in a window or a message box
 * (cmd_gui.c). `udpchatw join HOST` is `udpchat gui join HOST`. */
int main(int argc, char **argv)
{
    SDL_SetMainReady();
    charset_utf8_args(argc, &argv); /* --nick 窗口 on a Chinese Windows: UTF-8, not GBK */
    argv[0] = (char *)"gui";
    return cmd_gui_windowed(argc, argv);
}
