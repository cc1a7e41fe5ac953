#!/usr/bin/env bash
# make qemu-src: build qemu-system-x86_64 with the qtest accelerator (exact virtual time with
# qtest's clock_step) from Debian's own QEMU source packages, once per model variant, into the
# cache folder ($E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu):
#
#   variant          source                      patch (qemu-patches/)
#   qemu-7.2.20      Debian 12 (bookworm) 7.2.22 none
#   qemu-7.2.0       Debian 12 (bookworm) 7.2.22 qemu-7.2.0.patch
#   qemu-10.2        Debian 13 (trixie) 10.0.13  none
#   qemu-8.1         Debian 13 (trixie) 10.0.13  qemu-8.1.patch
#   fix-v1           Debian 13 (trixie) 10.0.13  fix-v1.patch
#   fix-mode-switch  Debian 13 (trixie) 10.0.13  fix-mode-switch.patch
#   fix-throttle     Debian 13 (trixie) 10.0.13  fix-throttle.patch
#
# Layout of the cache folder:
#   src-<suite>-<source version>/   the unpacked source, configured and fully built once (b/), in place;
#                                   it counts as built once its marker b/e1kfuzz-pristine exists
#   <source version>-<patch hash>/  one variant: qemu-system-x86_64 and the marker e1kfuzz-build
#                                   (variant, source, patch, hash); "none" for the unpatched ones
#   exact-<variant>                 launcher; e1kfuzz maps it to its variant through the marker
#
# Each source is configured and built once; a patched variant applies its patch to that tree,
# runs an incremental `ninja qemu-system-x86_64` (only the patched files recompile), copies the
# binary out and restores the pristine files. Idempotent (a folder whose marker and binary are
# there is kept; an interrupted source build is resumed by ninja), one run per source tree at a
# time (lock <cache>/.qemu-src-<suite>.lock), atomic (a variant folder is made under a temporary
# name and renamed into place; a source tree counts only once its marker is written), and a
# changed patch gives a new hash and so a new folder. Usage: scripts/build-qemu-src.sh [VARIANT...] (default: all seven).
#
# Two more modes, for CI (.github/workflows/nightly.yml keeps the builds in an actions/cache):
#   --versions  print the Debian source versions a build would use now, one SUITE=VERSION line per
#               suite (bookworm, trixie) on stdout, and build nothing (part of the cache key)
#   --deps      install the build dependencies only: a machine that restored the builds from a
#               cache needs their shared libraries
# Environment: E1KFUZZ_QEMU_DIR; E1KFUZZ_DEBIAN_MIRROR (default: the system's apt archive).
set -euo pipefail
set -o errtrace

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATCHES=$ROOT/qemu-patches
D=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}
STEP="start"
LOG=/dev/null
CUR_TMP=
RESTORE=()   # files of the source tree to restore from .orig copies if a step fails
RESTORE_TREE=

ALL=(qemu-7.2.20 qemu-7.2.0 qemu-10.2 qemu-8.1 fix-v1 fix-mode-switch fix-throttle)
suite_of() { case $1 in qemu-7.2.20|qemu-7.2.0) echo bookworm ;; *) echo trixie ;; esac; }
patch_of() { case $1 in qemu-7.2.20|qemu-10.2) echo "" ;; *) echo "$PATCHES/$1.patch" ;; esac; }

say() { printf 'build-qemu-src: %s\n' "$*"; }
restore_tree() {
  local f
  for f in "${RESTORE[@]}"; do
    if [ -e "$RESTORE_TREE/$f.e1kfuzz-orig" ]; then
      mv -f "$RESTORE_TREE/$f.e1kfuzz-orig" "$RESTORE_TREE/$f"
      touch "$RESTORE_TREE/$f"   # newer than the patched objects: the next build recompiles it
    else
      rm -f "$RESTORE_TREE/$f"   # a file the patch created
    fi
  done
  RESTORE=()
}
die() {
  printf 'build-qemu-src: %s\n' "$*" >&2
  if [ "$LOG" != /dev/null ] && [ -s "$LOG" ]; then
    printf 'build-qemu-src: last lines of %s:\n' "$LOG" >&2
    tail -n 20 "$LOG" | sed 's/^/    /' >&2
  fi
  restore_tree
  if [ -n "$CUR_TMP" ]; then rm -rf "$CUR_TMP"; fi
  exit 1
}
trap 'die "$STEP failed (unexpected error at line $LINENO)"' ERR
quiet() { "$@" >>"$LOG" 2>&1; }
now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
TIMES=()
timed() { local s; s=$(secs "$2"); TIMES+=("$(printf '%-52s %7s s' "$1" "$s")"); say "$1: ${s} s"; }

MODE=build
case ${1:-} in
  --versions | --deps) MODE=${1#--}; shift ;;
esac
if [ "$MODE" != build ] && [ $# -gt 0 ]; then echo "build-qemu-src: --$MODE takes no variant, got: $*" >&2; exit 2; fi
if [ "$MODE" = versions ]; then exec 3>&1 1>&2; fi   # stdout is for the SUITE=VERSION lines only
VARIANTS=("$@")
for v in "${VARIANTS[@]}"; do
  case " ${ALL[*]} " in *" $v "*) ;; *) echo "build-qemu-src: unknown variant '$v' (one of: ${ALL[*]})" >&2; exit 2 ;; esac
  p=$(patch_of "$v")
  if [ -n "$p" ] && [ ! -r "$p" ]; then echo "build-qemu-src: the patch of $v is missing: $p" >&2; exit 2; fi
done

T_ALL=$(now)
mkdir -p "$D" || die "cannot create the cache folder $D"
D=$(cd "$D" && pwd)
mkdir -p "$D/logs"
say "cache folder: $D"
# One lock per Debian source (<cache>/.qemu-src-<suite>.lock): two runs never touch the same tree
# or the same variant folder, while a bookworm and a trixie run may build side by side.
declare -A LOCKED
lock_suite() {
  local S=$1 fd
  [ -z "${LOCKED[$S]:-}" ] || return 0
  exec {fd}>"$D/.qemu-src-$S.lock"
  flock -w 3600 "$fd" || die "another build-qemu-src is working on the $S tree in $D (lock $D/.qemu-src-$S.lock); gave up after 60 min"
  LOCKED[$S]=$fd
}

# --- build dependencies ------------------------------------------------------------------------
DEPS=(gcc make pkg-config ninja-build meson flex bison dpkg-dev libglib2.0-dev libpixman-1-dev libfdt-dev
      libslirp-dev)
missing=()
[ "$MODE" = versions ] || for p in "${DEPS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  STEP="installing the build dependencies (${missing[*]})"
  [ "$(id -u)" = 0 ] || die "$STEP: needs root (or install them first: apt-get install ${missing[*]})"
  t=$(now); LOG=$D/logs/qemu-src-deps.log; : >"$LOG"
  quiet env DEBIAN_FRONTEND=noninteractive apt-get -q update || die "$STEP: 'apt-get update' failed"
  quiet env DEBIAN_FRONTEND=noninteractive apt-get -q install -y "${missing[@]}" || die "$STEP failed"
  timed "apt-get install build dependencies" "$t"
fi

if [ "$MODE" = deps ]; then
  say "build dependencies installed"
  exit 0
fi

if [ "$MODE" = build ] && [ ${#VARIANTS[@]} -eq 0 ]; then
  # All seven: the two Debian sources build side by side (one lock each), so one's single-threaded
  # configure overlaps the other's compile. The build dependencies were installed above, once:
  # two parallel apt-get runs would fail on apt's lock.
  "$0" qemu-7.2.20 qemu-7.2.0 2>&1 | sed -u 's/^/[bookworm] /' &
  bw=$!
  "$0" qemu-10.2 qemu-8.1 fix-v1 fix-mode-switch fix-throttle 2>&1 | sed -u 's/^/[trixie]   /'
  tx=${PIPESTATUS[0]}
  wait "$bw"; bwrc=$?
  if [ "$bwrc" != 0 ] || [ "$tx" != 0 ]; then
    echo "build-qemu-src: failed (bookworm exit $bwrc, trixie exit $tx); see the messages above" >&2
    exit 1
  fi
  exit 0
fi

# --- Debian's source packages, through a private apt state per suite -----------------------------
declare -A SRCVER APTVER TREE
apt_opts() { # apt_opts SUITE: the options of the private apt state of that suite
  local A=$D/src-apt-$1
  printf '%s\n' -o "Dir::Etc::SourceList=$A/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o Dir::State::status=/dev/null \
    -o Dir::State::extended_states=/dev/null -o APT::Architecture=amd64 -o APT::Sandbox::User=root
}
source_version() { # source_version SUITE: sets SRCVER[SUITE] (apt-get update of the private state)
  local S=$1 A=$D/src-apt-$1 uris main kr=/usr/share/keyrings/debian-archive-keyring.gpg opt= O t v
  [ -z "${SRCVER[$S]:-}" ] || return 0
  STEP="finding Debian's $S QEMU source version (private apt state $A)"
  t=$(now)
  uris=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | sed 's/^URIs://' || true
            grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
              | sed -e 's/^deb //' -e 's/\[[^]]*\]//' | awk '{print $1}' || true; } | tr ' ' '\n' | sed '/^$/d')
  main=${E1KFUZZ_DEBIAN_MIRROR:-$(printf '%s\n' "$uris" | grep -E '/debian/?$' | head -n 1 || true)}
  main=${main:-http://deb.debian.org/debian}
  if [ -r "$kr" ]; then opt=" [signed-by=$kr]"; fi
  mkdir -p "$A"/lists/partial "$A"/cache/archives/partial "$A"/etc "$A"/dl
  printf 'deb-src%s %s %s main\ndeb%s %s %s main\n' "$opt" "${main%/}" "$S" "$opt" "${main%/}" "$S" >"$A"/etc/sources.list
  mapfile -t O < <(apt_opts "$S")
  LOG=$D/logs/src-apt-$S.log; : >"$LOG"
  # apt-get update exits 0 even when it fetched nothing (only warnings): no source index means offline.
  if ! quiet apt-get -q "${O[@]}" update || ! compgen -G "$A/lists/*_source_Sources*" >/dev/null; then
    # Offline: keep using a tree that was built before.
    v=$(cd "$D" && ls -d "src-$S-"* 2>/dev/null | grep -v '\.tmp$' | sort | tail -n 1 || true)
    [ -n "$v" ] || die "$STEP: 'apt-get update' fetched no source index (is ${main%/} reachable?) and no source tree was built before"
    say "warning: 'apt-get update' fetched no $S source index; using the tree built before ($v)"
    SRCVER[$S]=${v#src-$S-}
    return 0
  fi
  v=$(apt-cache "${O[@]}" showsrc qemu 2>>"$LOG" | awk '/^Version:/ {print $2}' | sort -V | tail -n 1 || true)
  [ -n "$v" ] || die "$STEP: the $S archive at ${main%/} serves no QEMU source package"
  SRCVER[$S]=${v#*:}
  APTVER[$S]=$v
  timed "apt-get update ($S sources): qemu ${SRCVER[$S]}" "$t"
}

if [ "$MODE" = versions ]; then
  for S in bookworm trixie; do source_version "$S"; done
  for S in bookworm trixie; do printf '%s=%s\n' "$S" "${SRCVER[$S]}" >&3; done
  exit 0
fi

# Unpacks, configures and fully builds Debian's SUITE source once: sets TREE[SUITE].
CONFIGURE=(--target-list=x86_64-softmmu --disable-tcg --disable-docs --disable-werror --disable-gtk --disable-sdl
           --disable-vnc --disable-opengl --disable-spice --disable-tools --disable-guest-agent --disable-user
           --disable-install-blobs --disable-xen)
source_tree() {
  local S=$1 A=$D/src-apt-$1 v tree tmp O PYP= PYARG=() t
  [ -z "${TREE[$S]:-}" ] || return 0
  lock_suite "$S"
  source_version "$S"
  v=${SRCVER[$S]}
  tree=$D/src-$S-$v
  if [ -e "$tree/b/e1kfuzz-pristine" ] && [ -x "$tree/b/qemu-system-x86_64" ]; then
    TREE[$S]=$tree
    return 0
  fi
  if [ "$S" = trixie ]; then PYP=$tree/.meson/usr/lib/python3/dist-packages; fi
  if [ -e "$tree/b/e1kfuzz-configured" ]; then
    # An interrupted build: ninja picks up where it stopped.
    STEP="resuming the build of qemu $v (ninja qemu-system-x86_64)"
    t=$(now); LOG=$D/logs/src-$S-build.log
    ( cd "$tree"/b && PYTHONPATH=$PYP quiet ninja -j"$(nproc)" qemu-system-x86_64 ) || die "$STEP failed"
    timed "resumed build $S qemu $v" "$t"
    echo "$v" >"$tree/b/e1kfuzz-pristine"
    TREE[$S]=$tree
    return 0
  fi
  # meson's build folder is not relocatable, so the tree is built in place: it counts as
  # configured once b/e1kfuzz-configured exists and as built once b/e1kfuzz-pristine does (each
  # written after its step); a tree that was not even configured is started afresh.
  mapfile -t O < <(apt_opts "$S")
  tmp=$tree
  rm -rf "$tmp"; CUR_TMP=$tmp
  STEP="downloading Debian's $S QEMU source qemu=$v"
  t=$(now); LOG=$D/logs/src-$S-download.log; : >"$LOG"
  rm -rf "$A"/dl; mkdir -p "$A"/dl
  ( cd "$A"/dl && quiet apt-get -q "${O[@]}" source --download-only "qemu=${APTVER[$S]}" ) \
    || die "$STEP failed: the $S archive may no longer carry qemu ${APTVER[$S]}"
  STEP="unpacking qemu_$v.dsc"
  quiet dpkg-source --no-copy -x "$A"/dl/qemu_"$v".dsc "$tmp" || die "$STEP failed"
  rm -rf "$A"/dl
  if [ "$S" = trixie ]; then   # QEMU 10 needs meson >= 1.5, which the +ds tarball lacks: trixie's (pure Python)
    STEP="fetching Debian 13's meson (QEMU 10 needs meson >= 1.5)"
    mkdir -p "$A"/dl
    ( cd "$A"/dl && quiet apt-get -q "${O[@]}" download meson && dpkg -x meson_*.deb "$tmp"/.meson ) || die "$STEP failed"
    rm -rf "$A"/dl
    PYP=$tmp/.meson/usr/lib/python3/dist-packages; PYARG=(--python=/usr/bin/python3)
  fi
  timed "source $S qemu $v (download, unpack)" "$t"
  STEP="configuring qemu $v"
  t=$(now); LOG=$D/logs/src-$S-configure.log; : >"$LOG"
  mkdir -p "$tmp"/b
  ( cd "$tmp"/b && PYTHONPATH=$PYP quiet ../configure "${PYARG[@]}" "${CONFIGURE[@]}" ) || die "$STEP failed"
  timed "configure $S qemu $v" "$t"
  touch "$tmp/b/e1kfuzz-configured"
  CUR_TMP=   # from here on an interrupted build is resumed, not wiped
  STEP="building qemu $v (ninja qemu-system-x86_64)"
  t=$(now); LOG=$D/logs/src-$S-build.log; : >"$LOG"
  ( cd "$tmp"/b && PYTHONPATH=$PYP quiet ninja -j"$(nproc)" qemu-system-x86_64 ) || die "$STEP failed"
  timed "full build $S qemu $v" "$t"
  CUR_TMP=
  echo "$v" >"$tree/b/e1kfuzz-pristine"
  TREE[$S]=$tree
}

# --- one variant -------------------------------------------------------------------------------
build_variant() {
  local var=$1 S p hash v tree name dir tmp t files f PYP=
  S=$(suite_of "$var"); p=$(patch_of "$var")
  source_tree "$S"
  v=${SRCVER[$S]}; tree=${TREE[$S]}
  if [ "$S" = trixie ]; then PYP=$tree/.meson/usr/lib/python3/dist-packages; fi
  if [ -n "$p" ]; then hash=$(sha256sum "$p" | cut -c1-12); else hash=none; fi
  name=$v-$hash; dir=$D/$name
  t=$(now)
  if [ -x "$dir/qemu-system-x86_64" ] && grep -qx "variant=$var" "$dir/e1kfuzz-build" 2>/dev/null; then
    write_launcher "$var" "$name"
    TIMES+=("$(printf '%-52s %7s s' "$var ($name, already built)" "$(secs "$t")")")
    say "$var: already built ($name)"
    return 0
  fi
  tmp=$D/.$name.tmp; rm -rf "$tmp"; CUR_TMP=$tmp; mkdir -p "$tmp"
  LOG=$D/logs/$var.log; : >"$LOG"
  if [ -n "$p" ]; then
    STEP="applying $(basename "$p") to Debian's $S source $v"
    mapfile -t files < <(sed -n 's/^+++ b\/\([^[:space:]]*\).*/\1/p' "$p")
    [ ${#files[@]} -gt 0 ] || die "$STEP: the patch names no file (+++ b/...)"
    quiet patch -d "$tree" -p1 --dry-run -F0 <"$p" \
      || die "$STEP: the patch no longer applies (did a Debian update change the file?); see $LOG"
    RESTORE_TREE=$tree
    for f in "${files[@]}"; do
      if [ -e "$tree/$f" ]; then cp -p "$tree/$f" "$tree/$f.e1kfuzz-orig"; fi
      RESTORE+=("$f")
    done
    quiet patch -d "$tree" -p1 -F0 --no-backup-if-mismatch <"$p" || die "$STEP failed"
  fi
  STEP="building $var (incremental ninja qemu-system-x86_64 in $tree/b)"
  ( cd "$tree"/b && PYTHONPATH=$PYP quiet ninja -j"$(nproc)" qemu-system-x86_64 ) || die "$STEP failed"
  cp "$tree/b/qemu-system-x86_64" "$tmp/qemu-system-x86_64"
  restore_tree
  if [ -n "$p" ]; then cp "$p" "$tmp/$(basename "$p")"; fi
  {
    echo "# e1kfuzz exact build (scripts/build-qemu-src.sh): QEMU with the qtest accelerator"
    echo "variant=$var"
    echo "source=$v"
    echo "suite=$S"
    echo "patch=${p:+qemu-patches/$(basename "$p")}"
    echo "hash=$hash"
  } >"$tmp/e1kfuzz-build"
  STEP="checking the $var build"
  timeout 20 "$tmp/qemu-system-x86_64" --version >>"$LOG" 2>&1 || die "$STEP: --version failed"
  # Remove the folders of older patch versions of this variant.
  for f in "$D"/*/e1kfuzz-build; do
    [ -e "$f" ] && grep -qx "variant=$var" "$f" && rm -rf "$(dirname "$f")"
  done
  rm -rf "$dir"; mv "$tmp" "$dir"; CUR_TMP=
  write_launcher "$var" "$name"
  timed "$var ($name, ${p:+patched, }built)" "$t"
}

write_launcher() { # write_launcher VARIANT FOLDER
  local l=$D/exact-$1
  cat >"$l.new" <<EOS
#!/bin/bash
# e1kfuzz (scripts/build-qemu-src.sh): exact build of variant $1 (qtest accelerator).
# e1kfuzz-build: $2
R=\$(dirname "\$(readlink -f "\$0")")/$2
exec "\$R/qemu-system-x86_64" "\$@"
EOS
  chmod +x "$l.new"
  mv -f "$l.new" "$l"
}

for v in "${VARIANTS[@]}"; do build_variant "$v"; done

echo
say "step timings:"
printf '  %s\n' "${TIMES[@]}"
printf '  %-52s %7s s\n' "total" "$(secs "$T_ALL")"
echo
say "exact builds in $D:"
for v in "${VARIANTS[@]}"; do
  printf '  %-22s -> %s\n' "exact-$v" "$(sed -n 's/^# e1kfuzz-build: //p' "$D/exact-$v")"
done
