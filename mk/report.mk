# make report: report/index.html (docs/report.md).
