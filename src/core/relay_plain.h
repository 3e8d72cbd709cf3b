/* relay_plain.h -- output to the relay's plain-text members (not installed) */
#ifndef UDPCHAT_RELAY_PLAIN_H
#define UDPCHAT_RELAY_PLAIN_H
#include "relay_table.h"

/* A line for plain-text members, encoded once per charset (CHARSET_* indexes enc); the
 * caller owns it (utf8 is borrowed) and frees the encodings with plain_line_free. */
typedef struct plain_line {
    const char *utf8;
    buf enc[4];
} plain_line;
void plain_line_free(plain_line *l);
/* Sends a line to a plain-text member, within its output rate. */
void plain_send_line(relay *r, member *m, plain_line *l, uint64_t now);
void plain_send(relay *r, member *m, const char *utf8, uint64_t now);
/* Queues a join/leave line for plain-text members (sent together, once a second). */
void plain_news(relay *r, const char *line);
void plain_flush_news(relay *r, uint64_t now);

#endif
