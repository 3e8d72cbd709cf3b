/* gb18030.h -- GB18030-2022 beyond code page 936: its extra 2-byte codes and the 4-byte BMP codes */
#ifndef UDPCHAT_GB18030_H
#define UDPCHAT_GB18030_H
#include <stdint.h>

/* 4-byte codes are numbered from 81 30 81 30 (0) to 84 31 A4 39 (39419, U+FFFF) for the
 * BMP; U+10000 is 90 30 81 30 (189000) and the rest of Unicode follows in order. */
enum { GB18030_BMP_LAST = 39419, GB18030_SUPPLEMENTARY = 189000 };

/* If 2-byte `code` (lead << 8 | trail) is one of the 255 that GB18030 maps and code page
 * 936 does not (user-defined areas aside), sets *cp and returns 1; else returns 0. *cp
 * is a GB18030-2022 character: six of them are outside the BMP (FE51 = U+20087, ...). */
int gb18030_two_byte_decode(uint16_t code, uint32_t *cp);
/* The code of those 255 that maps to cp, or 0 if none does. */
uint16_t gb18030_two_byte_encode(uint32_t cp);
/* For the 24 Private Use code points that GB18030-2005 gave to 2-byte codes which 2022
 * maps to standard characters (U+E78D-U+E796, U+E816-U+E818, U+E81E, ... U+E864): that
 * old code (U+E78D -> A6D9, which now decodes to U+FE10); else 0. */
uint16_t gb18030_legacy_pua_encode(uint32_t cp);
/* The scalar value of 4-byte BMP code number `linear` (<= GB18030_BMP_LAST). The 18 codes
 * that GB18030-2005 used for U+FE10-U+FE19 and U+9FB4-U+9FBB (84 31 82 36 ...,
 * 82 35 90 37 ...) still decode to those characters, which now encode to 2 bytes. */
uint32_t gb18030_four_byte_decode(uint32_t linear);
/* The 4-byte code number of BMP scalar value cp >= 0x80; only meaningful for a cp
 * without a 1- or 2-byte code. */
uint32_t gb18030_four_byte_encode(uint32_t cp);

#endif
