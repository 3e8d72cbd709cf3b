/* fs_posix.c -- the file-transfer file system on POSIX: UTF-8 names are the bytes */
#ifndef _WIN32
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L
#include "udpchat/fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int fs_stat(const char *path, fs_info *st)
{
    struct stat s;
    if (stat(path, &s) < 0) return -1;
    st->is_dir = S_ISDIR(s.st_mode);
    st->is_file = S_ISREG(s.st_mode);
    st->size = st->is_file ? (uint64_t)s.st_size : 0;
    st->mtime = s.st_mtime > 0 ? (uint64_t)s.st_mtime : 0;
    st->is_link = lstat(path, &s) == 0 && S_ISLNK(s.st_mode);
    return 0;
}

int fs_exists(const char *path)
{
    struct stat s;
    return lstat(path, &s) == 0;
}

int fs_mkdir(const char *path) { return mkdir(path, 0777) == 0 ? 0 : -1; }

int fs_rename_new(const char *from, const char *to)
{
    if (link(from, to) == 0) return unlink(from) == 0 ? 0 : 0; /* `to` exists now either way */
    if (errno == EEXIST) return -1;
    if (fs_exists(to)) return -1; /* a file system without hard links: check, then rename */
    return rename(from, to) == 0 ? 0 : -1;
}

int fs_remove(const char *path) { return remove(path) == 0 ? 0 : -1; }

FILE *fs_open(const char *path, const char *mode) { return fopen(path, mode); }

int fs_seek(FILE *f, uint64_t offset) { return fseeko(f, (off_t)offset, SEEK_SET) == 0 ? 0 : -1; }

int fs_list(const char *dir, fs_entry_fn fn, void *ctx)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fn(ctx, e->d_name)) break;
    }
    closedir(d);
    return 0;
}

void fs_download_dir(buf *out)
{
    const char *x = getenv("XDG_DOWNLOAD_DIR"), *home = getenv("HOME");
    if (x && *x) buf_append_str(out, x);
    else buf_printf(out, "%s/Downloads", home && *home ? home : ".");
}

#endif
