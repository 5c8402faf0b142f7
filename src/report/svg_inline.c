/* gnuplot SVG made inline-ready; see svg_inline.h. */
#include "report/svg_inline.h"
#include "core/error.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int starts(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) >= n && !strncasecmp(s, word, n);
}

/* Skips whitespace, the XML declaration, comments and the DOCTYPE before the root. */
static const char *skip_prolog(const char *s, const char *end)
{
    for (;;) {
        while (s < end && isspace((unsigned char)*s)) s++;
        const char *close = NULL;
        if (starts(s, end, "<?")) close = "?>";
        else if (starts(s, end, "<!--")) close = "-->";
        else if (starts(s, end, "<!DOCTYPE")) close = ">";
        if (!close) return s;
        const char *e = memmem(s, (size_t)(end - s), close, strlen(close));
        if (!e) return end;
        s = e + strlen(close);
    }
}

/* The attribute name that ends just before `eq` ('='), into name (lower-cased). */
static void attr_name_before(const char *start, const char *eq, char *name, size_t size)
{
    const char *b = eq;
    while (b > start && (isalnum((unsigned char)b[-1]) || b[-1] == ':' || b[-1] == '-' || b[-1] == '_')) b--;
    size_t n = (size_t)(eq - b) < size - 1 ? (size_t)(eq - b) : size - 1;
    for (size_t i = 0; i < n; i++) name[i] = (char)tolower((unsigned char)b[i]);
    name[n] = '\0';
}

/* Copies an attribute value v..ve, url(#x) written url(#<prefix>x); a url() to anything else fails. */
static int copy_value(FILE *fp, const char *name, const char *attr, const char *v, const char *ve, const char *prefix)
{
    for (const char *u; (u = memmem(v, (size_t)(ve - v), "url(", 4));) {
        if (u + 4 >= ve || u[4] != '#')
            return dsml_fail(DSML_ERR_FORMAT, "%s: attribute %s: a url() to something outside the figure, expected "
                             "url(#id)", name, attr);
        fwrite(v, 1, (size_t)(u + 5 - v), fp);
        fputs(prefix, fp);
        v = u + 5;
    }
    fwrite(v, 1, (size_t)(ve - v), fp);
    return DSML_OK;
}

/* Copies the figure's body..end, rewriting ids and local references inside
 * tags (see svg_inline.h); text and comments are copied as they are. */
static int rewrite(FILE *fp, const char *name, const char *body, const char *end, const char *prefix)
{
    int in_tag = 0;
    for (const char *s = body; s < end;) {
        if (!in_tag) {
            if (starts(s, end, "<script"))
                return dsml_fail(DSML_ERR_FORMAT, "%s: a <script>, expected none in a figure", name);
            const char *e = starts(s, end, "<!--") ? memmem(s, (size_t)(end - s), "-->", 3) : NULL;
            if (e) { /* a comment: as it is */
                fwrite(s, 1, (size_t)(e + 3 - s), fp);
                s = e + 3;
                continue;
            }
            in_tag = *s == '<';
            fputc(*s++, fp);
            continue;
        }
        if (*s == '>') in_tag = 0;
        /* attribute="value" or attribute='value' */
        if (*s == '=' && s + 1 < end && (s[1] == '"' || s[1] == '\'')) {
            char attr[32];
            attr_name_before(body, s, attr, sizeof attr);
            const char *v = s + 2, *ve = memchr(v, s[1], (size_t)(end - v));
            if (!ve) return dsml_fail(DSML_ERR_FORMAT, "%s: attribute %s: value not closed", name, attr);
            int is_ref = !strcmp(attr, "href") || !strcmp(attr, "xlink:href");
            if (!strncmp(attr, "on", 2))
                return dsml_fail(DSML_ERR_FORMAT, "%s: event attribute %s, expected none in a figure", name, attr);
            if (is_ref && *v != '#')
                return dsml_fail(DSML_ERR_FORMAT, "%s: %s to something outside the figure, expected \"#id\"", name,
                                 attr);
            fputc('=', fp);
            fputc(s[1], fp);
            if (!strcmp(attr, "id")) fputs(prefix, fp);
            else if (is_ref) fprintf(fp, "#%s", prefix), v++;
            int rc = copy_value(fp, name, attr, v, ve, prefix);
            if (rc) return rc;
            fputc(s[1], fp);
            s = ve + 1;
            continue;
        }
        fputc(*s++, fp);
    }
    return DSML_OK;
}

/* Writes the root tag's attributes but width, height and on*; 1 when viewBox is there. */
static int root_attributes(FILE *fp, const char *s, const char *end)
{
    int viewbox = 0;
    while (s < end) {
        while (s < end && isspace((unsigned char)*s)) s++;
        const char *n = s;
        while (s < end && *s != '=' && !isspace((unsigned char)*s)) s++;
        size_t nlen = (size_t)(s - n);
        if (nlen == 0) break;
        if (s < end && *s == '=' && s + 1 < end && (s[1] == '"' || s[1] == '\'')) {
            const char *ve = memchr(s + 2, s[1], (size_t)(end - s - 2));
            if (!ve) return -1;
            s = ve + 1;
        }
        int drop = (nlen == 5 && !strncasecmp(n, "width", 5)) || (nlen == 6 && !strncasecmp(n, "height", 6)) ||
                   (nlen > 2 && !strncasecmp(n, "on", 2));
        if (nlen == 7 && !strncmp(n, "viewBox", 7)) viewbox = 1;
        if (!drop) {
            fputc(' ', fp);
            fwrite(n, 1, (size_t)(s - n), fp);
        }
    }
    return viewbox;
}

int dsml_svg_inline(FILE *fp, const char *name, const char *svg, size_t len, const char *prefix, const char *cls)
{
    const char *end = svg + len;
    const char *s = skip_prolog(svg, end);
    if (!starts(s, end, "<svg") || s + 4 >= end || !(isspace((unsigned char)s[4]) || s[4] == '>'))
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected the <svg> root after the XML prolog, found '%.12s'", name,
                         s < end ? s : "end of file");
    const char *tag_end = memchr(s, '>', (size_t)(end - s));
    if (!tag_end) return dsml_fail(DSML_ERR_FORMAT, "%s: the <svg> tag is not closed", name);
    const char *close = end;
    while (close > tag_end && isspace((unsigned char)close[-1])) close--;
    if (close - tag_end < 7 || strncmp(close - 6, "</svg>", 6))
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected the file to end with </svg> (truncated?)", name);
    const char *attrs = s + 4, *attrs_end = tag_end[-1] == '/' ? tag_end - 1 : tag_end;
    for (const char *a = attrs; a < attrs_end; a++)
        if (*a == '<') return dsml_fail(DSML_ERR_FORMAT, "%s: '<' inside the <svg> tag", name);
    fprintf(fp, "<svg class=\"%s\"", cls);
    int viewbox = root_attributes(fp, attrs, attrs_end);
    if (viewbox < 0) return dsml_fail(DSML_ERR_FORMAT, "%s: an attribute of <svg> is not closed", name);
    if (!viewbox) return dsml_fail(DSML_ERR_FORMAT, "%s: <svg> has no viewBox, expected one (the figure must scale)",
                                   name);
    fputs(">", fp);
    int rc = rewrite(fp, name, tag_end + 1, close, prefix);
    if (rc) return rc;
    fputc('\n', fp);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "%s: write error while inlining", name) : DSML_OK;
}
