/* ipmsg.h -- the IP Messenger (IPMsg / FeiQ / iptux) packet codec: a subset, text only */
#ifndef UDPCHAT_IPMSG_H
#define UDPCHAT_IPMSG_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

#define IPMSG_PORT 2425
#define IPMSG_MAX_PACKET 8192     /* what we send at most; classic IPMsg reads 8 KiB */
#define IPMSG_VERSION "1_udpchat" /* FeiQ and IPMsg for Windows want the major version 1 */

/* command modes (low byte) */
enum {
    IPMSG_NOOPERATION = 0x00,
    IPMSG_BR_ENTRY = 0x01,
    IPMSG_BR_EXIT = 0x02,
    IPMSG_ANSENTRY = 0x03,
    IPMSG_BR_ABSENCE = 0x04,
    IPMSG_SENDMSG = 0x20,
    IPMSG_RECVMSG = 0x21,
    IPMSG_READMSG = 0x30,
    IPMSG_ANSREADMSG = 0x32,
    IPMSG_GETINFO = 0x40,
    IPMSG_SENDINFO = 0x41
};
/* option flags (high bits) */
#define IPMSG_ABSENCEOPT 0x00000100u
#define IPMSG_SENDCHECKOPT 0x00000100u
#define IPMSG_SECRETOPT 0x00000200u
#define IPMSG_BROADCASTOPT 0x00000400u
#define IPMSG_AUTORETOPT 0x00002000u
#define IPMSG_MULTICASTOPT 0x00000800u
#define IPMSG_READCHECKOPT 0x00100000u
#define IPMSG_CAPIPDICTOPT 0x02000000u /* never sent: we read no IPDict */
#define IPMSG_FILEATTACHOPT 0x00200000u
#define IPMSG_ENCRYPTOPT 0x00400000u
#define IPMSG_UTF8OPT 0x00800000u
#define IPMSG_CAPUTF8OPT 0x01000000u
#define IPMSG_MODE(cmd) ((cmd) & 0xFFu)

/* A parsed packet. String fields point into a copy owned by the struct's `store`
 * (NUL-terminated raw bytes, in whatever charset the sender used). */
typedef struct ipmsg_packet {
    char *store;
    const char *version, *user, *host;
    uint64_t packet_no;
    uint32_t command;
    const char *extra;     /* the additional section up to its first NUL */
    size_t extra_len;
    const char *extra2;    /* after the first NUL (group name in entries), or "" */
    size_t extra2_len;
    const char *extra3;    /* the section after extra2 (IPMsg's "\nUN:..." lines), or "" */
    size_t extra3_len;
} ipmsg_packet;

/* Parses "version:packet_no:user:host:command:extra". Returns 0, or -1 if malformed
 * (missing fields, non-numeric numbers, numbers too large). Free with ipmsg_free. */
int ipmsg_parse(const void *data, size_t len, ipmsg_packet *p);
void ipmsg_free(ipmsg_packet *p);

/* Builds a packet; user/host/extra are raw bytes already in the target charset (':' in
 * user/host is replaced by ';'). extra2 may be NULL (then no second section). */
void ipmsg_build(buf *out, uint64_t packet_no, const char *user, const char *host, uint32_t command,
                 const char *extra, size_t extra_len, const char *extra2, size_t extra2_len);

/* Appends one more NUL-terminated section to a packet ipmsg_build made (after extra2). */
void ipmsg_append_section(buf *out, const char *s, size_t len);

#endif
