/* Fuzzes the image decoder (src/data/image.c, over libjpeg-turbo and libpng)
 * from memory: the input is one JPEG or PNG, decoded to 3 channels and then,
 * into the same reused buffers as imagefolder does, to 1 channel. */
#include "data/image.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const dsml_image *img, int rc, int channels)
{
    if (rc) {
        fuzz_expect(img->width == 0 && img->height == 0, "a failed decode leaves no size");
        return;
    }
    size_t bytes = (size_t)img->width * img->height * channels;
    fuzz_expect(img->channels == channels && bytes > 0 && bytes <= img->capacity, "pixels fit the buffer");
    volatile uint8_t last = img->pixels[bytes - 1]; /* every pixel is there */
    (void)last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsml_image img = {0};
    fuzz_begin();
    check(&img, fuzz_status(dsml_image_decode(&img, data, size, 3, "fuzz.img")), 3);
    fuzz_begin();
    check(&img, fuzz_status(dsml_image_decode(&img, data, size, 1, "fuzz.img")), 1);
    dsml_image_free(&img);
    return 0;
}
