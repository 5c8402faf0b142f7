/* HTML text: escaping for element content and attribute values, and a strict
 * converter of the Markdown subset `dsml tables` writes (report/tables.h,
 * report/claims.h) into HTML, for the report page (report/report_html.h).
 *
 * The subset, one construct per line kind; anything else fails, naming the
 * file and line, so that a change in what `dsml tables` writes is noticed
 * rather than shown wrongly:
 *   "# text", "## text"          headings (levels 1 and 2 only)
 *   "| a | b |" lines            a table: a header row, a separator row of
 *                                dashes, then rows with as many cells
 *   "- text" lines               a list (may follow a paragraph line directly)
 *   other lines                  paragraph text, joined by spaces
 *   blank lines                  end a block
 * Inline: `code` and **bold** (each closed on its line, in its table cell);
 * '*' opening emphasis, '\', a link "](" and control characters are refused. */
#ifndef DSML_REPORT_HTML_H
#define DSML_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes the n bytes at s with &, <, >, " and ' escaped (safe in element
 * content and in quoted attribute values). */
void dsml_html_escape(FILE *fp, const char *s, size_t n);
/* The same for a NUL-terminated string. */
void dsml_html_text(FILE *fp, const char *s);

/* Converts the Markdown `text` (named `name` in messages) to HTML on fp,
 * headings shifted down by `shift` levels (shift 1: "#" becomes <h2>).
 * Tables get class "md-table" inside a scrolling <div class="table-wrap">.
 * DSML_ERR_FORMAT names name:line and what was expected versus found:
 *   "paper-tables/table1.md:14: table row: 12 cells, expected 13 as the header" */
int dsml_html_markdown(FILE *fp, const char *name, const char *text, int shift);

#endif
