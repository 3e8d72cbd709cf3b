/* lan_extras.h -- LAN mode's presence and compatibility helpers, for lan.c only (no I/O) */
#ifndef UDPCHAT_LAN_EXTRAS_H
#define UDPCHAT_LAN_EXTRAS_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"
#include "udpchat/buf.h"

/* ---- lan_away.c: away status in names, as IPMsg and FeiQ show it ---- */
#define LAN_AWAY_MAX 64 /* characters of an away status kept, sent or received */
/* "张三[离开]" -> "张三" (returned: nick, shortened in place) and *status = heap "离开";
 * a nick with no "[...]" at its end (or only that) is left whole and *status = NULL. */
char *lan_away_split(char *nick, char **status);
/* What our entries carry as nick: "nick", or "nick[away]" while away. */
void lan_away_entry_nick(const char *nick, const char *away, buf *out);
/* Our away text made sendable (heap): one line, at most LAN_AWAY_MAX characters, no
 * control characters, "away" if empty. */
char *lan_away_text(const char *text);

/* ---- lan_seal.c: sealed messages (SECRETOPT), received and sent ---- */
#define LAN_SEALS_MAX 64          /* unopened sealed messages kept (the oldest go first) */
#define LAN_SEALS_BYTES (1 << 20) /* ... and their text in all */
#define LAN_SEALS_SENT 64         /* our sealed SENDMSGs remembered for "read by" */
typedef struct lan_sealed {
    uint32_t n;        /* its number for /open */
    net_addr from;
    uint64_t packet_no;
    int readcheck;     /* the sender asked READCHECKOPT */
    char *text;        /* UTF-8, heap */
} lan_sealed;
typedef struct lan_seal_sent {
    net_addr to;
    uint64_t packet_no;
    uint32_t id;       /* our message id (0: slot empty or already read) */
} lan_seal_sent;
typedef struct lan_seals {
    lan_sealed items[LAN_SEALS_MAX];
    size_t len, bytes;
    uint32_t next;     /* the last number given */
    lan_seal_sent sent[LAN_SEALS_SENT];
    unsigned sent_pos;
} lan_seals;
/* Keeps a sealed message (text copied); returns its number. The oldest go beyond the
 * limits (*dropped counts them). */
uint32_t lan_seals_add(lan_seals *s, const net_addr *from, uint64_t packet_no, int readcheck,
                       const char *text, uint64_t *dropped);
/* Takes sealed message n out (the caller owns out->text); 0, or -1 if there is none. */
int lan_seals_take(lan_seals *s, uint32_t n, lan_sealed *out);
/* Remembers one of our sealed SENDMSGs. */
void lan_seals_note_sent(lan_seals *s, const net_addr *to, uint64_t packet_no, uint32_t id);
/* A READMSG for packet_no from `from`: the id of our message it opened (once), or 0. */
uint32_t lan_seals_opened(lan_seals *s, const net_addr *from, uint64_t packet_no);
void lan_seals_free(lan_seals *s);

/* ---- lan_probe.c: who is still there (BR_ENTRY again; the silent ones are gone) ---- */
typedef enum lan_probe_action {
    LAN_PROBE_NONE,
    LAN_PROBE_ASK,    /* broadcast BR_ENTRY; every peer heard from before now is in doubt */
    LAN_PROBE_NUDGE,  /* unicast BR_ENTRY to the peers not heard from since the ASK */
    LAN_PROBE_EXPIRE  /* the peers not heard from since the ASK are gone */
} lan_probe_action;
typedef struct lan_probe {
    uint64_t interval; /* ms between automatic rounds (0: only on request) */
    uint64_t wait;     /* ms from the ASK to EXPIRE (the NUDGE halfway) */
    uint64_t next;     /* when the next automatic ASK is due (0: not scheduled) */
    uint64_t asked;    /* when the current round's ASK went out */
    int phase;         /* 0 idle, 1 asked, 2 nudged */
} lan_probe;
void lan_probe_init(lan_probe *p, uint64_t interval, uint64_t wait, uint64_t now);
void lan_probe_request(lan_probe *p, uint64_t now); /* /refresh: a round now */
/* What is due at now (one action a call: call again until NONE). */
lan_probe_action lan_probe_step(lan_probe *p, uint64_t now);
uint64_t lan_probe_deadline(const lan_probe *p); /* UINT64_MAX: nothing due */

/* ---- lan_compat.c: what IPMsg, FeiQ and iptux expect of us ---- */
/* s[0..n) as one displayable line (heap): bad UTF-8 repaired, controls, bidi controls and
 * line separators become ' ', cut to max characters; leading and trailing spaces go. */
char *lan_one_line(const char *s, size_t n, size_t max);
/* A login name IPMsg will not take for a key fingerprint: "-" + 16 hex digits at its end
 * get '_' for '-' (in place). */
void lan_user_sanitize(char *user);
/* CR LF and lone CR become LF (in place): one message, several lines. */
void lan_newlines(char *text);
/* Characters of utf8 that became '?' in encoded (what the charset lacks). */
size_t lan_lossy_count(const char *utf8, const char *encoded, size_t enc_len);
/* Our quit reason in BR_EXIT: a section after the group, "\nUCQUIT:" and UTF-8 (which
 * IPMsg, FeiQ and iptux ignore). Appends it, cut to 200 bytes at a character boundary, one
 * line; nothing for an empty reason. */
void lan_quit_section(const char *reason, buf *out);
/* The reason a BR_EXIT's section carries (heap UTF-8, cleaned, at most 128 characters),
 * or NULL. */
char *lan_quit_reason(const char *section, size_t len);

#endif
