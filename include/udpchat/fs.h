/* fs.h -- the file system for file transfers: UTF-8 paths, no-replace renames, folder
 * listings, the Downloads folder (fs_posix.c / fs_win32.c; app layer) */
#ifndef UDPCHAT_FS_H
#define UDPCHAT_FS_H
#include <stdint.h>
#include <stdio.h>
#include "udpchat/buf.h"

#ifdef _WIN32
#define FS_SEP '\\'
#else
#define FS_SEP '/'
#endif

typedef struct fs_info {
    int is_dir, is_file;  /* of what the path leads to (links followed) */
    int is_link;          /* the path itself is a symbolic link (POSIX) or a reparse point (Windows) */
    uint64_t size, mtime; /* mtime: seconds since the epoch */
} fs_info;

int fs_stat(const char *path, fs_info *st);     /* 0, or -1 (absent or unreadable) */
int fs_exists(const char *path);                /* 1 if anything has that name (even a broken link) */
int fs_mkdir(const char *path);                 /* 0 (made now), or -1 (exists, or failed) */
/* Renames from to `to` only if nothing has that name: 0, or -1 (then `from` is still there). */
int fs_rename_new(const char *from, const char *to);
int fs_remove(const char *path);                /* a file or an empty folder: 0 or -1 */
FILE *fs_open(const char *path, const char *mode); /* binary modes: "rb", "wb", "r+b" */
int fs_seek(FILE *f, uint64_t offset);          /* 0 or -1 */
/* Calls fn for each entry of a folder (UTF-8 names, not "." nor ".."), in no order, until fn
 * returns non-zero. Returns 0, or -1 if the folder cannot be read. */
typedef int (*fs_entry_fn)(void *ctx, const char *name);
int fs_list(const char *dir, fs_entry_fn fn, void *ctx);
/* The user's Downloads folder: $XDG_DOWNLOAD_DIR or ~/Downloads (POSIX), the known folder
 * (Windows). Appends it to out. */
void fs_download_dir(buf *out);

#endif
