/* HTML escaping and the strict Markdown-subset converter; see html.h. */
#include "report/html.h"
#include "core/error.h"

#include <ctype.h>
#include <string.h>

void dsml_html_escape(FILE *fp, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(s[i], fp);
        }
    }
}

void dsml_html_text(FILE *fp, const char *s)
{
    dsml_html_escape(fp, s, strlen(s));
}

/* ---- inline: `code`, **bold**, plain text -------------------------------------- */

/* One span of inline Markdown (a paragraph line, a heading, a cell, a list
 * item) to HTML. Fails on what the subset does not have (html.h). */
static int inline_span(FILE *fp, const char *s, size_t n, const char *name, int line)
{
    int bold = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '`') {
            const char *end = memchr(s + i + 1, '`', n - i - 1);
            if (!end) return dsml_fail(DSML_ERR_FORMAT, "%s:%d: column %zu: '`' not closed on its line or cell", name,
                                       line, i + 1);
            fputs("<code>", fp);
            dsml_html_escape(fp, s + i + 1, (size_t)(end - (s + i + 1)));
            fputs("</code>", fp);
            i = (size_t)(end - s) + 1;
        } else if (c == '*' && i + 1 < n && s[i + 1] == '*') {
            fputs(bold ? "</strong>" : "<strong>", fp);
            bold = !bold;
            i += 2;
        } else if (c == '*' && i + 1 < n && isalnum((unsigned char)s[i + 1])) {
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: column %zu: '*' before a letter (emphasis), expected none",
                             name, line, i + 1);
        } else if (c == '\\' || c < 0x20 || c == 0x7f) {
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: column %zu: %s 0x%02x, expected text without escapes or "
                             "control characters", name, line, i + 1, c == '\\' ? "backslash" : "byte", c);
        } else if (c == ']' && i + 1 < n && s[i + 1] == '(') {
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: column %zu: a link '](', expected none", name, line, i + 1);
        } else {
            dsml_html_escape(fp, s + i, 1);
            i++;
        }
    }
    if (bold) return dsml_fail(DSML_ERR_FORMAT, "%s:%d: '**' not closed on its line or cell", name, line);
    return DSML_OK;
}

/* ---- tables ------------------------------------------------------------------------ */

#define MD_CELLS_MAX 64

/* Splits "| a | b |" into trimmed cells; -1 when the line does not end in '|'. */
static int split_cells(const char *s, size_t n, const char **cell, size_t *len)
{
    while (n > 0 && s[n - 1] == ' ') n--;
    if (n < 2 || s[0] != '|' || s[n - 1] != '|') return -1;
    int count = 0;
    size_t start = 1;
    for (size_t i = 1; i < n; i++) {
        if (s[i] != '|') continue;
        if (count == MD_CELLS_MAX) return -1;
        size_t a = start, b = i;
        while (a < b && s[a] == ' ') a++;
        while (b > a && s[b - 1] == ' ') b--;
        cell[count] = s + a;
        len[count++] = b - a;
        start = i + 1;
    }
    return count;
}

static int is_separator(const char *cell, size_t len)
{
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++)
        if (cell[i] != '-' && !(cell[i] == ':' && (i == 0 || i == len - 1))) return 0;
    return 1;
}

/* ---- blocks -------------------------------------------------------------------------- */

typedef enum { BLOCK_NONE, BLOCK_PARA, BLOCK_LIST, BLOCK_TABLE_HEAD, BLOCK_TABLE } block_kind;

typedef struct {
    FILE *fp;
    const char *name;
    block_kind block;
    int columns; /* of the open table */
} md_state;

static void close_block(md_state *st)
{
    static const char *const closing[] = {"", "</p>\n", "</ul>\n", "", "</tbody></table></div>\n"};
    fputs(closing[st->block], st->fp);
    st->block = BLOCK_NONE;
}

static int table_line(md_state *st, const char *s, size_t n, int line)
{
    const char *cell[MD_CELLS_MAX];
    size_t len[MD_CELLS_MAX];
    int count = split_cells(s, n, cell, len);
    if (count < 1)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table row: expected '| cell | ... |' with at most %d cells",
                         st->name, line, MD_CELLS_MAX);
    if (st->block == BLOCK_PARA || st->block == BLOCK_LIST)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: a table right after a %s, expected a blank line before it", st->name,
                         line, st->block == BLOCK_PARA ? "paragraph" : "list");
    if (st->block == BLOCK_TABLE_HEAD) {
        for (int c = 0; c < count; c++)
            if (!is_separator(cell[c], len[c]))
                return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table separator: cell %d is not dashes", st->name, line,
                                 c + 1);
        if (count != st->columns)
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table separator: %d cells, expected %d as the header", st->name,
                             line, count, st->columns);
        fputs("</tr></thead><tbody>\n", st->fp);
        st->block = BLOCK_TABLE;
        return DSML_OK;
    }
    if (st->block == BLOCK_TABLE && count != st->columns)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table row: %d cells, expected %d as the header", st->name, line,
                         count, st->columns);
    const char *tag = st->block == BLOCK_TABLE ? "td" : "th";
    if (st->block == BLOCK_NONE) {
        fputs("<div class=\"table-wrap\"><table class=\"md-table\"><thead><tr>", st->fp);
        st->block = BLOCK_TABLE_HEAD;
        st->columns = count;
    } else {
        fputs("<tr>", st->fp);
    }
    for (int c = 0; c < count; c++) {
        fprintf(st->fp, "<%s>", tag);
        int rc = inline_span(st->fp, cell[c], len[c], st->name, line);
        if (rc) return rc;
        fprintf(st->fp, "</%s>", tag);
    }
    if (st->block == BLOCK_TABLE) fputs("</tr>\n", st->fp);
    return DSML_OK;
}

/* What a paragraph line may not start with: the constructs the subset lacks. */
static const char *refused_start(const char *s, size_t n)
{
    if (s[0] == ' ' || s[0] == '\t') return "indentation (code block or continuation)";
    if (s[0] == '>') return "a block quote";
    if (s[0] == '<') return "raw HTML";
    if (s[0] == '#') return "a heading of level 3 or more, or '#' without a space";
    if (n >= 3 && !strncmp(s, "```", 3)) return "a code fence";
    if (n >= 2 && (s[0] == '*' || s[0] == '+') && s[1] == ' ') return "a list item other than '- '";
    if (s[0] == '-' || s[0] == '=') return "a rule, setext underline or '-' without a space";
    size_t d = 0;
    while (d < n && isdigit((unsigned char)s[d])) d++;
    if (d > 0 && d + 1 < n && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ') return "an ordered list";
    return NULL;
}

int dsml_html_markdown(FILE *fp, const char *name, const char *text, int shift)
{
    md_state st = {fp, name, BLOCK_NONE, 0};
    int line = 0;
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        line++;
        int rc = DSML_OK;
        if (n == 0) {
            if (st.block == BLOCK_TABLE_HEAD)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: table without a separator row", name, line);
            close_block(&st);
        } else if (s[0] == '|') {
            rc = table_line(&st, s, n, line);
        } else if (st.block == BLOCK_TABLE || st.block == BLOCK_TABLE_HEAD) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: text right after a table, expected a blank line", name, line);
        } else if (n >= 2 && s[0] == '#' && (s[1] == ' ' || (s[1] == '#' && n >= 3 && s[2] == ' '))) {
            int level = s[1] == ' ' ? 1 : 2;
            if (st.block != BLOCK_NONE)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: a heading inside a block, expected a blank line before it",
                               name, line);
            if (!rc) {
                fprintf(fp, "<h%d>", level + shift);
                rc = inline_span(fp, s + level + 1, n - (size_t)level - 1, name, line);
                fprintf(fp, "</h%d>\n", level + shift);
            }
        } else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
            if (st.block == BLOCK_PARA) close_block(&st);
            if (st.block == BLOCK_NONE) fputs("<ul>\n", fp);
            st.block = BLOCK_LIST;
            fputs("<li>", fp);
            rc = inline_span(fp, s + 2, n - 2, name, line);
            fputs("</li>\n", fp);
        } else {
            const char *why = refused_start(s, n);
            if (why) rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: %s, expected a paragraph, heading, list or table line",
                                    name, line, why);
            else if (st.block == BLOCK_LIST)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: text right after a list, expected a blank line", name, line);
            if (!rc) {
                fputs(st.block == BLOCK_PARA ? "\n" : "<p>", fp);
                st.block = BLOCK_PARA;
                rc = inline_span(fp, s, n, name, line);
            }
        }
        if (rc) return rc;
        s += n + (nl ? 1 : 0);
    }
    if (st.block == BLOCK_TABLE_HEAD)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table without a separator row", name, line);
    close_block(&st);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "%s: write error while converting to HTML", name) : DSML_OK;
}
