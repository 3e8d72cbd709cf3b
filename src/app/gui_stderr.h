/* gui_stderr.h -- stderr held in a file until the window opens (cmd_gui.c; gui_stderr.c) */
#ifndef UDPCHAT_GUI_STDERR_H
#define UDPCHAT_GUI_STDERR_H

/* From now on, what is printed on stderr goes to a temporary file. */
void gui_stderr_capture(void);
/* Gives stderr back, prints on it what was held, and returns that (heap; "" if nothing or
 * when nothing was held). */
char *gui_stderr_release(void);

#endif
