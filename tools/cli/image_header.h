/* image_header.h — pixel size of PNG, JPEG, GIF and WebP images from their
 * headers (no decoding, no image library). */
#ifndef TKM_CLI_IMAGE_HEADER_H
#define TKM_CLI_IMAGE_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cli_img_status {
    CLI_IMG_OK = 0,
    CLI_IMG_NEED_MORE = 1, /* the size lies beyond the bytes given */
    CLI_IMG_UNKNOWN = 2,   /* not PNG, JPEG, GIF or WebP */
    CLI_IMG_CORRUPT = 3    /* the format is known but the header is broken */
} cli_img_status;

/* b[0..n) is the start of the file (complete: it is the whole file).
 * On CLI_IMG_OK *w, *h and *format ("png", "jpeg", "gif", "webp") are set. */
cli_img_status cli_image_size(const unsigned char *b, size_t n, bool complete, uint32_t *w,
                              uint32_t *h, const char **format);

#endif
