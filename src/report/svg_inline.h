/* A gnuplot SVG file made fit to sit inline in an HTML page beside others
 * (report/report_html.h): the XML prolog, comments before the root and the
 * DOCTYPE dropped; the root's width, height and event attributes dropped and
 * its viewBox kept (required), so the figure scales with the page; every id
 * given a prefix, and every local reference to one (href="#x",
 * xlink:href='#x', url(#x)) the same prefix, so that several gnuplot figures
 * (which all say id="gnuplot_canvas", 'gpPt0', ...) do not collide.
 *
 * Refused, naming the file: no <svg> root after the prolog, no closing
 * </svg>, no viewBox, a <script>, an event attribute inside the figure, a
 * reference to anything outside it (an href not starting with '#', a url()
 * not starting with '#'): the page must stay self-contained. */
#ifndef DSML_REPORT_SVG_INLINE_H
#define DSML_REPORT_SVG_INLINE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the `len` bytes of SVG at `svg` (named `name` in messages) to fp,
 * ids prefixed with `prefix` (letters, digits, '-' and '_' only) and the root
 * given class `cls`. On failure nothing useful is on fp: the caller discards it. */
int dsml_svg_inline(FILE *fp, const char *name, const char *svg, size_t len, const char *prefix, const char *cls);

#endif
