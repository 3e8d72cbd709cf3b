/* transfer.h -- IPMsg file transfers over TCP: what we share, what we download, each transfer
 * on its own thread, reported to the front end as EV_TRANSFER events (app layer) */
#ifndef UDPCHAT_TRANSFER_H
#define UDPCHAT_TRANSFER_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"
#include "udpchat/event.h"
#include "udpchat/lan_file.h"
#include "udpchat/queue.h"

typedef struct transfer_config {
    uint16_t port;            /* TCP port to listen on: the IPMsg (UDP) port's number */
    const char *user, *host;  /* our names in IPMsg headers (copied) */
    queue *ui;                /* where EV_TRANSFER events go (not owned) */
    uint32_t timeout_ms;      /* a stream silent this long fails (30000) */
    uint64_t rate_limit;      /* bytes/s a served transfer is held to (0: none; for tests) */
    uint32_t share_ttl_s;     /* an offer may be fetched this long (12 h) */
} transfer_config;

typedef struct transfer_engine transfer_engine;

/* Listens on cfg->port (TCP) and starts the accepting thread. NULL and a message in err when
 * the port cannot be used (the chat works on, without files). */
transfer_engine *transfer_start(const transfer_config *cfg, char *err, size_t errlen);
/* Stops accepting, cancels every transfer, waits for them (3 s at most), frees. Accepts NULL. */
void transfer_stop(transfer_engine *te);

/* Main thread. Registers local paths (UTF-8; files and folders) to offer to one peer: the
 * share waits for its EV_FILE_SHARED. Appends the offer spec (lan_file.h) for CMD_SEND_FILES
 * to spec and returns the share id, or 0 with why in err (a path that cannot be read, a
 * special file, nothing given). */
uint32_t transfer_share(transfer_engine *te, const char *const *paths, size_t n, buf *spec, char *err,
                        size_t errlen);
/* Main thread, every event: EV_FILE_SHARED binds a share to its packet number and peer,
 * EV_FILE_RELEASED drops it (the peer declined). Returns 0 if ev was one of these and
 * concerned no share of ours (a RELEASEFILES from another address, or for nothing offered:
 * not worth showing), else 1. Accepts te NULL (then 1). */
int transfer_note(transfer_engine *te, const chat_event *ev);

/* Main thread. Downloads the accepted files of an offer from `address` ("IP[:PORT]") into dir
 * (created if missing) on a new thread. Returns the transfer id (EV_TRANSFER events follow),
 * or 0 with why in err. A file of this offer already partly downloaded resumes. */
uint32_t transfer_download(transfer_engine *te, const char *from, const char *address, const lan_offer *o,
                           const char *dir, char *err, size_t errlen);
/* Asks transfer id to stop (it reports TRANSFER_CANCELLED); 0, or -1 if it is not running. */
int transfer_cancel(transfer_engine *te, uint32_t id);

#endif
