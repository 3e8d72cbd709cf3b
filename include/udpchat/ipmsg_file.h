/* ipmsg_file.h -- IP Messenger file transfer on the wire: file lists, requests, directory
 * streams, and which received names may become local files (no I/O) */
#ifndef UDPCHAT_IPMSG_FILE_H
#define UDPCHAT_IPMSG_FILE_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

enum {
    IPMSG_GETFILEDATA = 0x60,  /* TCP: packetno:fileID:offset: (hex) -> the raw bytes */
    IPMSG_RELEASEFILES = 0x61, /* UDP: decimal packet number: the receiver declines */
    IPMSG_GETDIRFILES = 0x62   /* TCP: packetno:fileID: (hex) -> a directory stream */
};
#define IPMSG_FILE_REGULAR 1u
#define IPMSG_FILE_DIR 2u
#define IPMSG_FILE_RETPARENT 3u
#define IPMSG_FILE_MTIME_KEY 0x14u

#define IPMSG_FILE_MAX_NAME 255     /* bytes of a name we accept (once decoded to UTF-8) */
#define IPMSG_FILE_MAX_ENTRIES 512  /* entries of one offer we keep */
#define IPMSG_DIR_MAX_HEADER 4096   /* bytes of one directory-stream header we accept */

/* One offered file. name: raw bytes as sent (':' no longer doubled), NUL-terminated, owned. */
typedef struct ipmsg_file {
    uint32_t id;
    char *name;
    uint64_t size, mtime;
    uint32_t attr;   /* low byte: IPMSG_FILE_REGULAR or IPMSG_FILE_DIR */
} ipmsg_file;

typedef struct ipmsg_filelist {
    ipmsg_file *v;
    size_t n;
} ipmsg_filelist;

/* Parses the attachment section (after the message's NUL): entries
 * "id:name:size:mtime:attr[:key=val...]:" separated by "\a", ":\a", "\a:" or ":\a:".
 * Stops at the first malformed entry (those before it are kept) or after
 * IPMSG_FILE_MAX_ENTRIES. Returns how many were kept; free with ipmsg_filelist_free. */
size_t ipmsg_filelist_parse(const char *s, size_t len, ipmsg_filelist *out);
void ipmsg_filelist_free(ipmsg_filelist *l); /* accepts a zeroed list */
/* Appends one entry "id:name:size:mtime:attr:\a" (name's ':' doubled). */
void ipmsg_filelist_append(buf *b, uint32_t id, const char *name, uint64_t size, uint64_t mtime,
                           uint32_t attr);

/* A TCP request body: "packetno:fileID[:offset]" in hex, optionally ending with ':' or NUL. */
typedef struct ipmsg_filereq {
    uint64_t packet_no;
    uint32_t file_id;
    uint64_t offset;
} ipmsg_filereq;
/* 0 and the fields, or -1 (missing or non-hex fields, numbers too large). want_offset: 1 for
 * GETFILEDATA (an absent offset is 0), 0 for GETDIRFILES (an offset, as iptux sends ":0",
 * is read and ignored). */
int ipmsg_filereq_parse(const char *s, size_t len, int want_offset, ipmsg_filereq *r);
void ipmsg_filereq_build(buf *b, const ipmsg_filereq *r, int with_offset);

/* One header of a directory stream: "headersize:name:size:attr[:key=val...]:". */
typedef struct ipmsg_dirhdr {
    char *name;      /* owned, raw bytes */
    uint64_t size, mtime;
    uint32_t attr;   /* low byte: REGULAR, DIR or RETPARENT */
    int has_mtime;
} ipmsg_dirhdr;
/* From the first bytes of a header: 1 and its whole length (which counts itself) in *hsize,
 * 0 if more bytes are needed, -1 if it cannot be a header (or is over IPMSG_DIR_MAX_HEADER). */
int ipmsg_dirhdr_size(const char *s, size_t len, size_t *hsize);
/* Parses one whole header of len bytes (as ipmsg_dirhdr_size said). 0, or -1. Free with
 * ipmsg_dirhdr_free. */
int ipmsg_dirhdr_parse(const char *s, size_t len, ipmsg_dirhdr *h);
void ipmsg_dirhdr_free(ipmsg_dirhdr *h); /* accepts a zeroed header */
void ipmsg_dirhdr_build(buf *b, const char *name, uint64_t size, uint32_t attr, uint64_t mtime);

/* NULL if a received UTF-8 name may become one path component here and on Windows; else why
 * not: empty, ".", "..", '/', '\\', ':' (drive letters, streams), control characters, "*?\"<>|",
 * a trailing dot or space, a reserved device name (CON, NUL, COM1, LPT1, ... with any
 * extension), over IPMSG_FILE_MAX_NAME bytes, or not valid UTF-8. */
const char *ipmsg_file_name_check(const char *name);
/* The static reason ipmsg_file_name_check gave whose text is `text` (as it crossed a text
 * format), or a general one. */
const char *ipmsg_file_reason(const char *text);
/* "name.ext" as "name (n).ext" (n > 0; a folder or a name without '.' gets " (n)" at the end). */
void ipmsg_file_numbered(const char *name, unsigned n, int is_dir, buf *out);

#endif
