# make install / make uninstall (docs/install.md), GNU conventions: prefix (or PREFIX), exec_prefix,
# bindir, libdir, includedir, datarootdir, mandir, man1dir, DESTDIR, INSTALL, INSTALL_PROGRAM,
# INSTALL_DATA. Installs the program $(DSML), the static library $(LIB), the public headers under
# $(includedir)/dsml/, dsml.pc into $(libdir)/pkgconfig and the man page dsml.1; make man builds
# the page alone ($(BUILD)/dsml.1, from the program's help texts: scripts/man.sh).
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
libdir      ?= $(exec_prefix)/lib
includedir  ?= $(prefix)/include
datarootdir ?= $(prefix)/share
mandir      ?= $(datarootdir)/man
man1dir     ?= $(mandir)/man1
INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL)
INSTALL_DATA    ?= $(INSTALL) -m 644

MAN_PAGE := $(BUILD)/dsml.1
PC_FILE  := $(BUILD)/dsml.pc
# The public headers: the umbrella and the transitive closure of what it includes from src/, computed
# by the compiler when installing (so a header that starts including another takes it along).
PUBLIC_HEADER := include/dsml/dsml.h
public_headers = $(CC) -MM -MT headers -Isrc $(PUBLIC_HEADER) | tr -s ' \\' '\n\n' | grep '^src/'
# In dsml.pc, the prefix and a path under it are written as ${prefix}[/...], so that
# pkg-config --define-prefix can move the whole tree.
pc_path = $(if $(filter $(prefix),$(1)),$${prefix},$(patsubst $(prefix)/%,$${prefix}/%,$(1)))

# the test renders the man page with groff (nroff's package on Debian)
CHECK_SCRIPTS += tests/check_install.sh
CHECK_PACKAGES += groff-base
.PHONY: man install uninstall
man: $(MAN_PAGE)

$(MAN_PAGE): $(DSML) scripts/man.sh
	@$(if $(Q),echo "  MAN     $@")
	$(Q)$(call atomically,sh scripts/man.sh $(DSML) "$$(git log -1 --format=%cs 2>/dev/null)" > $$tmp)

# dsml.pc is written here, not by a rule of its own: it holds this install's paths. Its version is
# the installed program's. Written through a temp file, so a dsml.pc left by `sudo make install`
# does not stop a later install as the user.
install: $(DSML) $(LIB) $(MAN_PAGE)
	@test -n "$(includedir)" || { echo "install: includedir is empty"; exit 1; }
	$(Q)version=$$($(DSML) version | sed -n '1s/^dsml //p') && [ -n "$$version" ] || \
	 { echo "install: $(DSML) version printed no version"; exit 1; }; \
	 tmp=$(PC_FILE).tmp.$$$$ && \
	 sed -e 's|@prefix@|$(prefix)|' -e 's|@exec_prefix@|$(call pc_path,$(exec_prefix))|' \
	    -e 's|@libdir@|$(call pc_path,$(libdir))|' -e 's|@includedir@|$(call pc_path,$(includedir))|' \
	    -e "s|@version@|$$version|" -e 's|@libs@|$(strip $(LDLIBS))|' dsml.pc.in > $$tmp && \
	 mv -f $$tmp $(PC_FILE) || { rm -f $$tmp; echo "install: could not write $(PC_FILE)"; exit 1; }
	$(Q)$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir)/pkgconfig $(DESTDIR)$(man1dir)
	$(Q)$(INSTALL_PROGRAM) $(DSML) $(DESTDIR)$(bindir)/dsml
	$(Q)$(INSTALL_DATA) $(LIB) $(DESTDIR)$(libdir)/libdsml.a
	$(Q)$(INSTALL_DATA) $(PC_FILE) $(DESTDIR)$(libdir)/pkgconfig/dsml.pc
	$(Q)$(INSTALL_DATA) $(MAN_PAGE) $(DESTDIR)$(man1dir)/dsml.1
	@# the manifests (datasets and weights: official URLs and checksums), found by the installed dsml
	$(Q)rm -rf $(DESTDIR)$(datarootdir)/dsml && $(INSTALL) -d $(DESTDIR)$(datarootdir)/dsml/datasets && \
	 $(INSTALL_DATA) $(wildcard datasets/*.manifest) $(DESTDIR)$(datarootdir)/dsml/datasets/
	@# the dsml include folder is the project's own: replaced whole, so no header of an older
	@# version stays behind
	$(Q)headers=$$($(public_headers)) && [ -n "$$headers" ] || { echo "install: no public headers found"; exit 1; }; \
	 rm -rf $(DESTDIR)$(includedir)/dsml && \
	 $(INSTALL) -d $(DESTDIR)$(includedir)/dsml && \
	 $(INSTALL_DATA) $(PUBLIC_HEADER) $(DESTDIR)$(includedir)/dsml/dsml.h && \
	 for h in $$headers; do \
	    rel=$${h#src/}; $(INSTALL) -d $(DESTDIR)$(includedir)/dsml/$${rel%/*} && \
	    $(INSTALL_DATA) $$h $(DESTDIR)$(includedir)/dsml/$$rel || exit 1; done
	@echo "installed dsml under $(DESTDIR)$(prefix) (pkg-config: $(libdir)/pkgconfig/dsml.pc)"

uninstall:
	@test -n "$(includedir)" || { echo "uninstall: includedir is empty"; exit 1; }
	rm -f $(DESTDIR)$(bindir)/dsml $(DESTDIR)$(libdir)/libdsml.a $(DESTDIR)$(libdir)/pkgconfig/dsml.pc \
	    $(DESTDIR)$(man1dir)/dsml.1
	rm -rf $(DESTDIR)$(includedir)/dsml $(DESTDIR)$(datarootdir)/dsml
