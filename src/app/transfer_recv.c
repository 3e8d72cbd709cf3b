/* transfer_recv.c -- downloading an accepted offer: files (GETFILEDATA, resumable) and folders
 * (GETDIRFILES), each into NAME.part first, never outside the chosen folder */
#include "transfer_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/fs.h"
#include "udpchat/ipmsg.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"
#include "udpchat/net.h"

/*
** Every name that becomes a path component passed ipmsg_file_name_check (the offer's in the
** core, a folder stream's here), so a path is always dir + checked components: nothing is
** written outside dir. Data goes to "NAME.part" and is renamed to a name nothing has yet
** ("NAME", else "NAME (1).ext", ...) only when complete; a folder is received in "NAME.part"
** and renamed the same way at its end.
*/

#define MAX_DEPTH 64
#define MAX_PATH_BYTES 3000
#define MAX_NUMBER 9999

typedef struct download {
    transfer_engine *te;
    xfer *x;
    char *from, *address, *dir;
    net_addr to;
    lan_offer offer;
    reader rd;
    progress pr;
    int failed;
    char err[256];   /* why a connection failed (this thread's) */
} download;

/* A free final name for `name` in dir ("NAME", "NAME (1).ext", ...) with NAME.part free too. */
static int pick_name(const char *dir, const char *name, int is_dir, buf *final)
{
    for (unsigned n = 0; n <= MAX_NUMBER; n++) {
        buf cand = {0}, p = {0};
        if (n) ipmsg_file_numbered(name, n, is_dir, &cand);
        else buf_append_str(&cand, name);
        path_join(&p, dir, cand.data);
        buf_free(&cand);
        buf_clear(final);
        buf_append(final, p.data, p.len);
        buf_append_str(&p, ".part");
        int free_ = !fs_exists(final->data) && !fs_exists(p.data);
        buf_free(&p);
        if (free_) return 0;
    }
    return -1;
}

/* Renames part to final, or to the next free number if final appeared meanwhile. */
static const char *finish(const char *part, const char *dir, const char *name, int is_dir, buf *final)
{
    if (fs_rename_new(part, final->data) == 0) return NULL;
    if (pick_name(dir, name, is_dir, final) < 0 || fs_rename_new(part, final->data) < 0)
        return "cannot rename the finished download";
    return NULL;
}

/* Writes the next `size` bytes of the stream to f. NULL, or why not. */
static const char *write_stream(download *d, FILE *f, uint64_t size)
{
    while (size > 0) {
        size_t want = size < BLOCK ? (size_t)size : BLOCK;
        const char *why = reader_fill(&d->rd, 1);
        if (why) return why;
        size_t have = d->rd.end - d->rd.start, n = have < want ? have : want;
        if (fwrite(d->rd.buf + d->rd.start, 1, n, f) != n)
            return errno == ENOSPC ? "the disk is full" : "cannot write the file";
        d->rd.start += n;
        size -= n;
        progress_add(&d->pr, n);
    }
    return NULL;
}

static tcp_conn *request(download *d, uint32_t cmd, uint32_t file_id, uint64_t offset, const char **why)
{
    tcp_conn *c = tcp_connect(&d->to, d->err, sizeof d->err);
    if (!c) {
        *why = d->err;
        return NULL;
    }
    buf body = {0}, pkt = {0};
    ipmsg_filereq r = {d->offer.packet_no, file_id, offset};
    ipmsg_filereq_build(&body, &r, cmd == IPMSG_GETFILEDATA);
    ipmsg_build(&pkt, engine_packet_no(d->te), d->te->user, d->te->host, cmd, body.data, body.len, NULL, 0);
    if (tcp_send(c, pkt.data, pkt.len) < 0) {
        *why = "the sender closed the connection";
        tcp_close(c);
        c = NULL;
    }
    buf_free(&body);
    buf_free(&pkt);
    d->rd.c = c;
    d->rd.start = d->rd.end = 0;
    return c;
}

/* 1 if bytes beyond the offered size are waiting, or come within 200 ms. */
static int more_bytes(download *d)
{
    char one;
    return d->rd.end > d->rd.start || tcp_recv(d->rd.c, &one, 1, 200) > 0;
}

/* The resumable part of file f of this offer: its final path (recorded), or NULL. */
static char *part_key(download *d, const lan_file *f)
{
    buf k = {0};
    buf_printf(&k, "%s/%llu/%lu", d->address, (unsigned long long)d->offer.packet_no, (unsigned long)f->id);
    return buf_detach(&k);
}

static char *part_find(download *d, const char *key)
{
    char *final = NULL;
    SDL_LockMutex(d->te->lock);
    for (size_t i = 0; i < d->te->nparts && !final; i++)
        if (strcmp(d->te->parts[i].key, key) == 0) final = str_dup(d->te->parts[i].final);
    SDL_UnlockMutex(d->te->lock);
    return final;
}

static void part_set(download *d, const char *key, const char *final)
{
    transfer_engine *te = d->te;
    SDL_LockMutex(te->lock);
    size_t i = 0;
    while (i < te->nparts && strcmp(te->parts[i].key, key) != 0) i++;
    if (i < te->nparts) {
        free(te->parts[i].key), free(te->parts[i].final);
        te->parts[i] = te->parts[--te->nparts];
    }
    if (final) {
        te->parts = xreallocarray(te->parts, te->nparts + 1, sizeof *te->parts);
        te->parts[te->nparts].key = str_dup(key);
        te->parts[te->nparts++].final = str_dup(final);
    }
    SDL_UnlockMutex(te->lock);
}

/* The final path and the offset to resume from (0: a new download). */
static uint64_t plan_file(download *d, const lan_file *f, const char *key, buf *final)
{
    char *prev = part_find(d, key);
    fs_info st;
    if (prev) {
        buf part = {0};
        buf_printf(&part, "%s.part", prev);
        uint64_t off = fs_stat(part.data, &st) == 0 && st.is_file && st.size <= f->size ? st.size : 0;
        buf_free(&part);
        if (off && !fs_exists(prev)) {
            buf_append_str(final, prev);
            free(prev);
            return off;
        }
        free(prev);
    }
    if (pick_name(d->dir, f->name, 0, final) < 0) buf_clear(final);
    return 0;
}

/* One offered file: GETFILEDATA from where a previous try stopped. NULL, or why not. */
static const char *get_file(download *d, const lan_file *f)
{
    char *key = part_key(d, f);
    buf final = {0}, part = {0};
    uint64_t off = plan_file(d, f, key, &final);
    const char *why = final.len ? NULL : "no free name for it";
    buf_printf(&part, "%s.part", final.data ? final.data : "");
    FILE *out = why ? NULL : fs_open(part.data, off ? "r+b" : "wb");
    if (!why && (!out || fs_seek(out, off) < 0)) why = "cannot create the file";
    d->pr.bytes = off, d->pr.size = f->size, d->pr.name = f->name;
    if (!why) part_set(d, key, final.data);
    if (!why && request(d, IPMSG_GETFILEDATA, f->id, off, &why)) {
        why = write_stream(d, out, f->size - off);
        if (!why && more_bytes(d)) why = "the sender sent more bytes than it offered: not kept";
        tcp_close(d->rd.c);
    }
    if (out && fclose(out) != 0 && !why) why = "cannot write the file (disk full?)";
    if (why && strstr(why, "more bytes")) fs_remove(part.data), part_set(d, key, NULL);
    if (!why) why = finish(part.data, d->dir, f->name, 0, &final);
    if (!why) part_set(d, key, NULL);
    free(key);
    buf_free(&final);
    buf_free(&part);
    return why;
}

/* ---- folders ---- */

typedef struct dirwalk {
    buf path[MAX_DEPTH + 1]; /* path[0]: the NAME.part folder; path[k]: k folders below it */
    int depth;               /* folders entered and not yet left; we are in path[depth - 1] */
} dirwalk;

/* The next header of the stream. NULL, or why not. */
static const char *next_header(download *d, ipmsg_dirhdr *h)
{
    size_t hs = 0;
    int r;
    const char *why;
    while ((r = ipmsg_dirhdr_size(d->rd.buf + d->rd.start, d->rd.end - d->rd.start, &hs)) == 0)
        if ((why = reader_fill(&d->rd, d->rd.end - d->rd.start + 1)) != NULL) return why;
    if (r < 0) return "the sender's folder stream is malformed";
    if ((why = reader_fill(&d->rd, hs)) != NULL) return why;
    if (ipmsg_dirhdr_parse(d->rd.buf + d->rd.start, hs, h) < 0) return "the sender's folder stream is malformed";
    d->rd.start += hs;
    return NULL;
}

/* A header's name as UTF-8 (UTF-8 if it is valid UTF-8, else the offer's charset), checked. */
static const char *stream_name(download *d, const char *raw, buf *name)
{
    charset_id cs = charset_detect(raw, strlen(raw));
    if (cs == CHARSET_UNKNOWN) cs = CHARSET_UTF8;
    if (cs != CHARSET_UTF8) cs = d->offer.cs == CHARSET_UTF8 ? CHARSET_GB18030 : d->offer.cs;
    charset_decode(cs, raw, strlen(raw), 1, name);
    const char *why = ipmsg_file_name_check(name->data ? name->data : "");
    return why ? why : NULL;
}

static const char *enter_dir(download *d, dirwalk *w, const char *name)
{
    if (w->depth >= MAX_DEPTH) return "folders nested too deep";
    buf *p = &w->path[w->depth];
    buf_clear(p);
    path_join(p, w->path[w->depth - 1].data, name);
    if (p->len > MAX_PATH_BYTES) return "a path in the folder is too long";
    fs_info st;
    if (fs_mkdir(p->data) < 0 && !(fs_stat(p->data, &st) == 0 && st.is_dir)) return "cannot create a folder";
    w->depth++;
    (void)d;
    return NULL;
}

static const char *dir_file(download *d, dirwalk *w, const char *name, uint64_t size)
{
    buf final = {0}, part = {0};
    const char *here = w->path[w->depth - 1].data, *why = NULL;
    if (pick_name(here, name, 0, &final) < 0 || final.len > MAX_PATH_BYTES) why = "no free name for a file";
    buf_printf(&part, "%s.part", final.data ? final.data : "");
    FILE *out = why ? NULL : fs_open(part.data, "wb");
    if (!why && !out) why = "cannot create a file";
    if (!why) why = write_stream(d, out, size);
    if (out && fclose(out) != 0 && !why) why = "cannot write a file (disk full?)";
    if (!why) why = finish(part.data, here, name, 0, &final);
    buf_free(&final);
    buf_free(&part);
    return why;
}

/* One header of the stream: enter a folder, leave one, or receive a file. */
static const char *dir_step(download *d, dirwalk *w, const ipmsg_dirhdr *h)
{
    buf name = {0};
    uint32_t kind = h->attr & 0xFF;
    const char *why = NULL;
    if (kind == IPMSG_FILE_RETPARENT) w->depth--;
    else if ((why = stream_name(d, h->name, &name)) != NULL) (void)0;
    else if (w->depth == 0 && kind != IPMSG_FILE_DIR) why = "the sender's folder stream does not start with the folder";
    else if (w->depth == 0) w->depth = 1; /* the offered folder itself: NAME.part */
    else if (kind == IPMSG_FILE_DIR) why = enter_dir(d, w, name.data);
    else if (kind == IPMSG_FILE_REGULAR) why = dir_file(d, w, name.data, h->size);
    else why = "the sender's folder stream has an unknown entry";
    buf_free(&name);
    return why;
}

static const char *walk_stream(download *d, dirwalk *w)
{
    const char *why = NULL;
    int started = 0;
    while (!why && (!started || w->depth > 0)) {
        ipmsg_dirhdr h;
        if ((why = next_header(d, &h)) != NULL) break;
        why = dir_step(d, w, &h);
        started = 1;
        ipmsg_dirhdr_free(&h);
    }
    return why;
}

/* One offered folder: GETDIRFILES into NAME.part, renamed when the stream is complete. */
static const char *get_dir(download *d, const lan_file *f)
{
    dirwalk w;
    memset(&w, 0, sizeof w);
    buf final = {0};
    const char *why = pick_name(d->dir, f->name, 1, &final) < 0 ? "no free name for it" : NULL;
    buf_printf(&w.path[0], "%s.part", final.data ? final.data : "");
    if (!why && fs_mkdir(w.path[0].data) < 0) why = "cannot create the folder";
    d->pr.bytes = 0, d->pr.size = f->size, d->pr.name = f->name;
    if (!why && request(d, IPMSG_GETDIRFILES, f->id, 0, &why)) {
        why = walk_stream(d, &w);
        tcp_close(d->rd.c);
    }
    if (!why) why = finish(w.path[0].data, d->dir, f->name, 1, &final);
    for (int i = 0; i <= MAX_DEPTH; i++) buf_free(&w.path[i]);
    buf_free(&final);
    return why;
}

/* ---- the thread ---- */

static void get_one(download *d, const lan_file *f)
{
    if (f->refused) {
        buf b = {0};
        buf_printf(&b, "%s: refused: %s", f->name, f->refused);
        post_transfer(d->te, d->x->id, TRANSFER_REFUSED, 0, d->from, d->address, b.data, 0, f->size, 0);
        buf_free(&b);
        return;
    }
    uint32_t kind = f->attr & 0xFF;
    const char *why = kind == IPMSG_FILE_DIR ? get_dir(d, f) : kind == IPMSG_FILE_REGULAR ? get_file(d, f)
                                                                                        : "not a file nor a folder";
    buf b = {0};
    buf_printf(&b, "%s%s%s", f->name, why ? ": " : "", why ? why : "");
    int reason = !why ? TRANSFER_FILE_DONE : SDL_AtomicGet(&d->x->cancel) ? TRANSFER_CANCELLED : TRANSFER_FAILED;
    post_transfer(d->te, d->x->id, reason, 0, d->from, d->address, b.data, d->pr.bytes, f->size, progress_rate(&d->pr));
    d->failed |= why != NULL;
    buf_free(&b);
}

int download_main(void *arg)
{
    download *d = arg;
    SDL_SemWait(d->te->download_slots);
    d->rd.buf = xmalloc(BLOCK);
    progress p = {d->te, d->x->id, 0, d->from, d->address, NULL, 0, 0, 0, net_now_ms(), net_now_ms()};
    d->pr = p;
    fs_mkdir(d->dir);
    for (size_t i = 0; i < d->offer.n && !SDL_AtomicGet(&d->x->cancel); i++) get_one(d, &d->offer.files[i]);
    post_transfer(d->te, d->x->id, d->failed || SDL_AtomicGet(&d->x->cancel) ? TRANSFER_FAILED : TRANSFER_DONE, 0,
                  d->from, d->address, d->dir, d->pr.bytes, 0, progress_rate(&d->pr));
    SDL_SemPost(d->te->download_slots);
    transfer_engine *te = d->te;
    xfer_end(te, d->x);
    free(d->rd.buf), free(d->from), free(d->address), free(d->dir);
    lan_offer_free(&d->offer);
    free(d);
    SDL_AtomicDecRef(&te->threads);
    return 0;
}

static int parse_address(const char *s, net_addr *a)
{
    unsigned x[4], port = IPMSG_PORT;
    int n = sscanf(s, "%3u.%3u.%3u.%3u:%5u", &x[0], &x[1], &x[2], &x[3], &port);
    if (n < 4 || x[0] > 255 || x[1] > 255 || x[2] > 255 || x[3] > 255 || port == 0 || port > 65535) return -1;
    a->host = x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
    a->port = (uint16_t)port;
    return 0;
}

static void copy_offer(lan_offer *dst, const lan_offer *src)
{
    *dst = *src;
    dst->files = xcalloc(src->n ? src->n : 1, sizeof *dst->files);
    for (size_t i = 0; i < src->n; i++) {
        dst->files[i] = src->files[i];
        dst->files[i].name = str_dup(src->files[i].name);
    }
}

uint32_t transfer_download(transfer_engine *te, const char *from, const char *address, const lan_offer *o,
                           const char *dir, char *err, size_t errlen)
{
    net_addr to;
    if (!address || parse_address(address, &to) < 0) {
        snprintf(err, errlen, "the offer has no usable address");
        return 0;
    }
    buf key = {0};
    buf_printf(&key, "%s/%llu", address, (unsigned long long)o->packet_no);
    xfer *x = xfer_begin(te, key.data);
    buf_free(&key);
    if (!x) {
        snprintf(err, errlen, "that offer is being downloaded now (/transfers; /cancel stops it)");
        return 0;
    }
    download *d = xcalloc(1, sizeof *d);
    d->te = te;
    d->to = to;
    d->from = str_dup(from ? from : "?");
    d->address = str_dup(address);
    d->dir = str_dup(dir);
    copy_offer(&d->offer, o);
    d->x = x;
    d->rd.te = te, d->rd.x = d->x;
    uint32_t id = d->x->id;
    post_transfer(te, id, TRANSFER_STARTED, 0, d->from, d->address, dir, 0, 0, 0);
    SDL_AtomicIncRef(&te->threads);
    SDL_Thread *t = SDL_CreateThread(download_main, "udpchat-download", d);
    if (!t) mem_fail_what("a thread");
    SDL_DetachThread(t);
    return id;
}
