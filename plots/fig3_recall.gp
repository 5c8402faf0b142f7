# Figure 3: Recall@K (K = 1, 2, 4, ..., 32, log2 axis) of every loss, dashed
# for the Euclidean-trained run and solid for the SNR-trained one (DSML),
# one colour per loss. Written by `dsml plots`, which passes:
#   datafile   fig3_<dataset>.dat: K, then per loss its Euclidean and its SNR column (NaN: no run)
#   outbase    output path without extension (.png, .svg and .pdf are written)
#   cols       space-separated numbers of the columns that hold a run
#   plottitle  the title
if (!exists("datafile")) datafile = "fig3.dat"
if (!exists("outbase")) outbase = "fig3"
if (!exists("cols")) cols = "2 3"
if (!exists("plottitle")) plottitle = "Recall@K"

# column c: loss (c - 2) / 2 gives the colour, even columns (Euclidean) are dashed
colour(c) = (int(c) - 2) / 2 + 1
dash(c) = (int(c) % 2 == 0) ? 2 : 1
set linetype 1 lc rgb "#1f77b4" lw 2
set linetype 2 lc rgb "#d62728" lw 2
set linetype 3 lc rgb "#2ca02c" lw 2
set linetype 4 lc rgb "#9467bd" lw 2
set linetype 5 lc rgb "#ff7f0e" lw 2
set linetype 6 lc rgb "#8c564b" lw 2
set linetype 7 lc rgb "#e377c2" lw 2
set linetype 8 lc rgb "#7f7f7f" lw 2
set linetype cycle 8

# size in inches (one column) and font in points, the same in every format
figw = 5.0
figh = 3.5
figfont = 9
# the formats' terminals and sizes (terminal.gp, beside this script)
dirname(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")].dirname(p[strstrt(p, "/") + 1:]) : ""
here = dirname(ARG0)

# a column is narrow: the title's parenthesis goes on a second line
paren = strstrt(plottitle, " (")
titletext = paren > 0 ? plottitle[1:paren - 1]."\n".plottitle[paren + 1:] : plottitle

do for [fmt in "png svg pdf"] {
    load here."terminal.gp"
    if (!fmt_ok) {
        continue
    }
    set title titletext
    set logscale x 2
    set xrange [0.8:40]
    set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32)
    set xlabel "K"
    set ylabel "Recall@K (%)"
    set grid
    set key bottom right
    plot for [c in cols] datafile using 1:(100 * column(int(c))) with linespoints \
         lt colour(c) dt dash(c) pt 7 ps 0.6 title columnhead(int(c))
    unset output
}
