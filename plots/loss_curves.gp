# Training loss per epoch (metrics.json training.loss_per_epoch), one line
# per run of a dataset. Losses of different kinds have different scales, so
# the y axis is logarithmic. Written by `dsml plots`, which passes:
#   datafile   loss_<dataset>.dat: epoch, then one column per run (NaN: no value)
#   outbase    output path without extension (.png and .svg are written)
#   ncols      number of columns in datafile
#   plottitle  the title
if (!exists("datafile")) datafile = "loss.dat"
if (!exists("outbase")) outbase = "loss"
if (!exists("ncols")) ncols = 2
if (!exists("plottitle")) plottitle = "Training loss"

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
            set terminal pngcairo size 1000,700 noenhanced font ",11"
        } else {
            set terminal png size 1000,700 noenhanced
        }
    } else {
        set terminal svg size 1000,700 noenhanced font ",11"
    }
    set output outbase.".".fmt
    set title plottitle
    set logscale y
    set xlabel "epoch"
    set ylabel "mean training loss"
    set grid
    set key outside right top
    plot for [c = 2:ncols] datafile using 1:c with linespoints pt 7 ps 0.6 title columnhead(c)
    unset output
}
