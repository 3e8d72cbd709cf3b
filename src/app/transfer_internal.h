/* transfer_internal.h -- what transfer.c, transfer_io.c, transfer_serve.c and transfer_recv.c
 * share: the engine, its shares and running transfers (private to src/app) */
#ifndef UDPCHAT_TRANSFER_INTERNAL_H
#define UDPCHAT_TRANSFER_INTERNAL_H
#include <SDL.h>

#include "udpchat/addr.h"
#include "udpchat/charset.h"
#include "udpchat/tcp.h"
#include "udpchat/transfer.h"

/*
** Threads: the main thread registers shares and starts downloads; the accepting thread
** ("udpchat-files") starts one serving thread per connection; each download has its own
** thread. At most MAX_SERVING serving threads run at once, MAX_SERVING_PER_IP of them for
** one address (a connection beyond is closed at once: one host cannot take every slot), and
** MAX_DOWNLOADS downloading threads (a download beyond waits for a slot). serving_ip[] holds
** the address of each busy serving slot (0: free).
**
** `lock` guards shares[], parts[], running and the id counters; nothing blocks while holding
** it. A share is unbound (packet_no 0) until its EV_FILE_SHARED; then only a request with its
** packet number, from its peer's IP with the peer's raw user and host names, for one of its
** files with the matching kind (file or folder), before `expires`, gets data (a share not
** bound within UNBOUND_MS of its creation never will be: the core refused the offer). A file served
** completely is `done` and is never served again; a share with every file done, released or
** expired is removed.
**
** A transfer reads and writes through one BLOCK-byte buffer, whatever the file size.
*/

#define BLOCK (256 * 1024)
#define MAX_SERVING 8
#define MAX_SERVING_PER_IP 2
#define MAX_DOWNLOADS 4
#define UNBOUND_MS 10000

typedef struct share_file {
    uint32_t id, attr;
    uint64_t size;
    char *path, *name;   /* local path; the name offered (its last component) */
    int done;
} share_file;

typedef struct share {
    uint32_t id;
    uint64_t packet_no;  /* 0: not yet bound */
    uint32_t ip;
    char *user, *host, *peer;
    charset_id cs;
    uint64_t created, expires;
    share_file *files;
    size_t n;
} share;

typedef struct xfer {
    uint32_t id;
    SDL_atomic_t cancel;
    char *offer;         /* a download: "address/packet_no" of its offer (owned), else NULL */
    struct xfer *next;
} xfer;

typedef struct part_rec {  /* a file download that stopped part-way: resumable */
    char *key, *final;
} part_rec;

struct transfer_engine {
    transfer_config cfg;
    char *user, *host;
    tcp_listener *listener;
    SDL_Thread *acceptor;
    SDL_mutex *lock;
    SDL_sem *download_slots;
    SDL_atomic_t stop, threads;
    uint32_t serving_ip[MAX_SERVING];
    share *shares;
    size_t nshares;
    part_rec *parts;
    size_t nparts;
    xfer *running;
    uint32_t next_share, next_file, next_xfer;
    uint64_t refused_at;  /* when a refusal was last reported (one a second at most) */
    uint64_t next_packet;
};

/* transfer.c */
/* A running transfer (offer: a download's key, copied; NULL for serving), or NULL if a
 * download of that offer is already running. */
xfer *xfer_begin(transfer_engine *te, const char *offer);
void xfer_end(transfer_engine *te, xfer *x);
uint64_t engine_packet_no(transfer_engine *te);
/* Posts an EV_TRANSFER (strings copied; any may be NULL). */
void post_transfer(transfer_engine *te, uint32_t id, int reason, int flags, const char *from, const char *address,
                   const char *text, uint64_t bytes, uint64_t size, uint64_t rate);
void addr_to_text(uint32_t ip, uint16_t port, buf *b);
void path_join(buf *out, const char *dir, const char *name);

/* transfer_io.c: a buffered reader over a connection, and progress reports */
typedef struct reader {
    tcp_conn *c;
    transfer_engine *te;
    xfer *x;
    char *buf;
    size_t start, end;
} reader;
/* Fills the buffer with at least `want` bytes (<= BLOCK): 0, or an error text (static). */
const char *reader_fill(reader *r, size_t want);
typedef struct progress {
    transfer_engine *te;
    uint32_t id;
    int flags;
    const char *from, *address, *name;
    uint64_t bytes, size, session_bytes, started, last;
} progress;
void progress_add(progress *p, uint64_t n);  /* counts; reports at most once a second */
uint64_t progress_rate(const progress *p);
/* Holds a sender to cfg.rate_limit. */
void pace(transfer_engine *te, uint64_t started, uint64_t sent);

/* transfer_serve.c: one accepted connection (takes ownership of c) */
void serve_start(transfer_engine *te, tcp_conn *c);
/* transfer_recv.c */
int download_main(void *arg);

#endif
