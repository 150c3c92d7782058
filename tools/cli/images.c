/* images.c — the pixel size of an image a request refers to.
 *
 * data:image/...;base64,XXXX  decoded and measured from its header;
 * /path, ./rel, file:///path  read from disk (relative paths from the
 *                             request file's directory) and measured;
 * https://..., other URLs     unknown: tokmeter never fetches anything, so
 *                             the size assumed is --image-size WxH, by
 *                             default 2048x2048 (the largest square the
 *                             tile rule does not shrink below 768px on the
 *                             short side, and above the patch cap), and
 *                             the result says it was assumed. */
#include "images.h"
#include "image_header.h"
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_image_assume(const cli_opts *o, cli_image_info *out, const char *source)
{
    out->source = source;
    out->format = NULL;
    out->assumed = true;
    out->width = o && o->has_image_size ? o->image_w : CLI_IMAGE_ASSUMED_W;
    out->height = o && o->has_image_size ? o->image_h : CLI_IMAGE_ASSUMED_H;
}

static int b64(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode base64 (standard or URL-safe, whitespace ignored, padding
 * optional). Returns the decoded length, or SIZE_MAX on a bad character. */
static size_t b64_decode(const char *s, size_t n, unsigned char *out, size_t *bad_at)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=')
            break;
        int v = b64(c);
        if (v < 0) {
            *bad_at = i;
            return SIZE_MAX;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return o;
}

static int measure(const unsigned char *b, size_t n, bool complete, cli_image_info *out,
                   char *err, size_t errcap, const char *what)
{
    const char *fmt = NULL;
    cli_img_status s = cli_image_size(b, n, complete, &out->width, &out->height, &fmt);
    out->format = fmt;
    switch (s) {
    case CLI_IMG_OK:
        return 0;
    case CLI_IMG_NEED_MORE:
        return 1;
    case CLI_IMG_UNKNOWN:
        snprintf(err, errcap, "%s is not a PNG, JPEG, GIF or WebP image", what);
        return -1;
    case CLI_IMG_CORRUPT:
        snprintf(err, errcap, "%s: the %s header is truncated or corrupt", what, fmt ? fmt : "image");
        return -1;
    }
    return -1;
}

static int data_url(const char *url, size_t len, cli_image_info *out, char *err, size_t errcap)
{
    const char *comma = memchr(url, ',', len);
    if (!comma) {
        snprintf(err, errcap, "malformed data: URL (no ',')");
        return -1;
    }
    size_t meta = (size_t)(comma - url);
    if (meta < 7 || memcmp(comma - 7, ";base64", 7) != 0) {
        snprintf(err, errcap, "only base64 data: URLs are read (data:image/png;base64,...)");
        return -1;
    }
    const char *data = comma + 1;
    size_t dlen = len - meta - 1;
    unsigned char *buf = malloc(dlen / 4 * 3 + 4);
    if (!buf) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    size_t bad = 0;
    size_t n = b64_decode(data, dlen, buf, &bad);
    int rc;
    if (n == SIZE_MAX) {
        snprintf(err, errcap, "data: URL: invalid base64 character at offset %zu",
                 (size_t)(data - url) + bad);
        rc = -1;
    } else {
        out->source = "data";
        rc = measure(buf, n, true, out, err, errcap, "the data: URL");
    }
    free(buf);
    return rc;
}

static int local_file(const char *path, const char *base_dir, cli_image_info *out, char *err,
                      size_t errcap)
{
    char full[4096];
    if (path[0] == '/' || !base_dir || strcmp(base_dir, ".") == 0)
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s/%s", base_dir, path);
    out->source = "file";
    char *buf = NULL;
    size_t n = 0;
    const size_t prefix = 1 << 16;
    int e = cli_read_prefix(full, prefix, &buf, &n);
    if (e) {
        snprintf(err, errcap, "image %s: %s", full, strerror(e));
        return -1;
    }
    char what[4200];
    snprintf(what, sizeof what, "image %s", full);
    int rc = measure((unsigned char *)buf, n, n < prefix, out, err, errcap, what);
    free(buf);
    if (rc == 1) { /* the JPEG frame header is further in: read it all */
        e = cli_read_file_quiet(full, &buf, &n);
        if (e) {
            snprintf(err, errcap, "image %s: %s", full, strerror(e));
            return -1;
        }
        rc = measure((unsigned char *)buf, n, true, out, err, errcap, what);
        free(buf);
    }
    return rc;
}

int cli_image_resolve(const char *url, size_t len, const char *base_dir, const cli_opts *o,
                      cli_image_info *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    if (len >= 5 && strncmp(url, "data:", 5) == 0)
        return data_url(url, len, out, err, errcap);
    if (memchr(url, '\0', len)) {
        snprintf(err, errcap, "the image URL holds a NUL character");
        return -1;
    }
    if (len >= 7 && strncmp(url, "file://", 7) == 0) {
        const char *p = url + 7;
        if (strncmp(p, "localhost/", 10) == 0)
            p += 9;
        if (*p != '/') {
            snprintf(err, errcap, "file:// URLs must name an absolute path on this machine");
            return -1;
        }
        return local_file(p, NULL, out, err, errcap);
    }
    const char *colon = memchr(url, ':', len);
    if (colon && colon + 2 < url + len && colon[1] == '/' && colon[2] == '/') {
        cli_image_assume(o, out, "remote");
        return 0;
    }
    if (len == 0) {
        snprintf(err, errcap, "empty image URL");
        return -1;
    }
    return local_file(url, base_dir, out, err, errcap);
}
