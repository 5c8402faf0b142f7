# The terminal and output of one format, loaded by the figure scripts inside
# their loop over "png svg pdf" so that the three formats share one layout:
# the figure is figw x figh inches and its text figfont points in each, and
# text, lines and points keep their size relative to the page. The scripts set:
#   fmt                "png", "svg" or "pdf"
#   outbase            output path without extension
#   figw, figh         the figure's size in inches
#   figfont            the font size in points at that size
# and may pass terminals (default GPVAL_TERMINALS: the terminals this gnuplot
# has). Sets fmt_ok = 0 when the format's terminal is missing (pdfcairo for
# PDF): the script skips that format, and a note goes to gnuplot.log.
# (Plain ifs, no `else if`: gnuplot 5.4 refuses it in a file loaded inside a loop.)
#
# Units: the cairo terminals draw an N-point font N * 4/3 device units tall
# times fontscale (they assume 96 units per inch); a PDF's unit is the point
# (72 per inch), so fontscale 0.75. PNG: 150 pixels per inch. SVG: 96 pixels
# per inch, the font given in pixels, lines 2/3 px (the PDF's 0.5 pt).
if (!exists("terminals")) {
    terminals = GPVAL_TERMINALS
}
has_terminal(name) = strstrt(" ".terminals." ", " ".name." ") > 0
png_dpi = 150.0
w_px = int(figw * png_dpi)
h_px = int(figh * png_dpi)
fontspec = sprintf(",%g", figfont)
svgfont = sprintf(",%g", figfont * 4 / 3.0)
fmt_ok = 1
if (fmt eq "pdf") {
    if (has_terminal("pdfcairo")) {
        set terminal pdfcairo size figw, figh noenhanced font fontspec fontscale 0.75
    } else {
        fmt_ok = 0
        print sprintf("note: this gnuplot has no pdfcairo terminal: %s.pdf not written (PNG and SVG are)", outbase)
    }
}
if (fmt eq "png") {
    if (has_terminal("pngcairo")) {
        set terminal pngcairo size w_px, h_px noenhanced font fontspec fontscale png_dpi / 96 pointscale png_dpi / 72
    } else {
        set terminal png size w_px, h_px noenhanced
    }
}
if (fmt eq "svg") {
    set terminal svg size int(figw * 96), int(figh * 96) noenhanced font svgfont linewidth 2 / 3.0
}
if (fmt_ok) {
    set output outbase.".".fmt
}
