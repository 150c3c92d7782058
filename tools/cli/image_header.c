/* image_header.c — pixel size of PNG, JPEG, GIF and WebP images.
 *
 *  PNG   8-byte signature, then the IHDR chunk: width and height are
 *        big-endian 32-bit at offsets 16 and 20.
 *  GIF   "GIF87a" / "GIF89a", logical screen width and height little-endian
 *        16-bit at offsets 6 and 8.
 *  WebP  "RIFF" size "WEBP", then the first chunk at offset 12:
 *        "VP8 " (lossy): key-frame start code 9d 01 2a at 23, then 14-bit
 *               width and height (little-endian) at 26 and 28;
 *        "VP8L" (lossless): signature 0x2f at 20, then 14 bits width-1 and
 *               14 bits height-1, packed little-endian from offset 21;
 *        "VP8X" (extended): 24-bit canvas width-1 and height-1 at 24 and 27.
 *  JPEG  FF D8, then marker segments; the first start-of-frame marker
 *        (C0-CF except C4, C8, CC) holds height and width big-endian 16-bit
 *        at segment offsets 5 and 7. Segments before it (EXIF thumbnails can
 *        be large) are skipped by their lengths.
 * An EXIF rotation would swap width and height; image tokens do not depend
 * on the orientation, so it is ignored. */
#include "image_header.h"

#include <string.h>

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le24(const unsigned char *p)
{
    return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static cli_img_status need(size_t n, size_t want, bool complete)
{
    return n >= want ? CLI_IMG_OK : complete ? CLI_IMG_CORRUPT : CLI_IMG_NEED_MORE;
}

static cli_img_status done(uint32_t w, uint32_t h, uint32_t *ow, uint32_t *oh)
{
    if (w == 0 || h == 0)
        return CLI_IMG_CORRUPT;
    *ow = w;
    *oh = h;
    return CLI_IMG_OK;
}

static cli_img_status jpeg(const unsigned char *b, size_t n, bool complete, uint32_t *w,
                           uint32_t *h)
{
    size_t i = 2;
    for (;;) {
        cli_img_status s = need(n, i + 2, complete);
        if (s != CLI_IMG_OK)
            return s;
        if (b[i] != 0xFF)
            return CLI_IMG_CORRUPT;
        while (i + 1 < n && b[i + 1] == 0xFF) /* fill bytes */
            i++;
        if ((s = need(n, i + 2, complete)) != CLI_IMG_OK)
            return s;
        unsigned m = b[i + 1];
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) /* end of image, or scan data before any frame */
            return CLI_IMG_CORRUPT;
        if ((s = need(n, i + 4, complete)) != CLI_IMG_OK)
            return s;
        size_t len = be16(b + i + 2);
        if (len < 2)
            return CLI_IMG_CORRUPT;
        bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if ((s = need(n, i + 9, complete)) != CLI_IMG_OK)
                return s;
            return done(be16(b + i + 7), be16(b + i + 5), w, h);
        }
        i += 2 + len;
    }
}

static cli_img_status webp(const unsigned char *b, size_t n, bool complete, uint32_t *w,
                           uint32_t *h)
{
    cli_img_status s = need(n, 20, complete);
    if (s != CLI_IMG_OK)
        return s;
    if (memcmp(b + 12, "VP8 ", 4) == 0) {
        if ((s = need(n, 30, complete)) != CLI_IMG_OK)
            return s;
        if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A)
            return CLI_IMG_CORRUPT;
        return done(le16(b + 26) & 0x3FFF, le16(b + 28) & 0x3FFF, w, h);
    }
    if (memcmp(b + 12, "VP8L", 4) == 0) {
        if ((s = need(n, 25, complete)) != CLI_IMG_OK)
            return s;
        if (b[20] != 0x2F)
            return CLI_IMG_CORRUPT;
        uint32_t bits = (uint32_t)b[21] | (uint32_t)b[22] << 8 | (uint32_t)b[23] << 16 |
                        (uint32_t)b[24] << 24;
        return done((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, w, h);
    }
    if (memcmp(b + 12, "VP8X", 4) == 0) {
        if ((s = need(n, 30, complete)) != CLI_IMG_OK)
            return s;
        return done(le24(b + 24) + 1, le24(b + 27) + 1, w, h);
    }
    return CLI_IMG_CORRUPT;
}

cli_img_status cli_image_size(const unsigned char *b, size_t n, bool complete, uint32_t *w,
                              uint32_t *h, const char **format)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    cli_img_status s;
    if (n >= 8 && memcmp(b, png_sig, 8) == 0) {
        *format = "png";
        if ((s = need(n, 24, complete)) != CLI_IMG_OK)
            return s;
        if (memcmp(b + 12, "IHDR", 4) != 0)
            return CLI_IMG_CORRUPT;
        uint32_t pw = be32(b + 16), ph = be32(b + 20);
        if (pw > 0x7FFFFFFFu || ph > 0x7FFFFFFFu)
            return CLI_IMG_CORRUPT;
        return done(pw, ph, w, h);
    }
    if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) {
        *format = "gif";
        if ((s = need(n, 10, complete)) != CLI_IMG_OK)
            return s;
        return done(le16(b + 6), le16(b + 8), w, h);
    }
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        *format = "jpeg";
        return jpeg(b, n, complete, w, h);
    }
    if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) {
        *format = "webp";
        return webp(b, n, complete, w, h);
    }
    if (n < 12 && !complete)
        return CLI_IMG_NEED_MORE;
    return CLI_IMG_UNKNOWN;
}
