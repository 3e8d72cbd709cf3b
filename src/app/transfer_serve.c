/* transfer_serve.c -- serving one TCP request: GETFILEDATA (a file from an offset) or
 * GETDIRFILES (a folder as a stream), only to the peer it was offered to */
#include "transfer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/fs.h"
#include "udpchat/ipmsg.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"
#include "udpchat/net.h"

#define MAX_REQUEST 2048      /* bytes of a request we read at most */
#define REQUEST_MS 10000      /* a request must arrive within this */
#define BIND_WAIT_MS 3000     /* a request may come before its offer's EV_FILE_SHARED was seen */
#define MAX_DEPTH 64

typedef struct job {          /* one served file or folder: copied out of its share */
    transfer_engine *te;
    tcp_conn *c;
    xfer *x;
    uint32_t share, file, attr;
    uint64_t offset, size;
    char *path, *name, *peer, *address;
    charset_id cs;
    char *block;
    progress pr;
    int slot;                 /* its serving slot (serving_ip[]) */
} job;

/* 1 if req holds a whole request: the header's five ':' and a body ended by NUL or by its
 * last ':' (GETFILEDATA: 3, GETDIRFILES: 2), or (at the end) 2 fields without a final ':'. */
static int request_complete(const buf *req, int at_end)
{
    size_t colons = 0, i = 0;
    for (; i < req->len && colons < 5; i++) colons += req->data[i] == ':';
    if (colons < 5) return 0;
    if (memchr(req->data + i, '\0', req->len - i)) return 1;
    size_t body = 0;
    for (size_t k = i; k < req->len; k++) body += req->data[k] == ':';
    return body >= 3 || (at_end && body >= 1);
}

static int read_request(job *j, buf *req)
{
    char tmp[512];
    uint64_t start = net_now_ms();
    while (req->len < MAX_REQUEST && net_now_ms() - start < REQUEST_MS) {
        int n = tcp_recv(j->c, tmp, sizeof tmp < MAX_REQUEST - req->len ? sizeof tmp : MAX_REQUEST - req->len, 250);
        if (n > 0) buf_append(req, tmp, (size_t)n);
        if (request_complete(req, 0)) return 0;
        if (n == TCP_CLOSED || n == TCP_ERROR) break;
        if (n == TCP_TIMEOUT && req->len && net_now_ms() - start > 1000 && request_complete(req, 1)) return 0;
    }
    return request_complete(req, 1) ? 0 : -1;
}

static share_file *match(share *s, const ipmsg_filereq *r, uint32_t want_attr)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->files[i].id == r->file_id && !s->files[i].done && (s->files[i].attr & 0xFF) == want_attr)
            return &s->files[i];
    return NULL;
}

/* Looks the request up: 1 and j filled, 0 no such offer (yet), -1 and no unbound share. */
static int lookup(job *j, const ipmsg_packet *pk, const ipmsg_filereq *r, uint32_t ip, uint32_t want)
{
    transfer_engine *te = j->te;
    int unbound = 0, found = 0;
    SDL_LockMutex(te->lock);
    for (size_t i = 0; i < te->nshares && !found; i++) {
        share *s = &te->shares[i];
        unbound |= s->packet_no == 0 && net_now_ms() - s->created < UNBOUND_MS;
        share_file *f = s->packet_no == r->packet_no && s->ip == ip && net_now_ms() < s->expires &&
                                strcmp(s->user, pk->user) == 0 && strcmp(s->host, pk->host) == 0
                            ? match(s, r, want)
                            : NULL;
        if (!f) continue;
        found = 1;
        j->share = s->id, j->file = f->id, j->attr = f->attr, j->size = f->size;
        j->path = str_dup(f->path), j->name = str_dup(f->name), j->peer = str_dup(s->peer);
        j->cs = s->cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : s->cs;
    }
    SDL_UnlockMutex(te->lock);
    return found ? 1 : unbound ? 0 : -1;
}

static void refused(job *j)
{
    transfer_engine *te = j->te;
    uint64_t now = net_now_ms();
    SDL_LockMutex(te->lock);
    int say = now - te->refused_at >= 1000 || !te->refused_at;
    if (say) te->refused_at = now;
    SDL_UnlockMutex(te->lock);
    if (say)
        post_transfer(te, 0, TRANSFER_REFUSED, TRANSFER_SENDING, NULL, j->address,
                      "a file request for something never offered to that address: closed, nothing sent", 0, 0, 0);
}

static void mark_done(job *j)
{
    transfer_engine *te = j->te;
    SDL_LockMutex(te->lock);
    for (size_t i = 0; i < te->nshares; i++) {
        share *s = &te->shares[i];
        if (s->id != j->share) continue;
        size_t left = 0;
        for (size_t k = 0; k < s->n; k++) {
            if (s->files[k].id == j->file) s->files[k].done = 1;
            left += !s->files[k].done;
        }
        if (!left) { /* every file of the share went: it is over */
            for (size_t k = 0; k < s->n; k++) free(s->files[k].path), free(s->files[k].name);
            free(s->files), free(s->user), free(s->host), free(s->peer);
            te->shares[i] = te->shares[--te->nshares];
        }
        break;
    }
    SDL_UnlockMutex(te->lock);
}

/* Sends `size` bytes of f from where it stands. NULL, or why not. */
static const char *send_bytes(job *j, FILE *f, uint64_t size)
{
    while (size > 0) {
        if (SDL_AtomicGet(&j->x->cancel)) return "cancelled";
        size_t want = size < BLOCK ? (size_t)size : BLOCK;
        size_t n = fread(j->block, 1, want, f);
        if (n == 0) return "the file got shorter while it was being sent";
        if (tcp_send(j->c, j->block, n) < 0) return "the receiver went away";
        size -= n;
        progress_add(&j->pr, n);
        pace(j->te, j->pr.started, j->pr.session_bytes);
    }
    return NULL;
}

static const char *send_file(job *j)
{
    fs_info st;
    if (fs_stat(j->path, &st) < 0 || !st.is_file) return "the file is gone";
    if (j->offset > st.size) return "asked for an offset beyond the end of the file";
    FILE *f = fs_open(j->path, "rb");
    if (!f) return "cannot read the file";
    const char *why = fs_seek(f, j->offset) < 0 ? "cannot seek in the file" : send_bytes(j, f, st.size - j->offset);
    fclose(f);
    return why;
}

static const char *send_header(job *j, const char *name, uint64_t size, uint32_t attr, uint64_t mtime)
{
    buf enc = {0}, h = {0};
    charset_encode(j->cs, name, strlen(name), 1, &enc);
    ipmsg_dirhdr_build(&h, enc.data ? enc.data : "", size, attr, mtime);
    int rc = tcp_send(j->c, h.data, h.len);
    buf_free(&enc);
    buf_free(&h);
    return rc < 0 ? "the receiver went away" : NULL;
}

typedef struct names {
    char **v;
    size_t n;
} names;

static int add_name(void *ctx, const char *name)
{
    names *ns = ctx;
    ns->v = xreallocarray(ns->v, ns->n + 1, sizeof *ns->v);
    ns->v[ns->n++] = str_dup(name);
    return 0;
}

static const char *send_entry(job *j, const char *path, const char *name, int depth);

/* A folder: its header, each entry, then "." (RETPARENT). */
static const char *send_dir(job *j, const char *path, const char *name, uint64_t mtime, int depth)
{
    names ns = {NULL, 0};
    const char *why = depth > MAX_DEPTH ? "folders nested too deep" : send_header(j, name, 0, IPMSG_FILE_DIR, mtime);
    if (!why && fs_list(path, add_name, &ns) < 0) why = "cannot read a folder";
    for (size_t i = 0; i < ns.n; i++) {
        buf child = {0};
        path_join(&child, path, ns.v[i]);
        if (!why) why = send_entry(j, child.data, ns.v[i], depth + 1);
        buf_free(&child);
        free(ns.v[i]);
    }
    free(ns.v);
    return why ? why : send_header(j, ".", 0, IPMSG_FILE_RETPARENT, mtime);
}

static const char *send_entry(job *j, const char *path, const char *name, int depth)
{
    fs_info st;
    if (fs_stat(path, &st) < 0 || st.is_link) return NULL; /* gone since, or a link (it could lead
                                                             anywhere, or in a loop): skipped */
    if (st.is_dir) return send_dir(j, path, name, st.mtime, depth);
    if (!st.is_file) return NULL;            /* not a file nor a folder: skipped */
    FILE *f = fs_open(path, "rb");
    if (!f) return NULL;
    const char *why = send_header(j, name, st.size, IPMSG_FILE_REGULAR, st.mtime);
    if (!why) why = send_bytes(j, f, st.size);
    fclose(f);
    return why;
}

static void run_job(job *j)
{
    j->x = xfer_begin(j->te, NULL);
    j->block = xmalloc(BLOCK);
    progress p = {j->te, j->x->id, TRANSFER_SENDING, j->peer, j->address, j->name, j->offset, j->size, 0,
                  net_now_ms(), net_now_ms()};
    j->pr = p;
    post_transfer(j->te, j->x->id, TRANSFER_STARTED, TRANSFER_SENDING, j->peer, j->address, j->name, j->offset,
                  j->size, 0);
    fs_info st;
    const char *why = (j->attr & 0xFF) == IPMSG_FILE_DIR
                          ? send_entry(j, j->path, j->name, 0)
                          : fs_stat(j->path, &st) == 0 ? send_file(j) : "the file is gone";
    if (!why) mark_done(j);
    post_transfer(j->te, j->x->id, why ? (SDL_AtomicGet(&j->x->cancel) ? TRANSFER_CANCELLED : TRANSFER_FAILED) : TRANSFER_DONE,
                  TRANSFER_SENDING, j->peer, j->address, why ? why : j->name, j->pr.bytes, j->size, progress_rate(&j->pr));
    free(j->block);
    xfer_end(j->te, j->x);
}

static void handle(job *j, const ipmsg_packet *pk, uint32_t ip)
{
    uint32_t mode = IPMSG_MODE(pk->command), want = mode == IPMSG_GETFILEDATA ? IPMSG_FILE_REGULAR : IPMSG_FILE_DIR;
    ipmsg_filereq r;
    if ((mode != IPMSG_GETFILEDATA && mode != IPMSG_GETDIRFILES) ||
        ipmsg_filereq_parse(pk->extra, pk->extra_len, mode == IPMSG_GETFILEDATA, &r) < 0) {
        refused(j);
        return;
    }
    int found = 0;
    for (uint64_t start = net_now_ms(); (found = lookup(j, pk, &r, ip, want)) == 0 && net_now_ms() - start < BIND_WAIT_MS;)
        SDL_Delay(50);
    if (found <= 0) {
        refused(j);
        return;
    }
    j->offset = r.offset;
    run_job(j);
}

static void slot_free(transfer_engine *te, int slot);

static int serve_main(void *arg)
{
    job *j = arg;
    buf req = {0}, addr = {0};
    ipmsg_packet pk;
    net_addr peer = tcp_peer(j->c);
    addr_to_text(peer.host, 0, &addr);
    j->address = buf_detach(&addr);
    if (read_request(j, &req) == 0 && ipmsg_parse(req.data, req.len, &pk) == 0) {
        handle(j, &pk, peer.host);
        ipmsg_free(&pk);
    } else {
        refused(j);
    }
    buf_free(&req);
    tcp_close(j->c);
    transfer_engine *te = j->te;
    int slot = j->slot;
    free(j->path), free(j->name), free(j->peer), free(j->address), free(j);
    slot_free(te, slot);
    SDL_AtomicDecRef(&te->threads);
    return 0;
}

/* A serving slot for ip: its index, or -1 (all busy, or ip has MAX_SERVING_PER_IP). */
static int slot_take(transfer_engine *te, uint32_t ip)
{
    int free_slot = -1, same = 0;
    SDL_LockMutex(te->lock);
    for (int i = 0; i < MAX_SERVING; i++) {
        if (!te->serving_ip[i] && free_slot < 0) free_slot = i;
        same += te->serving_ip[i] == ip;
    }
    if (same >= MAX_SERVING_PER_IP) free_slot = -1;
    if (free_slot >= 0) te->serving_ip[free_slot] = ip ? ip : 1;
    SDL_UnlockMutex(te->lock);
    return free_slot;
}

static void slot_free(transfer_engine *te, int slot)
{
    SDL_LockMutex(te->lock);
    te->serving_ip[slot] = 0;
    SDL_UnlockMutex(te->lock);
}

void serve_start(transfer_engine *te, tcp_conn *c)
{
    int slot = slot_take(te, tcp_peer(c).host);
    if (slot < 0) {
        tcp_close(c); /* too many at once: closed with nothing sent (the peer may retry) */
        return;
    }
    job *j = xcalloc(1, sizeof *j);
    j->te = te;
    j->c = c;
    j->slot = slot;
    SDL_AtomicIncRef(&te->threads);
    SDL_Thread *t = SDL_CreateThread(serve_main, "udpchat-serve", j);
    if (!t) {
        tcp_close(c);
        free(j);
        slot_free(te, slot);
        SDL_AtomicDecRef(&te->threads);
        return;
    }
    SDL_DetachThread(t);
}
