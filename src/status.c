/* status.c — version, status messages and error details. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define TKM_STR2(x) #x
#define TKM_STR(x) TKM_STR2(x)

const char *tkm_version_string(void)
{
    return TKM_STR(TKM_VERSION_MAJOR) "." TKM_STR(TKM_VERSION_MINOR) "." TKM_STR(TKM_VERSION_PATCH);
}

int tkm_version_number(void)
{
    return TKM_VERSION_NUMBER;
}

const char *tkm_strerror(tkm_status status)
{
    switch (status) {
    case TKM_OK: return "ok";
    case TKM_ERR_NOMEM: return "out of memory";
    case TKM_ERR_INVALID_ARGUMENT: return "invalid argument";
    case TKM_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case TKM_ERR_UNKNOWN_ENCODING: return "unknown encoding";
    case TKM_ERR_UNKNOWN_MODEL: return "unknown model";
    case TKM_ERR_RANK_PARSE: return "malformed rank data";
    case TKM_ERR_RANK_DUPLICATE: return "duplicate token or rank in rank data";
    case TKM_ERR_CHECKSUM: return "rank data checksum mismatch";
    case TKM_ERR_IO: return "file could not be read";
    case TKM_ERR_REGEX_COMPILE: return "pattern does not compile";
    case TKM_ERR_REGEX_MATCH: return "pattern matching failed";
    case TKM_ERR_DISALLOWED_SPECIAL: return "text contains a disallowed special token";
    case TKM_ERR_INVALID_UTF8: return "invalid UTF-8";
    case TKM_ERR_INVALID_TOKEN: return "invalid token id";
    case TKM_ERR_SPECIAL_TOKEN: return "invalid special token definition";
    case TKM_ERR_UNKNOWN_SPECIAL: return "unknown special token";
    case TKM_ERR_UNENCODABLE: return "byte not in vocabulary";
    case TKM_ERR_VOCAB_SIZE: return "vocabulary size mismatch";
    case TKM_ERR_INTERNAL: return "internal error";
    /* TKM_ACCOUNT_STATUS_STRINGS: accounting-layer statuses (values >= 32) go here. */
    case TKM_ERR_TABLE_PARSE: return "malformed model table";
    case TKM_ERR_PRICE_UNKNOWN: return "price not known";
    case TKM_ERR_OVERFLOW: return "arithmetic overflow";
    case TKM_ERR_DOES_NOT_FIT: return "does not fit the context budget";
    case TKM_ERR_NO_RULES: return "no counting rule for this model";
    }
    return "unknown status";
}

void tkm_detail_clear(tkm_error_detail *d)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    d->offset = SIZE_MAX;
    d->index = SIZE_MAX;
}

tkm_status tkm_fail(tkm_error_detail *d, tkm_status status, const char *fmt, ...)
{
    if (d) {
        d->status = status;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(d->message, sizeof d->message, fmt, ap);
            va_end(ap);
        } else {
            d->message[0] = '\0';
        }
    }
    return status;
}
