/* The report page's converters (src/report/html.h, svg_inline.h): the Markdown subset to HTML,
 * refusing what it does not know with file:line, and gnuplot SVG made inline with prefixed ids. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "report/html.h"
#include "report/svg_inline.h"
#include "support/suite_run.h"

/* The HTML of `md` (rc into *rc); owned by the caller. */
static char *md(const char *text, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    *rc = dsml_html_markdown(fp, "t.md", text, 1);
    fclose(fp);
    return buf;
}

static char *svg(const char *text, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    *rc = dsml_svg_inline(fp, "f.svg", text, strlen(text), "fig2-", "figure");
    fclose(fp);
    return buf;
}

typedef struct {
    const char *text, *message;
} refusal;

/* Each text must fail to convert with DSML_ERR_FORMAT and a message holding its words. */
static void expect_refused(char *(*convert)(const char *, int *), const refusal *bad, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int rc;
        free(convert(bad[i].text, &rc));
        ck_assert_int_eq(rc, DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), bad[i].message), "case %zu: '%s'", i, dsml_last_error());
    }
}

START_TEST(test_markdown_blocks)
{
    int rc;
    char *h = md("# T <1>\n\nSome `a<b` and **bold** & more\ntext.\n\n| x | y |\n|---|---|\n| 1 ± 2 | DPSH* |\n\n"
                 "Data:\n- `ab` (3 runs)\n", &rc);
    ck_assert_int_eq(rc, DSML_OK);
    ck_assert_ptr_nonnull(strstr(h, "<h2>T &lt;1&gt;</h2>"));
    ck_assert_ptr_nonnull(strstr(h, "<p>Some <code>a&lt;b</code> and <strong>bold</strong> &amp; more\ntext.</p>"));
    ck_assert_ptr_nonnull(strstr(h, "<thead><tr><th>x</th><th>y</th></tr></thead><tbody>\n<tr><td>1 ± 2</td>"
                                    "<td>DPSH*</td></tr>"));
    ck_assert_ptr_nonnull(strstr(h, "<p>Data:</p>\n<ul>\n<li><code>ab</code> (3 runs)</li>\n</ul>"));
    free(h);
}
END_TEST

START_TEST(test_markdown_refused)
{
    static const refusal bad[] = {
        {"| a | b |\n|---|---|\n| 1 |\n", "t.md:3: table row: 1 cells, expected 2"},
        {"| a | b |\n| 1 | 2 |\n", "t.md:2: table separator: cell 1 is not dashes"},
        {"x\n\n### h\n", "t.md:3: a heading of level 3"},
        {"a `b\n", "t.md:1: column 3: '`' not closed"},
        {"a **b\n", "t.md:1: '**' not closed"},
        {"see [x](y)\n", "t.md:1: column 7: a link"},
        {"    code\n", "t.md:1: indentation"},
        {"| a |\n|---|\n| 1 |\ntext\n", "t.md:4: text right after a table"},
        {"1. one\n", "t.md:1: an ordered list"},
        {"a *b*\n", "t.md:1: column 3: '*' before a letter"},
    };
    expect_refused(md, bad, sizeof bad / sizeof bad[0]);
}
END_TEST

static const char gnuplot_svg[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n<!DOCTYPE svg>\n<svg \n width=\"600\" "
    "height=\"400\"\n viewBox=\"0 0 600 400\"\n xmlns=\"http://www.w3.org/2000/svg\"\n onload=\"init(evt)\"\n>\n"
    "<g id=\"gnuplot_canvas\"><defs><path id='gpPt0' d='M0,0'/><clipPath id='gpclip1'><rect/></clipPath></defs>\n"
    "<use xlink:href='#gpPt0' x='1'/><g clip-path=\"url(#gpclip1)\"><text>id='x' = 3</text></g></g>\n</svg>\n";

START_TEST(test_svg_inline)
{
    int rc;
    char *h = svg(gnuplot_svg, &rc);
    ck_assert_int_eq(rc, DSML_OK);
    ck_assert_msg(!strncmp(h, "<svg class=\"figure\" viewBox=\"0 0 600 400\" xmlns=\"http://www.w3.org/2000/svg\">",
                           76), "%s", h);
    ck_assert_ptr_null(strstr(h, "<?xml"));
    ck_assert_ptr_null(strstr(h, "onload"));
    ck_assert_ptr_null(strstr(h, "width=\"600\""));
    ck_assert_ptr_nonnull(strstr(h, "id=\"fig2-gnuplot_canvas\""));
    ck_assert_ptr_nonnull(strstr(h, "id='fig2-gpPt0'"));
    ck_assert_ptr_nonnull(strstr(h, "xlink:href='#fig2-gpPt0'"));
    ck_assert_ptr_nonnull(strstr(h, "clip-path=\"url(#fig2-gpclip1)\""));
    free(h);
}
END_TEST

START_TEST(test_svg_refused)
{
    static const refusal bad[] = {
        {"<?xml?><html></html>", "expected the <svg> root"},
        {"<svg viewBox=\"0 0 1 1\"><g>", "expected the file to end with </svg>"},
        {"<svg width=\"1\"><g/></svg>", "no viewBox"},
        {"<svg viewBox=\"0 0 1 1\"><script>x()</script></svg>", "a <script>"},
        {"<svg viewBox=\"0 0 1 1\"><image href=\"http://x/y.png\"/></svg>", "href to something outside"},
        {"<svg viewBox=\"0 0 1 1\"><g fill=\"url(http://x)\"/></svg>", "attribute fill: a url() to something outside"},
        {"<svg viewBox=\"0 0 1 1\"><g onclick=\"f()\"/></svg>", "event attribute onclick"},
    };
    expect_refused(svg, bad, sizeof bad / sizeof bad[0]);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"markdown", 30, (const TTest *[]){test_markdown_blocks, test_markdown_refused, NULL}},
        {"svg", 30, (const TTest *[]){test_svg_inline, test_svg_refused, NULL}},
    };
    return suite_run_cases("report", cases, SUITE_CASES(cases));
}
