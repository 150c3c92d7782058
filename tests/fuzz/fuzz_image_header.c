/* fuzz_image_header.c — the CLI's image-header parser on arbitrary bytes.
 *
 * cli_image_size() (tools/cli/image_header.c, compiled into this target)
 * reads the pixel size of a PNG, JPEG, GIF or WebP from the start of a file.
 * On any bytes it must stay inside b[0..n) (the replay driver and libFuzzer
 * hand it a buffer of exactly n bytes, so ASan sees a read past the end) and
 * return one of its four statuses; with complete = true never NEED_MORE;
 * CLI_IMG_OK must come with a known format and a width and height >= 1
 * (16 bits for PNG-less formats' fields, 24+1 for WebP VP8X). Every prefix
 * of an OK header read with complete = false gives OK with the same size or
 * NEED_MORE (never CORRUPT for bytes that merely stop early), and the
 * answer does not depend on what lies past the bytes given.
 */
#include "fuzz_common.h"
#include "image_header.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static cli_img_status size_of(const uint8_t *b, size_t n, bool complete, uint32_t *w,
                              uint32_t *h, const char **fmt)
{
    *w = *h = 0;
    *fmt = NULL;
    /* An exact copy, so that even a prefix is checked for reads past its end. */
    uint8_t *copy = fuzz_xmalloc(n);
    if (n)
        memcpy(copy, b, n);
    cli_img_status s = cli_image_size(copy, n, complete, w, h, fmt);
    free(copy);
    FUZZ_CHECK(s == CLI_IMG_OK || s == CLI_IMG_NEED_MORE || s == CLI_IMG_UNKNOWN ||
                   s == CLI_IMG_CORRUPT,
               "unknown status %d", (int)s);
    if (s == CLI_IMG_OK) {
        FUZZ_CHECK(*fmt != NULL, "OK without a format");
        FUZZ_CHECK(strcmp(*fmt, "png") == 0 || strcmp(*fmt, "jpeg") == 0 ||
                       strcmp(*fmt, "gif") == 0 || strcmp(*fmt, "webp") == 0,
                   "format \"%s\"", *fmt);
        FUZZ_CHECK(*w >= 1 && *h >= 1, "%s of %ux%u", *fmt, *w, *h);
        if (strcmp(*fmt, "png") != 0)
            FUZZ_CHECK(*w <= (1u << 24) && *h <= (1u << 24), "%s of %ux%u", *fmt, *w, *h);
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t w, h, w2, h2;
    const char *fmt, *fmt2;
    cli_img_status whole = size_of(data, size, true, &w, &h, &fmt);
    FUZZ_CHECK(whole != CLI_IMG_NEED_MORE, "NEED_MORE on a complete file of %zu bytes", size);
    cli_img_status part = size_of(data, size, false, &w2, &h2, &fmt2);
    /* With complete = false, more bytes could only turn NEED_MORE into an
     * answer; an answer given is the same either way. */
    if (part == CLI_IMG_OK)
        FUZZ_CHECK(whole == CLI_IMG_OK && w == w2 && h == h2 && strcmp(fmt, fmt2) == 0,
                   "partial OK %ux%u, complete %d %ux%u", w2, h2, (int)whole, w, h);
    if (part == CLI_IMG_NEED_MORE)
        FUZZ_CHECK(whole == CLI_IMG_CORRUPT || whole == CLI_IMG_UNKNOWN,
                   "NEED_MORE, but complete gives %d", (int)whole);
    if (whole == CLI_IMG_OK) {
        FUZZ_CHECK(part == CLI_IMG_OK, "complete OK, partial %d", (int)part);
        /* Prefixes: NEED_MORE or the same answer (sampled). */
        size_t step = size / 64 + 1;
        for (size_t k = 0; k < size; k += step) {
            cli_img_status s = size_of(data, k, false, &w2, &h2, &fmt2);
            FUZZ_CHECK(s == CLI_IMG_NEED_MORE || s == CLI_IMG_UNKNOWN ||
                           (s == CLI_IMG_OK && w2 == w && h2 == h),
                       "prefix of %zu of %zu bytes (%s %ux%u): status %d %ux%u", k, size, fmt,
                       w, h, (int)s, w2, h2);
            FUZZ_CHECK(s != CLI_IMG_UNKNOWN || k < 12,
                       "prefix of %zu of %zu bytes (%s): UNKNOWN", k, size, fmt);
        }
    }
    return 0;
}
