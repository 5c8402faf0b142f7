# make report: report/index.html (docs/report.md).
# One self-contained page from the tables and claims (rebuilt by `make tables`, with its claims
# options), the figures (`make plots`) and the runs in $(RESULTS). REPORT=FILE writes it elsewhere.
REPORT ?= report/index.html
.PHONY: report
report: tables plots | $(DSML)
	$(DSML) report --results $(RESULTS) --tables $(TABLES) --plots $(PLOTS) --out $(REPORT)

# The page in headless Chromium (tests/check_report.sh); gnuplot draws its figures.
CHECK_SCRIPTS += tests/check_report.sh
CHECK_PACKAGES += chromium-headless-shell
