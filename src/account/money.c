/* money.c — integer money: nano-dollars with overflow-checked arithmetic.
 *
 * Prices are stored per 1,000,000 units so every published price (down to
 * $0.0025 per 1M tokens) is an exact integer number of nano-dollars. A cost is
 * units * price / 1e6, which is generally not a whole nano-dollar; each line
 * item is rounded half up once, so the error is below one nano-dollar per
 * line item. Doubles appear only in the display helper. */
#include "account_internal.h"

#include <math.h>
#include <stdio.h>

tkm_status tkm_acct_add_money(int64_t *acc, int64_t v)
{
    if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN + 1 - v))
        return TKM_ERR_OVERFLOW;
    *acc += v;
    return TKM_OK;
}

/* units * price / div, rounded half up, exactly. Write units = q*div + r and
 * price = ph*div + pl; then units*price/div = q*price + r*ph + r*pl/div, and
 * every partial product stays within 64 bits whenever the result does. */
tkm_status tkm_acct_mul_div(uint64_t units, int64_t price, uint64_t div, int64_t *out)
{
    if (price < 0 || div == 0 || div > UINT32_MAX)
        return TKM_ERR_INVALID_ARGUMENT;
    uint64_t p = (uint64_t)price;
    uint64_t q = units / div, r = units % div;
    uint64_t ph = p / div, pl = p % div;
    uint64_t total = 0, t;

    if (q != 0 && p > UINT64_MAX / q)
        return TKM_ERR_OVERFLOW;
    total = q * p;
    if (r != 0 && ph > UINT64_MAX / r)
        return TKM_ERR_OVERFLOW;
    t = r * ph;
    if (total > UINT64_MAX - t)
        return TKM_ERR_OVERFLOW;
    total += t;
    /* r < div <= 2^32 and pl < div, so r * pl + div/2 < 2^64. */
    t = (r * pl + div / 2) / div;
    if (total > UINT64_MAX - t)
        return TKM_ERR_OVERFLOW;
    total += t;
    if (total > (uint64_t)INT64_MAX)
        return TKM_ERR_OVERFLOW;
    *out = (int64_t)total;
    return TKM_OK;
}

tkm_status tkm_money_per_million(uint64_t units, tkm_nanousd price_per_million, tkm_nanousd *out)
{
    if (!out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (price_per_million == TKM_PRICE_UNKNOWN)
        return TKM_ERR_PRICE_UNKNOWN;
    if (price_per_million < 0)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_acct_mul_div(units, price_per_million, 1000000u, out);
}

double tkm_money_to_usd(tkm_nanousd amount)
{
    if (amount == TKM_PRICE_UNKNOWN)
        return NAN;
    return (double)amount / 1e9;
}

tkm_status tkm_money_format(tkm_nanousd amount, char *buf, size_t cap, size_t *n_out)
{
    char tmp[48];
    int len;

    if (!n_out || (!buf && cap))
        return TKM_ERR_INVALID_ARGUMENT;
    if (amount == TKM_PRICE_UNKNOWN) {
        len = snprintf(tmp, sizeof tmp, "unknown");
    } else {
        /* Six decimals = micro-dollars, rounded half away from zero. amount is
         * not INT64_MIN here, so negating is safe. */
        bool neg = amount < 0;
        uint64_t mag = neg ? (uint64_t)(-amount) : (uint64_t)amount;
        uint64_t micro = (mag + 500u) / 1000u;
        len = snprintf(tmp, sizeof tmp, "%s$%llu.%06llu", neg ? "-" : "",
                       (unsigned long long)(micro / 1000000u),
                       (unsigned long long)(micro % 1000000u));
    }
    if (len < 0)
        return TKM_ERR_INTERNAL;
    *n_out = (size_t)len;
    if ((size_t)len + 1 > cap)
        return TKM_ERR_BUFFER_TOO_SMALL;
    for (int i = 0; i <= len; i++)
        buf[i] = tmp[i];
    return TKM_OK;
}
