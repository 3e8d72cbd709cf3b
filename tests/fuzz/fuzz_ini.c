/* fuzz_ini.c -- libFuzzer: hostile settings files into ini_parse, then ini_update on them
 *
 * The whole input is parsed: every entry kept must have a valid name and a writable value,
 * and line numbers must not go down. Then one key is set with ini_update (section and key
 * picked by the first byte, the value of the first entry if writable, else a fixed one) and the result
 * parsed again: the key must read back as the value, and every entry of the other keys
 * must still be there with the same value (the writer changes one line only). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "udpchat/ini.h"
#include "udpchat/utf8.h"

static const char *const sections[4] = {"", "lan", "join", "x.y-z"};
static const char *const keys[4] = {"nick", "port", "no-color", "k_1"};

static void check_entries(const ini *in)
{
    unsigned last = 0;
    for (size_t i = 0; i < in->count; i++) {
        const ini_entry *e = &in->entries[i];
        if (!ini_name_valid(e->key) || (e->section[0] && !ini_name_valid(e->section))) __builtin_trap();
        size_t n = strlen(e->value);
        if (!utf8_valid(e->value, n) || n > INI_MAX_LINE || e->line < last) __builtin_trap();
        if (n + 2 * INI_MAX_NAME < INI_MAX_LINE && !ini_value_valid(e->value)) __builtin_trap();
        last = e->line;
    }
}

/* Every entry of `before` that is not section.key is in `after` with the same value. */
static void check_kept(const ini *before, const ini *after, const char *section, const char *key)
{
    if (before->count >= INI_MAX_ENTRIES) return; /* the new line may push one past the limit */
    for (size_t i = 0; i < before->count; i++) {
        const ini_entry *e = &before->entries[i];
        if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0) continue;
        const ini_entry *f = ini_find(after, e->section, e->key);
        const ini_entry *g = ini_find(before, e->section, e->key);
        if (!f || strcmp(f->value, g->value) != 0) __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ini in, again;
    ini_parse((const char *)data, size, &in, NULL, NULL);
    check_entries(&in);
    unsigned pick = size ? data[0] : 0;
    const char *section = sections[pick & 3], *key = keys[(pick >> 2) & 3];
    const char *value = (pick & 16) && in.count ? in.entries[0].value : "new value";
    if (!ini_value_valid(value)) value = "new value"; /* too long to write in one line */
    buf out = {0};
    if (ini_update((const char *)data, size, section, key, value, &out) < 0) __builtin_trap();
    ini_parse(out.data ? out.data : "", out.len, &again, NULL, NULL);
    check_entries(&again);
    const ini_entry *e = ini_find(&again, section, key);
    if (in.count < INI_MAX_ENTRIES && (!e || strcmp(e->value, value) != 0)) __builtin_trap();
    check_kept(&in, &again, section, key);
    ini_free(&again);
    ini_free(&in);
    buf_free(&out);
    return 0;
}
