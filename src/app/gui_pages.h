/* gui_pages.h -- the window reads a conversation's past from the chat log as it scrolls */
#ifndef UDPCHAT_GUI_PAGES_H
#define UDPCHAT_GUI_PAGES_H
#include "gui_convs.h"
#include "udpchat/buf.h"
#include "udpchat/history.h"
#include "udpchat/record.h"

/* Each works on the open conversation of C and reads through r (NULL, or a log that cannot
 * be read: nothing comes, the view shows what it has). Pages are CONVS_PAGE rows; a run
 * keeps CONVS_LOG_KEEP (gui_log.c). One thread (the window's). */

/* A row read back as the window shows it: date and time, then the console's words;
 * where: "[place, conv] " after the date (/search's answers come from everywhere). */
void pages_text(buf *b, const history_rec *r, int where);
/* The conversation opens: the newest page before the model's lines (once; again after
 * pages_live let it go). */
void pages_first(gui_convs *C, recorder *r);
/* GUI_EV_TOP: the page above; GUI_EV_BOTTOM: the page below (detached only). 1 if lines came
 * or went. */
int pages_older(gui_convs *C, recorder *r);
int pages_newer(gui_convs *C, recorder *r);
/* Before each drawing: rows the model let go since the last look join the run (attached). */
void pages_follow(gui_convs *C, recorder *r);
/* The user wrote while reading far back: the run is let go, the newest page read again. */
void pages_live(gui_convs *C, recorder *r);

#endif
