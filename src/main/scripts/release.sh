#!/usr/bin/env bash
# release.sh TARGET_DIR: the self-contained release next to the jar (mvn package -Prelease runs it).
#   TARGET_DIR/framewire-runtime/     a jlink Java runtime with just the modules the jar needs
#   TARGET_DIR/framewire-runtime.tar  the same, packed (Ansible's java_runtime role unpacks it;
#                                     the jar travels separately, so a jar-only upgrade re-ships 88 MB, not 150)
# Debian 12 packages no Java >= 21; with this a bare host needs nothing else. The shaded jar is not
# a module, so maven-jlink-plugin can't be used: jdeps lists the JDK modules it uses instead.
set -euo pipefail
target=$1
jar=$target/framewire.jar
rt=$target/framewire-runtime
bin=${JAVA_HOME:?JAVA_HOME must point at the JDK that builds the runtime}/bin
# --multi-release 21: the shaded jar carries versioned classes; --ignore-missing-deps: optional
# integrations inside the dependencies (e.g. javacv's bindings for cameras we exclude).
mods=$("$bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 21 "$jar")
# + jdk.crypto.ec (TLS to Redis/JWKS with EC keys), jdk.jcmd (heap dumps and thread dumps on hosts)
mods="$mods,jdk.crypto.ec,jdk.jcmd"
rm -rf "$rt"
"$bin/jlink" --add-modules "$mods" --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output "$rt"
"$rt/bin/java" -version 2>&1 | head -1
# fixed owner and mtimes: the same runtime gives the same tar, so Ansible sees no change
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rt" -cf "$target/framewire-runtime.tar" .
echo "runtime: $target/framewire-runtime.tar (modules: $mods)"
