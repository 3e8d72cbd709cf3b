/* gui_files.h -- the window's lines for file offers and transfers (app side; gui_files.c) */
#ifndef UDPCHAT_GUI_FILES_H
#define UDPCHAT_GUI_FILES_H
#include "gui_convs.h"
#include "udpchat/gui.h"

/* Adds f's line to the lines being built (gui_lines_begin): an open offer with its Accept /
 * Decline buttons, a running transfer with its bar, else a plain line; nothing when the
 * model no longer has it. Names are drawn, never interpreted (the window sanitizes). */
void gui_files_line(gui *g, const model *m, const convs_file *f);

#endif
