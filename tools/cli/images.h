/* images.h — the pixel size of an image a request refers to. */
#ifndef TKM_CLI_IMAGES_H
#define TKM_CLI_IMAGES_H

#include "cli.h"

typedef struct cli_image_info {
    const char *source; /* "data", "file", "remote", "file_id" */
    const char *format; /* "png", "jpeg", "gif", "webp", or NULL when assumed */
    uint32_t width, height;
    bool assumed;       /* the size is --image-size's (default 2048x2048) */
} cli_image_info;

/* The default size assumed for images whose bytes tokmeter cannot see. */
#define CLI_IMAGE_ASSUMED_W 2048u
#define CLI_IMAGE_ASSUMED_H 2048u

/* Resolve an image URL: a base64 data: URL or a local path (relative paths
 * are taken from base_dir; file:// URLs work too) is measured from its
 * header; http(s) and other remote URLs get the assumed size. Returns 0, or
 * -1 with a message in err. */
int cli_image_resolve(const char *url, size_t len, const char *base_dir, const cli_opts *o,
                      cli_image_info *out, char *err, size_t errcap);

/* The assumed size (from --image-size or the default). */
void cli_image_assume(const cli_opts *o, cli_image_info *out, const char *source);

#endif
