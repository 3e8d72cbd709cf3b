/* input.h -- the line-mode console edge: a thread reading stdin lines for the front end */
#ifndef UDPCHAT_INPUT_H
#define UDPCHAT_INPUT_H
#include "udpchat/charset.h"
#include "udpchat/console.h"

/* Starts a detached thread that reads stdin, splits it into lines (LF or CRLF), converts
 * each from `cs` to UTF-8 and hands it to on_line(ctx, line); at end of input it hands
 * NULL, unless stdin is the null device (then the program runs until a signal). Lines
 * longer than 256 KiB are cut into pieces. */
void input_start(charset_id cs, console_line_fn on_line, void *ctx);

#endif
