/* image.c — image input tokens, from the rules in OpenAI's vision guide
 * (https://platform.openai.com/docs/guides/images-vision#calculating-costs).
 * Every constant comes from the model table; none is hard-coded here.
 *
 * Tile models (gpt-4o, gpt-4.1, gpt-5, o1, o3, gpt-4o-mini):
 *   low detail costs `base`. High detail: scale the image to fit within
 *   fit_px x fit_px, then scale it so the shortest side is short_px (only
 *   ever down), count tile_px tiles: base + tile * ceil(w/512) * ceil(h/512).
 *   Checks from the guide: 1024x1024 on gpt-4o = 85 + 170*4 = 765;
 *   2048x4096 -> 1024x2048 -> 768x1536 -> 2x3 tiles = 85 + 170*6 = 1105.
 *
 * Patch models (gpt-4.1-mini, gpt-4.1-nano, o4-mini):
 *   patches = ceil(w/32) * ceil(h/32). Above max_patches (1536) the image is
 *   shrunk by r = sqrt(32^2 * 1536 / (w*h)), then r is reduced so the
 *   limiting side holds a whole number of patches:
 *   r *= min(floor(w*r/32) / (w*r/32), floor(h*r/32) / (h*r/32)),
 *   and patches = ceil(w*r/32) * ceil(h*r/32), capped at 1536. The tokens are
 *   patches times the model's multiplier; the guide gives no rounding, we
 *   round up (the conservative choice for fit checks).
 */
#include "account_internal.h"


static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

static tkm_status tile_tokens(const tkm_image_rules *r, uint64_t w, uint64_t h,
                              tkm_image_detail detail, size_t *tokens)
{
    if (detail == TKM_DETAIL_LOW) {
        *tokens = r->base;
        return TKM_OK;
    }
    /* The final size is w*num/den, h*num/den: the scale is 1, fit/max (fit
     * within the square) or short/min (shortest side down to short_px, which
     * is the smaller scale whenever it applies). Integers keep it exact. */
    uint64_t num = 1, den = 1;
    uint64_t mx = w > h ? w : h, mn = w < h ? w : h;
    if (mx > r->fit_px) {
        num = r->fit_px;
        den = mx;
    }
    /* shortest side after fitting: mn*num/den > short_px ? */
    if (mn * num > (uint64_t)r->short_px * den) {
        num = r->short_px;
        den = mn;
    }
    uint64_t tw = ceil_div(w * num, den * r->tile_px);
    uint64_t th = ceil_div(h * num, den * r->tile_px);
    uint64_t tiles = tw * th;
    if (tiles > (SIZE_MAX - r->base) / (r->tile ? r->tile : 1))
        return TKM_ERR_OVERFLOW;
    *tokens = (size_t)(r->base + tiles * r->tile);
    return TKM_OK;
}

/* floor(sqrt(x)) for x < 2^64, by bisection (no libm needed). */
static uint64_t isqrt(uint64_t x)
{
    uint64_t lo = 0, hi = x < (UINT64_C(1) << 32) ? x : (UINT64_C(1) << 32);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (mid <= x / mid)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static tkm_status patch_tokens(const tkm_image_rules *r, uint64_t w, uint64_t h, size_t *tokens)
{
    uint64_t P = r->patch_px, M = r->max_patches;
    uint64_t patches = ceil_div(w, P) * ceil_div(h, P);
    if (patches > M) {
        /* With r0 = sqrt(P^2 M / (w h)): a = w r0 / P = sqrt(M w / h) and
         * b = h r0 / P = sqrt(M h / w). The limiting side is the one with the
         * smaller floor(x)/x; fa/a <= fb/b  <=>  fa h <= fb w. After the
         * reduction the limiting side holds exactly its floor, and the other
         * side b * fa / a = fa h / w. All of it is exact in integers, so no
         * float like 33.0000001 can turn into 34 under ceil. */
        uint64_t fa = isqrt(M * w / h), fb = isqrt(M * h / w);
        if (fa < 1)
            fa = 1;
        if (fb < 1)
            fb = 1;
        uint64_t pw, ph;
        if (fa * h <= fb * w) {
            pw = fa;
            ph = ceil_div(fa * h, w);
        } else {
            ph = fb;
            pw = ceil_div(fb * w, h);
        }
        patches = pw * ph;
        if (patches > M)
            patches = M;
    }
    if (patches > UINT64_MAX / r->multiplier_milli)
        return TKM_ERR_OVERFLOW;
    uint64_t t = ceil_div(patches * r->multiplier_milli, 1000);
    if (t > SIZE_MAX)
        return TKM_ERR_OVERFLOW;
    *tokens = (size_t)t;
    return TKM_OK;
}

tkm_status tkm_image_tokens(const tkm_model *model, uint32_t width, uint32_t height,
                            tkm_image_detail detail, size_t *tokens)
{
    if (!model || !tokens || width == 0 || height == 0 || detail < TKM_DETAIL_AUTO ||
        detail > TKM_DETAIL_HIGH)
        return TKM_ERR_INVALID_ARGUMENT;
    const tkm_image_rules *r = &model->image;
    switch (r->family) {
    case TKM_IMAGE_TILE:
        if (!r->fit_px || !r->short_px || !r->tile_px)
            return TKM_ERR_NO_RULES;
        return tile_tokens(r, width, height, detail, tokens);
    case TKM_IMAGE_PATCH:
        if (!r->patch_px || !r->max_patches || !r->multiplier_milli)
            return TKM_ERR_NO_RULES;
        return patch_tokens(r, width, height, tokens);
    default:
        return TKM_ERR_NO_RULES;
    }
}
