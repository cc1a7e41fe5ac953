#!/usr/bin/env bash
# make qemu: fetch the four Debian QEMU builds e1kfuzz drives over qtest and write one launcher
# per build into the cache folder ($E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu):
#
#   qemu-7.2.22   Debian 12's installed qemu-system-x86 (1:7.2+dfsg-7+deb12u18+b3), a link to
#                 /usr/bin/qemu-system-x86_64; installed with apt when it is missing.
#   qemu-7.2.18   Debian 12's 1:7.2+dfsg-7+deb12u15 (bookworm-security): apt-get download +
#                 dpkg -x, nothing installed; runs on the system's Debian 12 libraries.
#   qemu-10.0.2   Debian 13's 1:10.0.2+ds-2+deb13u1 (trixie-security) and
#   qemu-10.0.13  Debian 13's 1:10.0.13+ds-0+deb13u1: the package, its firmware and its shared
#                 library closure, fetched with a private apt state (<cache>/trixie-apt) and
#                 started through Debian 13's own dynamic loader (Debian 12's glibc is too old).
#
# Every launcher takes qemu-system-x86_64's arguments. The script is idempotent: a build whose
# launcher exists and answers --version with the expected release is left alone. It never
# changes the system's apt sources; it runs `apt-get update` / `apt-get install` (as root) only
# when Debian 12's qemu-system-x86 or the 7.2.18 packages cannot be found otherwise.
#
# Environment: E1KFUZZ_QEMU_DIR (cache folder); E1KFUZZ_DEBIAN_MIRROR and
# E1KFUZZ_DEBIAN_SECURITY_MIRROR (archive URIs for Debian 13; default: the ones the system's apt
# sources use, else http://deb.debian.org/debian and http://deb.debian.org/debian-security).
set -euo pipefail
set -o errtrace

# The exact Debian versions (the fuzzer maps each upstream release to a model variant).
V7218=1:7.2+dfsg-7+deb12u15        # QEMU 7.2.18, bookworm-security
V7222=1:7.2+dfsg-7+deb12u18+b3     # QEMU 7.2.22, bookworm (used only if the installed one differs)
V1002=1:10.0.2+ds-2+deb13u1        # QEMU 10.0.2, trixie-security
V10013=1:10.0.13+ds-0+deb13u1      # QEMU 10.0.13, trixie

D=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}
STEP="start"
LOG=/dev/null
CUR_TMP=   # a half-built tree, removed when a step fails

say() { printf 'get-qemu: %s\n' "$*"; }
die() {
  printf 'get-qemu: %s\n' "$*" >&2
  if [ "$LOG" != /dev/null ] && [ -s "$LOG" ]; then
    printf 'get-qemu: last lines of %s:\n' "$LOG" >&2
    tail -n 15 "$LOG" | sed 's/^/    /' >&2
  fi
  if [ -n "$CUR_TMP" ]; then rm -rf "$CUR_TMP"; fi
  exit 1
}
trap 'die "$STEP failed (unexpected error at line $LINENO)"' ERR

# Runs a command with its output going to $LOG (shown by die on failure).
quiet() { "$@" >>"$LOG" 2>&1; }

now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
TIMES=()
timed() { # timed LABEL START: records and prints how long a step took
  local s; s=$(secs "$2")
  TIMES+=("$(printf '%-44s %7s s' "$1" "$s")")
  say "$1: ${s} s"
}

# The first line of LAUNCHER --version if it names release REL, else nothing (and status 1).
version_ok() {
  local line
  [ -x "$1" ] || return 1
  line=$(timeout 20 "$1" --version 2>/dev/null | head -n 1) || true
  case "$line" in
    "QEMU emulator version $2 "*|"QEMU emulator version $2") printf '%s' "$line" ;;
    *) return 1 ;;
  esac
}

T_ALL=$(now)
mkdir -p "$D" || die "cannot create the cache folder $D"
D=$(cd "$D" && pwd)
mkdir -p "$D/logs"
exec 9>"$D/.lock"
flock -w 1800 9 || die "another get-qemu is working on $D (lock $D/.lock); gave up after 30 min"
say "cache folder: $D"

is_root() { [ "$(id -u)" = 0 ]; }

# apt_has [APT-OPTIONS...] PKG=VER: whether apt's index lists that exact version.
apt_has() {
  local spec=${*: -1} opts=("${@:1:$#-1}")
  apt-cache "${opts[@]}" madison "${spec%%=*}" 2>/dev/null |
    awk -F'|' -v v="${spec#*=}" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'
}
APT_UPDATED=
system_apt_update() {
  [ -z "$APT_UPDATED" ] || return 0
  is_root || die "$STEP: 'apt-get update' needs root (run as root, or install qemu-system-x86 first)"
  local t prev=$LOG; t=$(now)
  LOG=$D/logs/apt-update.log; : >"$LOG"
  quiet env DEBIAN_FRONTEND=noninteractive apt-get -q update \
    || die "$STEP: 'apt-get update' failed; is the Debian archive reachable?"
  timed "apt-get update (Debian 12)" "$t"
  APT_UPDATED=1
  LOG=$prev
}

# --- Debian 12's installed QEMU (needed by 7.2.22 and, for its libraries, by 7.2.18) --------
ensure_system_qemu() {
  [ -x /usr/bin/qemu-system-x86_64 ] && return 0
  STEP="installing qemu-system-x86 with apt"
  local t; t=$(now)
  system_apt_update
  LOG=$D/logs/apt-install.log; : >"$LOG"
  quiet env DEBIAN_FRONTEND=noninteractive apt-get -q install -y qemu-system-x86 \
    || die "$STEP failed ('apt-get install -y qemu-system-x86')"
  [ -x /usr/bin/qemu-system-x86_64 ] || die "$STEP: /usr/bin/qemu-system-x86_64 is still missing"
  timed "apt-get install qemu-system-x86" "$t"
}

# apt-get download with the system's (Debian 12) apt state into folder DIR, with one
# `apt-get update` if the versions are not known yet.
bookworm_download() { # bookworm_download DIR PKG=VER...
  local dir=$1 p; shift
  local pkgs=("$@")
  for p in "${pkgs[@]}"; do
    if ! apt_has "$p"; then
      system_apt_update
      break
    fi
  done
  for p in "${pkgs[@]}"; do
    apt_has "$p" \
      || die "$STEP failed; apt knows no $p: the Debian 12 archive (bookworm, bookworm-security) may no longer carry it"
  done
  cd "$dir"
  quiet apt-get -q -o APT::Sandbox::User=root download "${pkgs[@]}" \
    || die "$STEP: 'apt-get download ${pkgs[*]}' failed; the Debian 12 archive may no longer carry it"
  cd "$D"
}

# Unpacks Debian 12's qemu-system-{x86,common,data} of version DEBVER into <cache>/NAME/root and
# writes the launcher <cache>/qemu-UPSTREAM.
unpack_bookworm() { # unpack_bookworm UPSTREAM DEBVER NAME
  local up=$1 ver=$2 name=$3 tmp=$D/.$3.tmp f
  rm -rf "$tmp"
  CUR_TMP=$tmp
  mkdir -p "$tmp/debs"
  bookworm_download "$tmp/debs" "qemu-system-x86=$ver" "qemu-system-common=$ver" "qemu-system-data=${ver%+b*}"
  for f in "$tmp"/debs/*.deb; do
    dpkg -x "$f" "$tmp/root" || die "$STEP: 'dpkg -x $(basename "$f")' failed"
  done
  ls "$tmp/debs" >"$tmp/packages.txt"
  rm -rf "$tmp/debs" "${D:?}/$name"
  mv "$tmp" "$D/$name"
  CUR_TMP=
  cat >"$D/qemu-$up.new" <<EOS
#!/bin/bash
# e1kfuzz (scripts/get-qemu.sh): Debian 12's QEMU $up ($ver), unpacked, not installed.
# Shared libraries, SeaBIOS and iPXE come from the installed Debian 12 system.
R=\$(dirname "\$(readlink -f "\$0")")/$name/root
export QEMU_MODULE_DIR=\${QEMU_MODULE_DIR:-\$R/usr/lib/x86_64-linux-gnu/qemu}
exec "\$R/usr/bin/qemu-system-x86_64" -L "\$R/usr/share/qemu" -L /usr/share/seabios -L /usr/lib/ipxe/qemu "\$@"
EOS
  chmod +x "$D/qemu-$up.new"
  mv -f "$D/qemu-$up.new" "$D/qemu-$up"
}

# --- Debian 13 (trixie) with a private apt state -----------------------------------------
TA=$D/trixie-apt
TO=()
TRIXIE_READY=
trixie_apt() {
  [ -z "$TRIXIE_READY" ] || return 0
  STEP="updating the private Debian 13 (trixie) apt state in $TA"
  local t; t=$(now)
  local uris main sec kr=/usr/share/keyrings/debian-archive-keyring.gpg opt=
  # The archive the system already uses: deb822 'URIs:' and one-line 'deb' entries.
  uris=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | sed 's/^URIs://' || true
            grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
              | sed -e 's/^deb //' -e 's/\[[^]]*\]//' | awk '{print $1}' || true; } | tr ' ' '\n' | sed '/^$/d')
  main=${E1KFUZZ_DEBIAN_MIRROR:-$(printf '%s\n' "$uris" | grep -E '/debian/?$' | head -n 1 || true)}
  sec=${E1KFUZZ_DEBIAN_SECURITY_MIRROR:-$(printf '%s\n' "$uris" | grep -E '/debian-security/?$' | head -n 1 || true)}
  main=${main:-http://deb.debian.org/debian}
  sec=${sec:-http://deb.debian.org/debian-security}
  if [ -r "$kr" ]; then opt=" [signed-by=$kr]"; fi
  mkdir -p "$TA"/lists/partial "$TA"/cache/archives/partial "$TA"/etc
  printf 'deb%s %s trixie main\ndeb%s %s trixie-updates main\ndeb%s %s trixie-security main\n' \
    "$opt" "${main%/}" "$opt" "${main%/}" "$opt" "${sec%/}" >"$TA"/etc/sources.list
  TO=(-o Dir::Etc::SourceList="$TA"/etc/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
      -o Dir::State::Lists="$TA"/lists -o Dir::Cache="$TA"/cache
      -o Dir::State::status=/dev/null -o Dir::State::extended_states=/dev/null
      -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o APT::Default-Release=
      -o APT::Sandbox::User=root)
  LOG=$D/logs/trixie-apt-update.log; : >"$LOG"
  quiet apt-get -q --error-on=any "${TO[@]}" update \
    || die "$STEP failed (apt-get update with sources ${main%/} and ${sec%/}); is the Debian archive reachable?"
  timed "apt-get update (private Debian 13 state)" "$t"
  TRIXIE_READY=1
}

get_trixie() { # get_trixie DEBVER SUITE (the suite that carries it, for error messages)
  local ver=$1 suite=$2 up name tmp libs f
  up=${ver#*:}; up=${up%%+*}
  name=trixie-$up
  tmp=$D/.$name.tmp
  trixie_apt
  STEP="downloading qemu-system-x86=$ver"
  LOG=$D/logs/$name.log; : >"$LOG"
  apt_has "${TO[@]}" "qemu-system-x86=$ver" \
    || die "$STEP failed; apt knows no such version: the $suite archive may no longer carry it"
  # Runtime closure of qemu-system-x86, library packages only (no maintainer scripts run).
  libs=$(apt-cache "${TO[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
           --no-breaks --no-replaces --no-enhances --no-pre-depends "qemu-system-x86=$ver" 2>>"$LOG" |
         grep -v '^[ <]' | sort -u | grep -E '^(lib|gcc-[0-9]+-base|zlib1g)' |
         grep -vE '^(libpam|libsemanage|libdebian-installer|libnewt|libslang|libtextwrap|libdebconfclient|libasound2-data)' || true)
  [ -n "$libs" ] || die "$STEP: could not resolve the library closure of qemu-system-x86=$ver"
  rm -rf "$tmp"
  CUR_TMP=$tmp
  mkdir -p "$tmp/debs"
  cd "$tmp/debs"
  # shellcheck disable=SC2086
  quiet apt-get -q "${TO[@]}" download $libs seabios ipxe-qemu \
      "qemu-system-x86=$ver" "qemu-system-common=$ver" "qemu-system-data=$ver" \
    || die "$STEP failed; the $suite archive may no longer carry it"
  cd "$D"
  STEP="unpacking qemu-system-x86=$ver"
  for f in "$tmp"/debs/*.deb; do
    dpkg -x "$f" "$tmp/root" || die "$STEP: 'dpkg -x $(basename "$f")' failed"
  done
  [ -e "$tmp/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" ] \
    || die "$STEP: Debian 13's dynamic loader is missing from the unpacked libc6"
  ls "$tmp/debs" >"$tmp/packages.txt"
  rm -rf "$tmp/debs" "${D:?}/$name"
  mv "$tmp" "$D/$name"
  CUR_TMP=
  cat >"$D/qemu-$up.new" <<EOS
#!/bin/bash
# e1kfuzz (scripts/get-qemu.sh): Debian 13's QEMU $up ($ver), unpacked with its library
# closure and firmware (qemu-system-data, seabios, ipxe-qemu) and started through Debian 13's
# own dynamic loader (Debian 12's glibc is too old for it).
R=\$(dirname "\$(readlink -f "\$0")")/$name/root
L=\$R/usr/lib/x86_64-linux-gnu
export QEMU_MODULE_DIR=\${QEMU_MODULE_DIR:-\$L/qemu}
exec "\$L/ld-linux-x86-64.so.2" --library-path "\$L" "\$R/usr/bin/qemu-system-x86_64" \\
  -L "\$R/usr/share/qemu" -L "\$R/usr/share/seabios" "\$@"
EOS
  chmod +x "$D/qemu-$up.new"
  mv -f "$D/qemu-$up.new" "$D/qemu-$up"
}

# --- the four builds ------------------------------------------------------------------------
build() { # build UPSTREAM DEBVER [SUITE]
  local up=$1 ver=$2 suite=${3:-} t line
  t=$(now)
  if line=$(version_ok "$D/qemu-$up" "$up"); then
    TIMES+=("$(printf '%-44s %7s s' "qemu-$up (already present)" "$(secs "$t")")")
    say "qemu-$up: already present ($line)"
    return 0
  fi
  case $up in
    7.2.22)
      ensure_system_qemu
      STEP="linking qemu-7.2.22 to /usr/bin/qemu-system-x86_64"
      t=$(now)
      if version_ok /usr/bin/qemu-system-x86_64 7.2.22 >/dev/null; then
        rm -rf "${D:?}/qemu-7.2.22" "${D:?}/bookworm-7.2.22"
        ln -s /usr/bin/qemu-system-x86_64 "$D/qemu-7.2.22"
      else
        STEP="fetching qemu-system-x86=$ver (the installed qemu-system-x86_64 is not 7.2.22)"
        say "$STEP"
        LOG=$D/logs/bookworm-7.2.22.log; : >"$LOG"
        unpack_bookworm 7.2.22 "$ver" bookworm-7.2.22
      fi
      ;;
    7.2.18)
      ensure_system_qemu  # its shared libraries and firmware
      STEP="downloading qemu-system-x86=$ver"
      t=$(now)
      LOG=$D/logs/bookworm-$up.log; : >"$LOG"
      unpack_bookworm "$up" "$ver" "bookworm-$up"
      ;;
    *)
      trixie_apt
      t=$(now)
      get_trixie "$ver" "$suite"
      ;;
  esac
  STEP="checking qemu-$up --version"
  line=$(version_ok "$D/qemu-$up" "$up") \
    || die "$STEP: $D/qemu-$up --version printed '$(timeout 20 "$D/qemu-$up" --version 2>&1 | head -n 1)', expected 'QEMU emulator version $up (...)'"
  timed "qemu-$up (fetched)" "$t"
}

build 7.2.22 "$V7222"
build 7.2.18 "$V7218"
build 10.0.2 "$V1002" trixie-security
build 10.0.13 "$V10013" "trixie (or trixie-security)"
rm -rf "$TA"/cache/archives/*.deb "$TA"/cache/*.bin 2>/dev/null || true

echo
say "step timings:"
printf '  %s\n' "${TIMES[@]}"
printf '  %-44s %7s s\n' "total" "$(secs "$T_ALL")"
echo
say "builds in $D:"
for up in 7.2.18 7.2.22 10.0.2 10.0.13; do
  printf '  %-13s %s\n' "qemu-$up" "$(version_ok "$D/qemu-$up" "$up")"
done
