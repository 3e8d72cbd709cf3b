/* attention.h -- the bell, focus reports and the unread count in the terminal title (private to the console) */
#ifndef UDPCHAT_ATTENTION_H
#define UDPCHAT_ATTENTION_H
#include "udpchat/buf.h"

/* One per console, called with the console's lock held; each appends the bytes to write
 * to out. The terminal is taken as focused until it reports otherwise (a terminal that
 * never reports focus never gets its title changed). */

/* Turns focus reporting on (CSI ?1004h). title is the text of the title ("udpchat",
 * copied and made safe): "(3) udpchat" while three lines came unseen. */
void attention_start(const char *title, buf *out);
/* ESC [ I (in = 1) or ESC [ O: focus in resets the count and gives the title back. */
void attention_focus(int in, buf *out);
/* A key was typed: whoever types is looking, as if the focus had come in. */
void attention_typed(buf *out);
/* Someone else's line was shown: BEL if ring; counted in the title while unfocused. */
void attention_alert(int ring, buf *out);
/* Gives the title back and turns focus reporting off. Idempotent. */
void attention_stop(buf *out);

#endif
