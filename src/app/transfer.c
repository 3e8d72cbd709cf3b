/* transfer.c -- the file-transfer engine: the listener, shares, running transfers, events */
#include "transfer_internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/fs.h"
#include "udpchat/ipmsg.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"
#include "udpchat/net.h"

void addr_to_text(uint32_t ip, uint16_t port, buf *b)
{
    buf_printf(b, "%u.%u.%u.%u", (unsigned)(ip >> 24) & 255, (unsigned)(ip >> 16) & 255,
               (unsigned)(ip >> 8) & 255, (unsigned)ip & 255);
    if (port && port != IPMSG_PORT) buf_printf(b, ":%u", port);
}

void path_join(buf *out, const char *dir, const char *name)
{
    buf_append_str(out, dir);
    if (out->len && out->data[out->len - 1] != FS_SEP && out->data[out->len - 1] != '/') buf_append_byte(out, FS_SEP);
    buf_append_str(out, name);
}

void post_transfer(transfer_engine *te, uint32_t id, int reason, int flags, const char *from, const char *address,
                   const char *text, uint64_t bytes, uint64_t size, uint64_t rate)
{
    chat_event *ev = xcalloc(1, sizeof *ev);
    ev->type = EV_TRANSFER;
    ev->id = id;
    ev->reason = reason;
    ev->flags = flags;
    ev->from = from ? str_dup(from) : NULL;
    ev->address = address ? str_dup(address) : NULL;
    ev->text = text ? str_dup(text) : NULL;
    ev->bytes = bytes, ev->size = size, ev->rate = rate;
    queue_push_sized(te->cfg.ui, ev, chat_event_bytes(ev));
}

uint64_t engine_packet_no(transfer_engine *te)
{
    SDL_LockMutex(te->lock);
    uint64_t n = te->next_packet++;
    SDL_UnlockMutex(te->lock);
    return n;
}

xfer *xfer_begin(transfer_engine *te, const char *offer)
{
    xfer *x = NULL;
    SDL_LockMutex(te->lock);
    int busy = 0;
    for (xfer *r = te->running; r && offer; r = r->next) busy |= r->offer && strcmp(r->offer, offer) == 0;
    if (!busy) {
        x = xcalloc(1, sizeof *x);
        x->id = ++te->next_xfer;
        x->offer = offer ? str_dup(offer) : NULL;
        x->next = te->running;
        te->running = x;
    }
    SDL_UnlockMutex(te->lock);
    return x;
}

void xfer_end(transfer_engine *te, xfer *x)
{
    SDL_LockMutex(te->lock);
    for (xfer **p = &te->running; *p; p = &(*p)->next)
        if (*p == x) {
            *p = x->next;
            break;
        }
    SDL_UnlockMutex(te->lock);
    free(x->offer);
    free(x);
}

int transfer_cancel(transfer_engine *te, uint32_t id)
{
    int found = -1;
    SDL_LockMutex(te->lock);
    for (xfer *x = te->running; x; x = x->next)
        if (x->id == id) {
            SDL_AtomicSet(&x->cancel, 1);
            found = 0;
        }
    SDL_UnlockMutex(te->lock);
    return found;
}

/* ---- the accepting thread ---- */

static int accept_main(void *arg)
{
    transfer_engine *te = arg;
    while (!SDL_AtomicGet(&te->stop)) {
        tcp_conn *c = tcp_accept(te->listener, 250);
        if (!c) continue;
        serve_start(te, c); /* or closed at once, beyond the limits */
    }
    return 0;
}

static uint32_t env_u32(const char *name, uint32_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? (uint32_t)strtoul(v, NULL, 10) : dflt;
}

transfer_engine *transfer_start(const transfer_config *cfg, char *err, size_t errlen)
{
    tcp_listener *l = tcp_listen(cfg->port, err, errlen);
    if (!l) return NULL;
#ifdef SIGPIPE
    signal(SIGPIPE, SIG_IGN); /* a peer that goes away mid-transfer is an error, not a signal */
#endif
    transfer_engine *te = xcalloc(1, sizeof *te);
    te->cfg = *cfg;
    te->user = str_dup(cfg->user);
    te->host = str_dup(cfg->host);
    if (!te->cfg.timeout_ms) te->cfg.timeout_ms = env_u32("UDPCHAT_TRANSFER_TIMEOUT_MS", 30000);
    if (!te->cfg.rate_limit) te->cfg.rate_limit = env_u32("UDPCHAT_TRANSFER_RATE", 0); /* tests only */
    if (!te->cfg.share_ttl_s) te->cfg.share_ttl_s = env_u32("UDPCHAT_SHARE_TTL", 12 * 3600);
    te->listener = l;
    te->lock = SDL_CreateMutex();
    te->download_slots = SDL_CreateSemaphore(MAX_DOWNLOADS);
    te->next_packet = (uint64_t)time(NULL) & 0x7FFFFFFF;
    if (!te->lock || !te->download_slots) mem_fail_what("a mutex");
    te->acceptor = SDL_CreateThread(accept_main, "udpchat-files", te);
    if (!te->acceptor) mem_fail_what("a thread");
    return te;
}

static void share_free(share *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->files[i].path), free(s->files[i].name);
    free(s->files);
    free(s->user);
    free(s->host);
    free(s->peer);
}

void transfer_stop(transfer_engine *te)
{
    if (!te) return;
    SDL_AtomicSet(&te->stop, 1);
    SDL_WaitThread(te->acceptor, NULL);
    tcp_listener_close(te->listener);
    SDL_LockMutex(te->lock);
    for (xfer *x = te->running; x; x = x->next) SDL_AtomicSet(&x->cancel, 1);
    SDL_UnlockMutex(te->lock);
    for (int i = 0; i < 300 && SDL_AtomicGet(&te->threads) > 0; i++) SDL_Delay(10);
    if (SDL_AtomicGet(&te->threads) > 0) return; /* one is stuck in a send: the process ends anyway */
    for (size_t i = 0; i < te->nshares; i++) share_free(&te->shares[i]);
    for (size_t i = 0; i < te->nparts; i++) free(te->parts[i].key), free(te->parts[i].final);
    free(te->shares);
    free(te->parts);
    SDL_DestroySemaphore(te->download_slots);
    SDL_DestroyMutex(te->lock);
    free(te->user);
    free(te->host);
    free(te);
}

/* ---- shares (main thread) ---- */

/* The last component of a path (a trailing separator ignored). */
static char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && (path[n - 1] == '/' || path[n - 1] == FS_SEP)) n--;
    size_t s = n;
    while (s > 0 && path[s - 1] != '/' && path[s - 1] != FS_SEP) s--;
    return xstrndup(path + s, n - s);
}

typedef struct tree_sum {
    const char *dir;
    uint64_t bytes;
    int depth;
} tree_sum;

/* Adds the sizes of the files under one entry (folders 64 deep at most). */
static int sum_entry(void *ctx, const char *name)
{
    tree_sum *t = ctx;
    buf p = {0};
    fs_info st;
    path_join(&p, t->dir, name);
    if (fs_stat(p.data, &st) == 0 && st.is_file && !st.is_link) t->bytes += st.size;
    if (fs_stat(p.data, &st) == 0 && st.is_dir && !st.is_link && t->depth < 64) {
        tree_sum sub = {p.data, 0, t->depth + 1};
        fs_list(p.data, sum_entry, &sub);
        t->bytes += sub.bytes;
    }
    buf_free(&p);
    return 0;
}

/* Fills f from one path; -1 and err if it cannot be offered. */
static int share_file_of(const char *path, share_file *f, char *err, size_t errlen)
{
    fs_info st;
    memset(f, 0, sizeof *f);
    if (fs_stat(path, &st) < 0 || (!st.is_file && !st.is_dir)) {
        snprintf(err, errlen, "cannot send %s: %s", path, fs_stat(path, &st) < 0 ? "no such file or folder" : "not a file or a folder");
        return -1;
    }
    f->path = str_dup(path);
    f->name = base_name(path);
    f->attr = st.is_dir ? IPMSG_FILE_DIR : IPMSG_FILE_REGULAR;
    f->size = st.size;
    if (st.is_dir) {
        tree_sum t = {path, 0, 0};
        fs_list(path, sum_entry, &t);
        f->size = t.bytes;
    }
    return 0;
}

static void share_remove_at(transfer_engine *te, size_t i);

/* Removes expired shares, and those the core never bound (under the lock). */
static void drop_stale(transfer_engine *te)
{
    uint64_t now = net_now_ms();
    for (size_t i = te->nshares; i-- > 0;) {
        share *s = &te->shares[i];
        if (now >= s->expires || (!s->packet_no && now - s->created > UNBOUND_MS)) share_remove_at(te, i);
    }
}

uint32_t transfer_share(transfer_engine *te, const char *const *paths, size_t n, buf *spec, char *err, size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "usage: /send NICK PATH... (files and folders)");
        return 0;
    }
    share s;
    memset(&s, 0, sizeof s);
    s.files = xcalloc(n, sizeof *s.files);
    for (; s.n < n; s.n++)
        if (share_file_of(paths[s.n], &s.files[s.n], err, errlen) < 0) {
            share_free(&s);
            return 0;
        }
    SDL_LockMutex(te->lock);
    drop_stale(te);
    s.id = ++te->next_share;
    for (size_t i = 0; i < n; i++) s.files[i].id = ++te->next_file;
    s.created = net_now_ms();
    s.expires = s.created + (uint64_t)te->cfg.share_ttl_s * 1000;
    te->shares = xreallocarray(te->shares, te->nshares + 1, sizeof *te->shares);
    te->shares[te->nshares++] = s;
    SDL_UnlockMutex(te->lock);
    lan_file_spec_begin(spec, s.id, "");
    for (size_t i = 0; i < n; i++) {
        fs_info st;
        uint64_t mtime = fs_stat(s.files[i].path, &st) == 0 ? st.mtime : 0;
        lan_file_spec_add(spec, s.files[i].id, s.files[i].size, mtime, s.files[i].attr, s.files[i].name);
    }
    return s.id;
}

static void share_remove_at(transfer_engine *te, size_t i)
{
    share_free(&te->shares[i]);
    te->shares[i] = te->shares[--te->nshares];
}

/* "packet_no\nuser\nhost\ncharset" of an EV_FILE_SHARED into s. */
static void bind_share(share *s, const chat_event *ev)
{
    char *f = str_dup(ev->files), *save = f, *line[4] = {0};
    for (int k = 0; k < 4 && f; k++) {
        line[k] = f;
        f = strchr(f, '\n');
        if (f) *f++ = '\0';
    }
    net_addr a = {0, 0};
    unsigned x[4];
    if (line[3] && ev->address && sscanf(ev->address, "%3u.%3u.%3u.%3u", &x[0], &x[1], &x[2], &x[3]) == 4) {
        a.host = x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
        s->packet_no = strtoull(line[0], NULL, 10);
        s->user = str_dup(line[1]);
        s->host = str_dup(line[2]);
        s->cs = (charset_id)atoi(line[3]);
        s->ip = a.host;
        s->peer = str_dup(ev->from ? ev->from : "?");
    }
    free(save);
}

/* 1 if "IP[:PORT]" is the share's peer's IP. */
static int released_by_peer(const share *s, const char *address)
{
    unsigned x[4];
    if (sscanf(address, "%3u.%3u.%3u.%3u", &x[0], &x[1], &x[2], &x[3]) != 4) return 0;
    return (x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3]) == s->ip;
}

int transfer_note(transfer_engine *te, const chat_event *ev)
{
    if (!te || (ev->type != EV_FILE_SHARED && ev->type != EV_FILE_RELEASED)) return 1;
    int found = 0;
    SDL_LockMutex(te->lock);
    for (size_t i = 0; i < te->nshares && !found; i++) {
        share *s = &te->shares[i];
        if (ev->type == EV_FILE_SHARED && s->id == ev->id && !s->packet_no && ev->files) bind_share(s, ev), found = 1;
        if (ev->type == EV_FILE_RELEASED && s->packet_no && ev->text && s->packet_no == strtoull(ev->text, NULL, 10) &&
            ev->address && released_by_peer(s, ev->address))
            share_remove_at(te, i), found = 1;
    }
    SDL_UnlockMutex(te->lock);
    return found;
}
