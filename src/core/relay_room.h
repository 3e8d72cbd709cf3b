/* relay_room.h -- the relay's room rules, called by what arrives and by relay.c (not installed) */
#ifndef UDPCHAT_RELAY_ROOM_H
#define UDPCHAT_RELAY_ROOM_H
#include "relay_plain.h"
#include "relay_table.h"

/* Handles what a member's link has for us: messages, and its shares of fanouts. */
void room_drain(relay *r, member *m, uint64_t now);
/* Sends every receipt the table has recorded since the last call. */
void room_send_receipts(relay *r, uint64_t now);
void room_announce_join(relay *r, member *m, uint64_t now);
void room_send_welcome(relay *r, member *m, uint64_t now);
void room_chat(relay *r, member *m, int flags, const char *to, const char *text, uint32_t ref, uint64_t now);
void room_roster_text(relay *r, buf *out);
/* Starts a member's departure: marked leaving first, then announced and logged; removed
 * (member_remove) by relay.c once its link is idle. A second call does nothing, so one
 * member leaves once. */
void room_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
/* Every member that fell behind during a broadcast leaves, after it (not inside it). */
void room_settle(relay *r, uint64_t now);
void room_notice(relay *r, const char *text, uint64_t now);   /* the operator's /say */
void room_shutdown(relay *r, const char *text, uint64_t now); /* everyone leaves */

#endif
