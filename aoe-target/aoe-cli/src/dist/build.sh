#!/usr/bin/env bash
# Builds the two ways to install aoe without Maven, from what Maven built:
#   target/dist/aoe-VERSION-linux-ARCH.tar.xz   unpack anywhere and run bin/aoe
#   target/dist/aoe_DEBVERSION_DEBARCH.deb      apt install ./aoe_*.deb
# Both carry a jlink'd Java runtime with only the modules the command line uses, so neither needs a Java.
# Run by the dist profile of aoe-target/aoe-cli/pom.xml (mvn -Pdist package), which copies the runtime
# jars to target/dist-work/lib and writes the test class path (for DistDocs) beside them first.
set -euo pipefail

: "${VERSION:?}" "${MODULE_DIR:?}" "${BUILD_DIR:?}" "${REPO_DIR:?}" "${JAVA_HOME:?}" "${OUTPUT_TIMESTAMP:?}"
: "${JLINK_MODULES:?}" "${DEB_MAINTAINER:?}"

SRC=$MODULE_DIR/src/dist
WORK=$BUILD_DIR/dist-work
OUT=$BUILD_DIR/dist
# The build's fixed time (project.build.outputTimestamp) for man page dates and archive entries:
# the same sources give the same archives.
SOURCE_DATE_EPOCH=$(date -d "$OUTPUT_TIMESTAMP" +%s)
export SOURCE_DATE_EPOCH LC_ALL=C.UTF-8 TZ=UTC

say() { echo "dist: ${SECONDS}s: $*" >&2; }
need() { command -v "$1" >/dev/null || { say "'$1' is missing (apt-get install $2)"; exit 1; }; }
need asciidoctor asciidoctor
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need strip binutils
need file file
need xz xz-utils

ARCH=$(uname -m)                            # the tarball's name: x86_64, aarch64
DEB_ARCH=$(dpkg --print-architecture)       # the package's: amd64, arm64
DEB_VERSION=${VERSION/-SNAPSHOT/~SNAPSHOT}-1  # "~" sorts a snapshot before its release
rm -rf "$WORK/runtime" "$WORK/native" "$WORK/adoc" "$WORK/man" "$WORK/completion" "$WORK/tar" "$WORK/deb" "$OUT"
mkdir -p "$OUT"
install -m 0644 "$BUILD_DIR/aoe-cli-$VERSION.jar" "$WORK/lib/"   # beside the dependencies Maven copied
# the build tools (DistDocs, ForeignNatives) live with the tests, beside picocli-codegen
[ -d "$BUILD_DIR/test-classes/dev/aoe/cli/dist" ] \
    || { say "the build tools are test classes: build without -Dmaven.test.skip (-DskipTests is fine)"; exit 1; }
TOOLS_CP="$BUILD_DIR/classes:$BUILD_DIR/test-classes:$(cat "$WORK/test-classpath.txt")"
"$JAVA_HOME/bin/java" -cp "$TOOLS_CP" dev.aoe.cli.dist.ForeignNatives "$WORK"/lib/*.jar

# ELF files of a tree, stripped as dh_strip does (lintian: unstripped-binary-or-object); Debian's JDK
# keeps its symbol tables, which would add 4 MB here.
strip_elf() {
    find "$1" -type f -print0 | while IFS= read -r -d '' f; do
        if file -b "$f" | grep -q '^ELF'; then
            strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
        fi
    done
}

# Modes as Debian expects them: jlink leaves its files read-only (0444), lintian wants 0644/0755.
normalize_modes() {
    find "$1" -type d -exec chmod 0755 {} +
    find "$1" -type f -perm /0111 -exec chmod 0755 {} +
    find "$1" -type f ! -perm /0111 -exec chmod 0644 {} +
}

say "jlink: $JLINK_MODULES"
# No --compress: the modules compressed by jlink save 16 MB on disk but xz then finds less to squeeze,
# and the download grows from about 12 to 19 MB; uncompressed modules also load faster.
"$JAVA_HOME/bin/jlink" --add-modules "$JLINK_MODULES" --strip-debug --no-header-files --no-man-pages \
    --output "$WORK/runtime"
rm "$WORK/runtime/lib/jrt-fs.jar"   # only another JDK reading this image's modules would use it
strip_elf "$WORK/runtime"
# The class-data archive Debian's JDK ships and jlink leaves out: the JDK's classes mapped ready-made
# instead of loaded and verified at each start (0.1 s of every command; 11 MB, 2.3 MB in the tarball)
"$WORK/runtime/bin/java" -Xshare:dump -Xlog:disable >&2
normalize_modes "$WORK/runtime"

# JNA's native part, unpacked once here instead of into a temporary directory on every start
case "$ARCH" in
    x86_64) JNA_DIR=linux-x86-64 ;;
    *) JNA_DIR=linux-$ARCH ;;
esac
mkdir -p "$WORK/native" "$WORK/jna"
(cd "$WORK/jna" && "$JAVA_HOME/bin/jar" xf "$(ls "$WORK"/lib/jna-*.jar)" "com/sun/jna/$JNA_DIR/libjnidispatch.so")
install -m 0644 "$WORK/jna/com/sun/jna/$JNA_DIR/libjnidispatch.so" "$WORK/native/"
rm -rf "$WORK/jna"
strip_elf "$WORK/native"

say "man pages and bash completion from the picocli model"
"$JAVA_HOME/bin/java" -cp "$TOOLS_CP" dev.aoe.cli.dist.DistDocs "$WORK/adoc" "$WORK/completion/aoe"
asciidoctor --failure-level=WARN -b manpage -a mansource="aoe $VERSION" -a manmanual="AoE toolkit manual" \
    -D "$WORK/man/man1" "$WORK"/adoc/*.adoc

JDK_ORIGIN="the JDK in $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"
if pkg=$(dpkg-query -S "$(readlink -f "$JAVA_HOME/bin/jlink")" 2>/dev/null); then
    pkg=${pkg%%:*}
    JDK_ORIGIN="Debian's $pkg package, version $(dpkg-query -W -f='${Version}' "$pkg")"
fi
sed "s|@JDK_ORIGIN@|$JDK_ORIGIN|" "$SRC/deb/copyright" >"$WORK/copyright"

# ---- the tarball: everything under one directory, bin/aoe finds the rest beside itself
T=$WORK/tar/aoe-$VERSION
install -d "$T/bin" "$T/lib" "$T/man/man1" "$T/completion"
cp -a "$WORK/runtime" "$WORK/native" "$T/"
install -m 0755 "$SRC/bin/aoe" "$T/bin/aoe"
install -m 0644 "$WORK"/lib/*.jar "$T/lib/"
install -m 0644 "$WORK"/man/man1/*.1 "$T/man/man1/"
install -m 0644 "$WORK/completion/aoe" "$T/completion/aoe"
install -m 0644 "$REPO_DIR/LICENSE" "$T/LICENSE"
sed "s|@VERSION@|$VERSION|" "$SRC/README" >"$T/README"
# the package's copyright file, its paths made the tarball's
sed -e 's|usr/share/aoe/lib/|lib/|g' -e 's|/\?usr/lib/aoe/||g' "$WORK/copyright" >"$T/THIRD-PARTY"
chmod 0644 "$T/README" "$T/THIRD-PARTY"
"$T/bin/aoe" --version >/dev/null || { say "the assembled bin/aoe does not run"; exit 1; }
TARBALL=$OUT/aoe-$VERSION-linux-$ARCH.tar.xz
# compressed in the background while the package is assembled and compressed: dpkg-deb's xz uses one
# core, so the tarball's takes the other
say "tarball"
tar -C "$WORK/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    --format=gnu -cf - "aoe-$VERSION" | xz -T1 -6 >"$TARBALL" &
TAR_PID=$!
trap 'kill "$TAR_PID" 2>/dev/null || true' EXIT   # a failure below must not leave it running

# ---- the Debian package: the same files where Debian puts them
say "Debian package"
R=$WORK/deb/root
LIBDIR=usr/lib/aoe          # architecture-dependent: runtime, native library, launcher
SHAREDIR=usr/share/aoe      # the jars, which are not (lintian: jar-not-in-usr-share)
install -d "$R/DEBIAN" "$R/$LIBDIR/bin" "$R/$SHAREDIR/lib" "$R/usr/bin" "$R/usr/share/man/man1" \
    "$R/usr/share/bash-completion/completions" "$R/usr/share/doc/aoe" "$R/usr/share/lintian/overrides" \
    "$R/lib/systemd/system" "$R/etc/aoe/exports.d" "$R/var/lib/aoe"
cp -a "$WORK/runtime" "$WORK/native" "$R/$LIBDIR/"
install -m 0755 "$SRC/bin/aoe" "$R/$LIBDIR/bin/aoe"
ln -s ../../share/aoe/lib "$R/$LIBDIR/lib"      # so that bin/aoe finds lib/ beside it, as in the tarball
ln -s ../lib/aoe/bin/aoe "$R/usr/bin/aoe"
install -m 0644 "$WORK"/lib/*.jar "$R/$SHAREDIR/lib/"
for page in "$WORK"/man/man1/*.1; do
    gzip -9n <"$page" >"$R/usr/share/man/man1/${page##*/}.gz"
done
chmod 0644 "$R"/usr/share/man/man1/*
install -m 0644 "$WORK/completion/aoe" "$R/usr/share/bash-completion/completions/aoe"
install -m 0644 "$SRC/systemd/aoe-target.service" "$R/lib/systemd/system/"
install -m 0644 "$SRC/etc/example.conf" "$R/etc/aoe/exports.d/example.conf"
install -m 0644 "$WORK/copyright" "$R/usr/share/doc/aoe/copyright"
install -m 0644 "$SRC/deb/lintian-overrides" "$R/usr/share/lintian/overrides/aoe"
printf 'aoe (%s) unstable; urgency=medium\n\n  * Built from the aoe sources, version %s.\n\n -- %s  %s\n' \
    "$DEB_VERSION" "$VERSION" "$DEB_MAINTAINER" "$(date -R -d "@$SOURCE_DATE_EPOCH")" \
    | gzip -9n >"$R/usr/share/doc/aoe/changelog.Debian.gz"
chmod 0644 "$R/usr/share/doc/aoe/changelog.Debian.gz"
install -m 0755 "$SRC/deb/postinst" "$SRC/deb/prerm" "$SRC/deb/postrm" "$R/DEBIAN/"
(cd "$R" && find etc -type f | sed 's|^|/|' | sort) >"$R/DEBIAN/conffiles"   # dpkg-deb does not add them

# Depends: libpcap0.8 (loaded by name through JNA for --link pcap, so no ELF file names it) and the
# shared libraries the runtime's ELF files need, as dpkg-shlibdeps finds them.
mkdir -p "$WORK/deb/debian"
printf 'Source: aoe\n\nPackage: aoe\nArchitecture: any\n' >"$WORK/deb/debian/control"
mapfile -t ELF < <(cd "$WORK/deb" && find root/$LIBDIR -type f -exec sh -c 'file -b "$1" | grep -q "^ELF"' _ {} \; -print | sort)
# Its warnings (private libraries without a versioned SONAME, libjnidispatch's undeclared libc) are
# expected for a bundled JDK and go to a log.
SHLIBS=$(cd "$WORK/deb" && dpkg-shlibdeps -O -l"$R/$LIBDIR/runtime/lib/server" "${ELF[@]/#/-e}" 2>shlibdeps.log \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$SHLIBS" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
cat >"$R/DEBIAN/control" <<EOF
Package: aoe
Version: $DEB_VERSION
Architecture: $DEB_ARCH
Maintainer: $DEB_MAINTAINER
Installed-Size: $(du -k -s --apparent-size --exclude=DEBIAN "$R" | cut -f1)
Depends: libpcap0.8, $SHLIBS
Section: net
Priority: optional
Description: ATA over Ethernet target, initiator commands and AoE boot images
 A user-space implementation of ATA over Ethernet (AoEr11), one command with
 verbs: 'aoe target' exports files and block devices as AoE devices like
 vblade, many per process, and runs as the aoe-target service, which serves
 the exports listed in /etc/aoe/exports.d and reloads them on request;
 'aoe discover', 'stat', 'read', 'write', 'cfg', 'ping' and 'flush' use AoE
 devices without the kernel driver, like aoetools; 'aoe initrd' builds an
 initramfs that boots Linux with its root on AoE; 'aoe decode' prints the
 AoE frames of a packet capture.
 .
 The package carries its own minimal Java runtime: no Java installation is
 needed.
EOF
(cd "$R" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$R/DEBIAN/md5sums"
chmod 0644 "$R/DEBIAN/control" "$R/DEBIAN/conffiles" "$R/DEBIAN/md5sums"
find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
DEB=$OUT/aoe_${DEB_VERSION}_$DEB_ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$R" "$DEB" >/dev/null
wait "$TAR_PID" || { say "packing the tarball failed"; exit 1; }

say "$(du -h --apparent-size "$TARBALL" | cut -f1) $TARBALL"
say "$(du -h --apparent-size "$DEB" | cut -f1) $DEB (installs $(sed -n 's/^Installed-Size: //p' "$R/DEBIAN/control") KiB)"
