# make install / make uninstall (docs/install.md).
