# Figure 4: t-SNE of query embeddings, coloured by class, the contrastive run
# (Euclidean) on the left and DSML(cont) (SNR) on the right. Written by
# `dsml plots`, which passes:
#   leftfile, rightfile    fig4_<dataset>_<run>.dat: x, y, label, query index
#   lefttitle, righttitle  panel titles
#   outbase                output path without extension (.png and .svg are written)
#   classes                number of classes (labels 0 .. classes - 1)
#   plottitle              the title
if (!exists("leftfile")) leftfile = "left.dat"
if (!exists("rightfile")) rightfile = "right.dat"
if (!exists("lefttitle")) lefttitle = "contrastive"
if (!exists("righttitle")) righttitle = "DSML(cont)"
if (!exists("outbase")) outbase = "fig4"
if (!exists("classes")) classes = 10
if (!exists("plottitle")) plottitle = "t-SNE"

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

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
            set terminal pngcairo size 1500,720 noenhanced font ",11"
        } else {
            set terminal png size 1500,720 noenhanced
        }
    } else {
        set terminal svg size 1500,720 noenhanced font ",11"
    }
    set output outbase.".".fmt
    set multiplot layout 1,2 title plottitle
    unset xtics
    unset ytics
    set key outside right top title "class"
    set size ratio -1
    set title lefttitle
    plot for [c = 0:classes - 1] leftfile using 1:($3 == c ? $2 : NaN) with points lt (c + 1) pt 7 ps 0.5 title sprintf("%d", c)
    set title righttitle
    plot for [c = 0:classes - 1] rightfile using 1:($3 == c ? $2 : NaN) with points lt (c + 1) pt 7 ps 0.5 title sprintf("%d", c)
    unset multiplot
    unset output
}
