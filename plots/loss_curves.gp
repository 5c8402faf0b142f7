# Training loss per epoch (metrics.json training.loss_per_epoch), one line
# per run of a dataset. Losses of different kinds have different scales, so
# the y axis is logarithmic. Written by `dsml plots`, which passes:
#   datafile   loss_<dataset>.dat: epoch, then one column per run (NaN: no value)
#   outbase    output path without extension (.png, .svg and .pdf are written)
#   ncols      number of columns in datafile
#   plottitle  the title
if (!exists("datafile")) datafile = "loss.dat"
if (!exists("outbase")) outbase = "loss"
if (!exists("ncols")) ncols = 2
if (!exists("plottitle")) plottitle = "Training loss"

# size in inches and font in points, the same in every format: page width, a
# plot area of fixed height and the key below it, three runs a row (a results
# folder holds dozens of runs: a key beside the plot squeezes it to nothing)
keyrows = int((ncols - 1 + 2) / 3)
keyrow_in = 0.16
plot_top_in = 0.45
plot_in = 2.6
axis_in = 0.55
figw = 7.0
figh = plot_top_in + plot_in + axis_in + keyrows * keyrow_in + 0.1
figfont = 9
# the formats' terminals and sizes (terminal.gp, beside this script)
dirname(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")].dirname(p[strstrt(p, "/") + 1:]) : ""
here = dirname(ARG0)

do for [fmt in "png svg pdf"] {
    load here."terminal.gp"
    if (!fmt_ok) {
        continue
    }
    set multiplot
    # the curves: a plot area of fixed size at the top
    set title plottitle
    set logscale y
    set xlabel "epoch"
    set ylabel "mean training loss"
    set grid
    set tmargin at screen 1 - plot_top_in / figh
    set bmargin at screen 1 - (plot_top_in + plot_in) / figh
    set lmargin at screen 0.8 / figw
    set rmargin at screen 1 - 0.25 / figw
    unset key
    plot for [c = 2:ncols] datafile using 1:c with linespoints lt (c - 1) pt 7 ps 0.4
    # the key: the same lines again, with no points, in the area below
    unset title
    unset logscale
    unset xlabel
    unset ylabel
    unset grid
    unset border
    unset tics
    set tmargin at screen 1 - (plot_top_in + plot_in + axis_in) / figh
    set bmargin at screen 0
    set lmargin at screen 0.3 / figw
    set rmargin at screen 1
    set xrange [0:1]
    set yrange [0:1]
    set key inside left top vertical Left reverse maxrows keyrows samplen 2 width -4
    plot for [c = 2:ncols] datafile using 1:(NaN) with linespoints lt (c - 1) pt 7 ps 0.4 title columnhead(c)
    unset multiplot
    unset output
}
