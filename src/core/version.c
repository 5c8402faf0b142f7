/* Versions for result files; DSML_GIT_VERSION comes from the Makefile. */
#include "core/version.h"
#include "core/gemm.h"

#include <stdio.h>
#include <zlib.h>
#include <archive.h>
#include <png.h>
#include <jpeglib.h>
#include <curl/curl.h>

#ifndef DSML_GIT_VERSION
#define DSML_GIT_VERSION "unknown"
#endif

const char *dsml_version(void) { return DSML_GIT_VERSION; }

const char *dsml_library_versions(void)
{
    static char text[512];
    if (!text[0])
        snprintf(text, sizeof text, "%s; zlib %s; %s; libpng %s; libjpeg %d; libcurl %s",
                 dsml_blas_version(), zlibVersion(), archive_version_string(),
                 png_get_libpng_ver(NULL), JPEG_LIB_VERSION, curl_version_info(CURLVERSION_NOW)->version);
    return text;
}
