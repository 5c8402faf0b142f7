# Figure 4: t-SNE of query embeddings, coloured by class, the contrastive run
# (Euclidean) on the left and DSML(cont) (SNR) on the right. Written by
# `dsml plots`, which passes:
#   leftfile, rightfile    fig4_<dataset>_<run>.dat: x, y, label, query index
#   lefttitle, righttitle  panel titles
#   outbase                output path without extension (.png, .svg and .pdf are written)
#   classes                number of classes (labels 0 .. classes - 1)
#   classnames             the legend's name of each label, separated by '|' ("" : the numbers)
#   plottitle              the title
#
# The two panels are one picture at one scale: the same x and y ranges (both
# files' extent, made square), square plotting areas of the same size at fixed
# places (equal aspect: a unit is as long on x as on y), and one legend for
# the figure below them, so neither panel is shrunk to make room for it. Up to
# 20 classes get a legend; beyond that the colours repeat and it would list
# more than it could tell apart.
if (!exists("leftfile")) leftfile = "left.dat"
if (!exists("rightfile")) rightfile = "right.dat"
if (!exists("lefttitle")) lefttitle = "contrastive"
if (!exists("righttitle")) righttitle = "DSML(cont)"
if (!exists("outbase")) outbase = "fig4"
if (!exists("classes")) classes = 10
if (!exists("classnames")) classnames = ""
if (!exists("plottitle")) plottitle = "t-SNE"

# field n (from 1) of a '|'-separated list; the legend's title of label c
field(s, n) = n <= 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|") - 1] : s) : field(s[strstrt(s, "|") + 1:], n - 1)
classname(c) = classnames eq "" ? sprintf("%d", c) : field(classnames, c + 1)

# one range for both panels: the extent of both files, the shorter side widened
# to the longer one about its centre, plus 3% on each side
stats leftfile using 1:2 nooutput name "L"
stats rightfile using 1:2 nooutput name "R"
xlo = L_min_x < R_min_x ? L_min_x : R_min_x
xhi = L_max_x > R_max_x ? L_max_x : R_max_x
ylo = L_min_y < R_min_y ? L_min_y : R_min_y
yhi = L_max_y > R_max_y ? L_max_y : R_max_y
span = (xhi - xlo > yhi - ylo ? xhi - xlo : yhi - ylo) * 1.06
span = span > 0 ? span : 1
xmid = (xlo + xhi) / 2.0
ymid = (ylo + yhi) / 2.0

# layout in inches: page width, two square panels of `side` inches, the title
# and panel titles above them, the legend (five classes a row) below
legend = classes <= 20
keyrows = legend ? int((classes + 4) / 5) : 0
side = 3.0
margin_in = 0.35
gap_in = 0.3
top_in = 0.6
legend_in = legend ? 0.15 + 0.17 * keyrows : 0
bottom_in = 0.1 + legend_in
# the height rounded up to a sixth of an inch, a whole number of units in every
# format (72, 96 and 150 per inch), so no format rounds the panels off square
figh = ceil((top_in + side + bottom_in) * 6) / 6.0
bottom_in = figh - top_in - side
figw = 2 * margin_in + 2 * side + gap_in
figfont = 9

# ten distinguishable colours, repeated beyond ten classes
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#ff7f0e"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#d62728"
set linetype 5 lc rgb "#9467bd"
set linetype 6 lc rgb "#8c564b"
set linetype 7 lc rgb "#e377c2"
set linetype 8 lc rgb "#7f7f7f"
set linetype 9 lc rgb "#bcbd22"
set linetype 10 lc rgb "#17becf"
set linetype cycle 10

# the formats' terminals and sizes (terminal.gp, beside this script)
dirname(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")].dirname(p[strstrt(p, "/") + 1:]) : ""
here = dirname(ARG0)

do for [fmt in "png svg pdf"] {
    load here."terminal.gp"
    if (!fmt_ok) {
        continue
    }
    set multiplot title plottitle
    unset xtics
    unset ytics
    unset key
    set xrange [xmid - span / 2 : xmid + span / 2]
    set yrange [ymid - span / 2 : ymid + span / 2]
    set bmargin at screen bottom_in / figh
    set tmargin at screen (bottom_in + side) / figh
    set lmargin at screen margin_in / figw
    set rmargin at screen (margin_in + side) / figw
    set title lefttitle
    plot for [c = 0:classes - 1] leftfile using 1:($3 == c ? $2 : NaN) with points lt (c + 1) pt 7 ps 0.3 notitle
    set lmargin at screen (margin_in + side + gap_in) / figw
    set rmargin at screen (margin_in + 2 * side + gap_in) / figw
    set title righttitle
    plot for [c = 0:classes - 1] rightfile using 1:($3 == c ? $2 : NaN) with points lt (c + 1) pt 7 ps 0.3 notitle
    if (legend) {
        # the legend alone, in the strip below the panels: an empty plot whose key lists the classes
        unset title
        unset border
        set bmargin at screen 0
        set tmargin at screen legend_in / figh
        set lmargin at screen margin_in / figw
        set rmargin at screen 1 - margin_in / figw
        set key inside center top Left reverse samplen 1 width -1 maxcols 5
        set key horizontal
        plot for [c = 0:classes - 1] NaN with points lt (c + 1) pt 7 ps 0.8 title classname(c)
        set border
    }
    unset multiplot
    unset output
}
