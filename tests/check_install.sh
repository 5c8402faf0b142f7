#!/bin/sh
# make install and make uninstall into a temporary DESTDIR with prefix /opt/dsml-test: the files
# installed, every public header compiling on its own, a program (tests/install/hello.c) built with
# nothing but `pkg-config --cflags --libs dsml` and run, the installed `dsml version`, the man page
# (rendered with groff when present; its escaping tried on a help text full of roff characters),
# then uninstall leaving no file of its own and nothing else touched.
# Run by `make check` with MAKE, DSML, LIB, BUILD and CC set (under `make sanitize`: build/sanitize's
# and the sanitizing CC). Exit 0 on success (or "SKIP: why" without pkg-config, except under CI),
# 1 naming the failure; the temporary folder is kept when it fails.
set -u
: "${MAKE:?}" "${DSML:?}" "${LIB:?}" "${BUILD:?}" "${CC:?}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/check_install.XXXXXX") || exit 1
fail() { echo "FAIL: check_install: $* (files kept in $dir)"; exit 1; }
missing() {
    [ -n "${CI:-}" ] && fail "$1 is missing (CI installs it: make test-deps)"
    echo "SKIP: check_install: $1 is missing"
}
command -v pkg-config >/dev/null 2>&1 || { missing pkg-config; rm -rf "$dir"; exit 0; }

prefix=/opt/dsml-test
root=$dir/root
top=$root$prefix
# A make of its own: the outer make's MAKEFLAGS (jobserver, its command-line variables) and any
# install variable in the environment stay out; what must reach it is given here.
inner_make() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u prefix -u exec_prefix -u bindir -u libdir \
        -u includedir -u datarootdir -u mandir -u man1dir -u DESTDIR \
        $MAKE --no-print-directory -s "$@" DESTDIR="$root" prefix=$prefix \
        DSML="$DSML" LIB="$LIB" BUILD="$BUILD" CC="$CC" > "$dir/make.log" 2>&1 ||
        fail "make $1 failed: $(cat "$dir/make.log")"
}
inner_make install

# --- the files: exactly these, the headers copies of the sources ---
found=$(cd "$top" && find . -type f | sed 's|^\./||' | sort)
for f in bin/dsml lib/libdsml.a lib/pkgconfig/dsml.pc share/man/man1/dsml.1 include/dsml/dsml.h \
    share/dsml/datasets/cifar10.manifest share/dsml/datasets/alexnet-imagenet.manifest; do
    printf '%s\n' "$found" | grep -qx "$f" || fail "$prefix/$f was not installed"
done
for f in $found; do
    case $f in
    bin/dsml | lib/libdsml.a | lib/pkgconfig/dsml.pc | share/man/man1/dsml.1) ;;
    include/dsml/dsml.h) cmp -s "$top/$f" include/dsml/dsml.h || fail "$f differs from include/dsml/dsml.h" ;;
    share/dsml/datasets/*.manifest) cmp -s "$top/$f" "datasets/${f#share/dsml/datasets/}" ||
        fail "$f is no copy of datasets/${f#share/dsml/datasets/}" ;;
    include/dsml/*/*.h) cmp -s "$top/$f" "src/${f#include/dsml/}" || fail "$f is no copy of src/${f#include/dsml/}" ;;
    *) fail "make install wrote $prefix/$f, which it should not" ;;
    esac
done
[ -x "$top/bin/dsml" ] || fail "$prefix/bin/dsml is not executable"
cmp -s "$top/lib/libdsml.a" "$LIB" || fail "$prefix/lib/libdsml.a is not $LIB"

# --- the installed program finds the installed manifests (no DSML_MANIFESTS, run from elsewhere) ---
msg=$(cd / && env -u DSML_MANIFESTS "$top/bin/dsml" fetch no-such-dataset --data "$dir/data" 2>&1) &&
    fail "the installed dsml fetch of an unknown name succeeded"
case $msg in
*"$top/bin/../share/dsml/datasets/no-such-dataset.manifest"*) ;;
*) fail "the installed dsml does not look in $prefix/share/dsml/datasets: $msg" ;;
esac

# --- pkg-config, pointed at the DESTDIR (the sysroot is prefixed to -I and -L) ---
export PKG_CONFIG_PATH="$top/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
cflags=$(pkg-config --cflags dsml) && libs=$(pkg-config --libs dsml) || fail "pkg-config dsml failed"
moved=$(env -u PKG_CONFIG_SYSROOT_DIR pkg-config --define-prefix --cflags dsml) || fail "pkg-config --define-prefix failed"
# shellcheck disable=SC2086,SC2116 # echo without quotes: the same flags, whatever the spacing
[ "$(echo $moved)" = "$(echo $cflags)" ] || fail "--define-prefix gives '$moved', the sysroot '$cflags'"

# --- every installed header compiles on its own (twice: its include guard works) ---
(cd "$top/include/dsml" && find . -name '*.h' | sed 's|^\./||' | sort) > "$dir/headers"
[ "$(wc -l < "$dir/headers")" -gt 1 ] || fail "no headers besides dsml.h were installed"
while read -r h; do
    printf '#include <dsml/%s>\n#include <dsml/%s>\n' "$h" "$h" > "$dir/header.c"
    # shellcheck disable=SC2086 # cflags is a list of flags
    $CC -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags "$dir/header.c" > "$dir/cc.log" 2>&1 ||
        fail "the installed header $h does not compile on its own: $(cat "$dir/cc.log")"
done < "$dir/headers"

# --- a program against the installed library, with pkg-config's flags alone ---
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror -o "$dir/hello" tests/install/hello.c $cflags $libs > "$dir/cc.log" 2>&1 ||
    fail "tests/install/hello.c does not build with '$cflags $libs': $(cat "$dir/cc.log")"
"$dir/hello" > "$dir/hello.log" 2>&1 || fail "tests/install/hello.c failed: $(cat "$dir/hello.log")"

# --- the installed program, its version that of dsml.pc ---
version=$("$top/bin/dsml" version) || fail "the installed dsml version failed"
[ "$(printf '%s\n' "$version" | head -n 1)" = "dsml $(pkg-config --modversion dsml)" ] ||
    fail "dsml version says '$version', dsml.pc $(pkg-config --modversion dsml)"

# --- the man page: a section per command the program lists, every variable it reads ---
page=$top/share/man/man1/dsml.1
commands=$("$top/bin/dsml" --help | awk '/^commands:$/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ -n "$commands" ] || fail "dsml --help lists no commands"
for c in $commands; do
    grep -qx "\.SS $c" "$page" || fail "the man page has no section for the command $c"
done
for v in $(grep -ho 'getenv("[A-Z_]*")' src/cli/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
    sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$page" | grep -qx "\.B $v" ||
        fail "the man page's ENVIRONMENT does not describe $v, which the program reads (src/cli)"
done
# a help text of roff's special characters, through the generator: rendered, it must read as printed
cat > "$dir/fake-dsml" <<'EOF'
#!/bin/sh
case $1 in
--help) printf 'usage: dsml COMMAND\n\ncommands:\n  odd        a \\summary with --options\n\n' ;;
version) echo "dsml 0-test" ;;
odd) printf "%s\n" "usage: dsml odd [--x] \\\\n" ".TH not a request" "'br not one either" \
         "  \`dsml odd\` -- 'quoted' \\fB" "..." ;;
esac
EOF
chmod +x "$dir/fake-dsml"
sh scripts/man.sh "$dir/fake-dsml" 2000-01-01 > "$dir/fake.1" || fail "scripts/man.sh failed on a fake dsml"
if command -v groff >/dev/null 2>&1; then
    for p in "$page" "$dir/fake.1"; do
        groff -man -Tascii -ww -z "$p" > "$dir/groff.log" 2>&1 && [ ! -s "$dir/groff.log" ] ||
            fail "groff warns about $p: $(cat "$dir/groff.log")"
    done
    groff -man -Tascii -P-cbou "$page" > "$dir/dsml.txt" 2>&1 || fail "groff could not render the man page"
    for c in $commands; do
        grep -qx "   $c" "$dir/dsml.txt" || fail "the rendered man page has no section for the command $c"
    done
    groff -man -Tascii -P-cbou "$dir/fake.1" | sed 's/^ *//' > "$dir/fake.txt" || fail "groff could not render fake.1"
    "$dir/fake-dsml" odd | sed 's/^ *//' | while IFS= read -r line; do
        grep -qxF -- "$line" "$dir/fake.txt" || { echo "$line"; exit 1; }
    done > "$dir/lost" || fail "the man page does not show the help line '$(cat "$dir/lost")' as printed (see $dir/fake.1)"
    grep -qxF -- 'a \summary with --options' "$dir/fake.txt" || fail "the man page mangles a summary (see $dir/fake.1)"
else
    missing "groff (the man page was checked unrendered only)"
fi

# --- uninstall: none of its files left, anything else untouched ---
mkdir -p "$top/include/other" && : > "$top/include/other/keep.h" && : > "$top/lib/libkeep.a"
inner_make uninstall
left=$(cd "$root" && find . -type f | sed 's|^\./||' | sort)
[ "$left" = "$(printf '%s\n' "${prefix#/}/include/other/keep.h" "${prefix#/}/lib/libkeep.a" | sort)" ] ||
    fail "after make uninstall the files are: $left"
[ ! -e "$top/include/dsml" ] || fail "make uninstall left $prefix/include/dsml"

rm -rf "$dir"
echo "PASS: check_install"
