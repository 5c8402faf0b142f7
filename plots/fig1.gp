# Figure 1 (section 3.1): a 32-dim anchor feature ~ N(0,1) and the compared
# features anchor + N(0, sigma^2) noise, one panel per sigma^2, each titled
# with the SNR distance var(compared - anchor) / var(anchor) measured on the
# drawn data. Written by `dsml plots`, which passes:
#   datafile  fig1_curves.dat: dim, anchor, then one column per sigma^2
#   outbase   output path without extension (.png, .svg and .pdf are written)
#   sig, meas space-separated sigma^2 values and measured SNR distances
#   dims      the feature size
if (!exists("datafile")) datafile = "fig1_curves.dat"
if (!exists("outbase")) outbase = "fig1"
if (!exists("sig")) sig = "0.2 0.5 1 2"
if (!exists("meas")) meas = "? ? ? ?"
if (!exists("dims")) dims = 32

# size in inches (page width, 2 x 2 panels) and font in points, the same in every format
figw = 7.0
figh = 5.0
figfont = 9
# the formats' terminals and sizes (terminal.gp, beside this script)
dirname(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")].dirname(p[strstrt(p, "/") + 1:]) : ""
here = dirname(ARG0)

do for [fmt in "png svg pdf"] {
    load here."terminal.gp"
    if (!fmt_ok) {
        continue
    }
    set multiplot layout 2,2 title sprintf("Figure 1: %d-dim anchor feature N(0,1) and compared feature = anchor + N(0, sigma^2) noise", dims)
    set xrange [0.5:dims + 0.5]
    set xlabel "dimension"
    set ylabel "feature value"
    set grid
    set key top right
    do for [i = 1:words(sig)] {
        set title sprintf("sigma^2 = %s: measured SNR distance %s", word(sig, i), word(meas, i))
        plot datafile using 1:2 with linespoints lc rgb "#1f77b4" pt 7 ps 0.6 title "anchor", \
             datafile using 1:(column(2 + i)) with linespoints lc rgb "#d62728" pt 5 ps 0.6 title "compared"
    }
    unset multiplot
    unset output
}
