/* Little-endian float32, IEEE half and bfloat16 values into float32. Every
 * half and bfloat16 value is exactly a float32, so these conversions lose
 * nothing. Bytes are assembled one by one: any alignment, any host order. */
#include <string.h>

#include "weights/weights_internal.h"

float dsml_weights_bf16(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float dsml_weights_f16(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | mant << 13;           /* inf, NaN (payload kept) */
    } else if (exp != 0) {
        bits = sign | (exp + 112) << 23 | mant << 13;     /* normal: rebias 15 -> 127 */
    } else if (mant == 0) {
        bits = sign;                                      /* +-0 */
    } else {
        /* subnormal: mant * 2^-24, normalised for float32 */
        int e = 113;
        while (!(mant & 0x400)) { mant <<= 1; e--; }
        bits = sign | (uint32_t)e << 23 | (mant & 0x3ff) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

void dsml_weights_f32_le(float *dst, const uint8_t *src, int64_t n)
{
    for (int64_t i = 0; i < n; i++, src += 4) {
        uint32_t bits = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 | (uint32_t)src[3] << 24;
        memcpy(&dst[i], &bits, sizeof bits);
    }
}

void dsml_weights_f16_le(float *dst, const uint8_t *src, int64_t n)
{
    for (int64_t i = 0; i < n; i++, src += 2) dst[i] = dsml_weights_f16((uint16_t)(src[0] | src[1] << 8));
}

void dsml_weights_bf16_le(float *dst, const uint8_t *src, int64_t n)
{
    for (int64_t i = 0; i < n; i++, src += 2) dst[i] = dsml_weights_bf16((uint16_t)(src[0] | src[1] << 8));
}
