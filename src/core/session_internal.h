/* session_internal.h -- the session's state, shared by session.c and session_plain.c */
#ifndef UDPCHAT_SESSION_INTERNAL_H
#define UDPCHAT_SESSION_INTERNAL_H
#include "udpchat/session.h"

/* session.c runs the udpchat protocol; session_plain.c talks plain text to seed-style
 * programs (a peer, or a relay with `join --legacy`). session.c calls the plain-text
 * entry points below; session_plain.c calls back only emit_raw and the event queue. */

enum { ST_CONNECTING, ST_UP, ST_DOWN, ST_QUITTING, ST_DONE, ST_COUNT };

/* What moves a session from state to state (session_go applies the table in session.c). */
typedef enum session_input {
    SI_VERIFIED,    /* a verified HELLO, or a datagram of the link: the remote is there */
    SI_PLAIN,       /* the remote is a plain-text program (or join --legacy started) */
    SI_LINK_RESET,  /* a genuine RESET, or a CHALLENGE for our link: start a new one */
    SI_REMOTE_BYE,  /* the remote said BYE */
    SI_TIMEOUT,     /* nothing from the remote for timeout_ms */
    SI_QUIT,        /* the user quits: BYE if UP, else at once */
    SI_QUIT_NOW,    /* the user quits where no BYE is owed (plain text) */
    SI_BYE_ACK,     /* our BYE was acknowledged */
    SI_BYES_SPENT,  /* three BYEs and no BYE_ACK */
    SI_REFUSED,     /* the relay refused our HELLO */
    SI_KICKED,      /* the relay kicked us */
    SI_COUNT
} session_input;

/* Applies a transition; returns the state before it. */
int session_go(session *s, session_input in);
enum { HELLO_ANSWER = 1 }; /* HELLO caps bit: this answers your HELLO; do not answer it */

#define MIN_HEARTBEAT_MS 1000
#define CONTROL_GAP_MS 500   /* CHALLENGE, RESET, REFUSE, UNSUPPORTED: at most one per gap */
#define ECHO_GAP_MS 200      /* a HELLO echoing a cookie: at most one per gap */
#define HELD_MAX 16          /* plain-text datagrams held during the grace period */
#define CARD_MAX_GAP_MS 10000 /* calling cards back off to one every 10 s */

struct session {
    session_config cfg;
    char *nick, *label, *remote_nick;
    uint32_t me, them, epoch, server_seen;
    uint64_t tx, rx;                /* tokens of the current link (0: none) */
    uint64_t cookie;                /* from the remote's CHALLENGE, echoed in our HELLO */
    uint32_t cookie_ts, cookie_from;
    link *lk;
    core_emit_fn emit;
    void *ctx;
    int state, joined_once, legacy, bye_tries, version_told;
    int spoke;                      /* the remote sent us udpchat: no more calling cards */
    int in_card;                    /* handling a calling card: a CHALLENGE goes back as one */
    int advised, cards;             /* join: the "nobody answers" advice given; cards sent */
    charset_id lcs;
    uint64_t created, last_rx, last_tx, next_hello, next_bye, next_control, next_echo;
    uint64_t legacy_since, next_plain_hb;
    uint32_t hb_ms, plain_ids;
    uint64_t now; /* time of the current call, for link_emit */
    evq events;
    session_stats stats;
    char *held[HELD_MAX];    /* plain text that came before we know what the remote speaks */
    size_t nheld;
};

void emit_raw(session *s, const void *data, size_t len, uint64_t now);
void session_status(session *s, const char *text);

/* session_plain.c */
/* Plain text from the remote's address (not a calling card). */
void plain_on_datagram(session *s, const char *data, size_t len, uint64_t now);
/* Says text in plain text, cut into datagrams of at most cfg.legacy_max bytes. */
void plain_say(session *s, const char *text, size_t len, uint64_t now);
/* Switches to plain text for good: queued messages are sent as text, held ones shown. */
void plain_become(session *s);
/* Held plain text is shown (show) or dropped and counted (the remote speaks udpchat). */
void plain_release_held(session *s, int show);
/* A plain-text relay client (join --legacy): first datagram, heartbeats, quit. */
void plain_client_start(session *s, uint64_t now);
void plain_client_service(session *s, uint64_t now);
void plain_client_quit(session *s, uint64_t now);
uint64_t plain_next_deadline(const session *s);
void plain_free(session *s);

#endif
