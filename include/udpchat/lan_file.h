/* lan_file.h -- file offers in LAN mode: what the app hands the lan core (an offer spec),
 * what the core hands back (an offer list in an event), and the SENDMSG body between (no I/O) */
#ifndef UDPCHAT_LAN_FILE_H
#define UDPCHAT_LAN_FILE_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"
#include "udpchat/charset.h"

/* One file of an offer, as the app sees it. name: UTF-8, owned. refused: NULL, or why the
 * name may not become a local file (ipmsg_file_name_check), a static string. */
typedef struct lan_file {
    uint32_t id;
    uint64_t size, mtime;
    uint32_t attr;           /* IPMSG_FILE_REGULAR or IPMSG_FILE_DIR (low byte) */
    char *name;
    const char *refused;
} lan_file;

typedef struct lan_offer {
    uint64_t packet_no;
    charset_id cs;           /* the charset the offer came in (its folders' names too) */
    lan_file *files;
    size_t n;
} lan_offer;

/* The offer spec (CMD_SEND_FILES text): "SHARE_ID\nMESSAGE\n" then "ID\tSIZE\tMTIME\tATTR\tNAME\n"
 * per file (numbers decimal, NAME UTF-8 without tabs or newlines). The app builds it with
 * these two; the message may be empty and has its newlines replaced by spaces. */
void lan_file_spec_begin(buf *spec, uint32_t share_id, const char *message);
void lan_file_spec_add(buf *spec, uint32_t id, uint64_t size, uint64_t mtime, uint32_t attr, const char *name);

/* The SENDMSG sections of a spec in charset cs: the message, and the IPMsg file list. Returns
 * the share id, or 0 if the spec is malformed or holds no file. */
uint32_t lan_file_spec_encode(const char *spec, charset_id cs, buf *message, buf *list);

/* The names a spec offers, for people: "report.pdf, photos/" (folders end in '/'), appended
 * to out (UTF-8, as in the spec; nothing for a malformed line). */
void lan_file_spec_names(const char *spec, buf *out);

/* The offer list of an EV_FILE_OFFER (event.h `files`), made by the core from a peer's
 * SENDMSG: "PACKET_NO\tCHARSET\n" (charset_id) then "ID\tSIZE\tMTIME\tATTR\tSTATUS\tNAME\n" per file, STATUS "ok" or
 * the refusal. Names decoded from charset cs; control characters shown as '?'. */
char *lan_file_offer_list(const char *list, size_t len, uint64_t packet_no, charset_id cs);
/* Parses such an offer list (0, or -1 if malformed). Free with lan_offer_free. */
int lan_offer_parse(const char *files, lan_offer *o);
void lan_offer_free(lan_offer *o); /* accepts a zeroed offer */

#endif
