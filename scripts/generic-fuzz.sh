#!/usr/bin/env bash
# make generic-fuzz: QEMU's own device fuzzer (generic-fuzz, libFuzzer) on the e1000e next to
# e1kfuzz, measured as the time to the seed assert (assert:collect-delayed-causes) per seed.
# A benchmark, not a test: nothing in .ci/run or `make test` calls it.
#
#   scripts/generic-fuzz.sh [--seeds 1,2,3,4,5] [--cap SECONDS] [--e1k-time 30s] [--out DIR]
#                           [--build-only] [--no-e1kfuzz] [--no-generic] [--stones DIR]
#
# Build (once, into the cache folder $E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu):
#   the Debian 13 source tree of `make qemu-src` (src-trixie-<version>, built by
#   scripts/build-qemu-src.sh qemu-8.1 if absent) is copied without its build folder into
#   fuzz-src-trixie-<version>/ (the cached tree is never touched: other tools patch it in place under
#   its lock, so the copy is taken under that lock), qemu-patches/qemu-8.1.patch is applied to the copy
#   (it puts the seed's assert back into e1000e_intmgr_collect_delayed_causes), and
#   qemu-fuzz-i386 is configured with --enable-fuzzing and built with Debian's clang and its
#   libFuzzer runtime (libclang-rt-N-dev), i386 only, no TCG, no UI, no tools.
# Run, per seed: qemu-fuzz-i386 --fuzz-target=generic-fuzz-e1000e -seed=S -max_total_time=CAP on
#   an empty corpus, one process (libFuzzer stops at the first crash). The time is the process's
#   wall time, QEMU's start included; the crash is named by the assertion line it printed. Then the
#   corpus it kept is replayed once with -print_coverage=1 to show how far it got along the seed
#   race (TX tail write, delay timer expiry, MSI-X config write, MSI-X message; --stones DIR does
#   only this, for the generic-seed-* folders of an earlier --out DIR).
# Next to it, e1kfuzz on the same seed (one thread):
#   1. `e1kfuzz fuzz --variant qemu-8.1 --seed S --time E1K_TIME --jobs 1` gives the run index of
#      each signature's first finding (the CLI prints runs, not times);
#   2. the model time: wall time of `fuzz ... --runs RUN+1 --no-confirm`, a campaign that stops
#      right after that run (JVM start, generation, shrinking and writing the file included);
#   3. the confirmation: wall time of `replay FILE --backend qemu --qemu exact-qemu-8.1` (exit 0:
#      the exact build aborts with the assert the file expects).
# Output: a table on stdout, the logs and results.tsv in --out (default target/generic-fuzz/<UTC>).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
D=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}
PATCH=$ROOT/qemu-patches/qemu-8.1.patch
SEEDS=(1 2 3 4 5)
CAP=480
E1K_TIME=30s
OUT=
BUILD_ONLY=no
STONES_DIR=
RUN_E1K=yes
RUN_GENERIC=yes
# Debian's own firmware path (debian/rules): the +ds source ships no BIOS or option ROMs, and
# generic-fuzz-e1000e boots q35 with the e1000e's default romfile, so QEMU must find Debian's.
FIRMWAREPATH=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
CONFIGURE=(--target-list=i386-softmmu --enable-fuzzing --disable-tcg --disable-docs --disable-werror
           --disable-gtk --disable-sdl --disable-vnc --disable-opengl --disable-spice --disable-tools
           --disable-guest-agent --disable-user --disable-install-blobs --disable-xen
           "--firmwarepath=$FIRMWAREPATH")

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
say() { printf 'generic-fuzz: %s\n' "$*" >&2; }
die() { printf 'generic-fuzz: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
  case $1 in
    --seeds) IFS=', ' read -r -a SEEDS <<<"${2:?}"; shift 2 ;;
    --cap) CAP=${2:?}; shift 2 ;;
    --e1k-time) E1K_TIME=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --build-only) BUILD_ONLY=yes; shift ;;
    --no-e1kfuzz) RUN_E1K=no; shift ;;
    --no-generic) RUN_GENERIC=no; shift ;;
    --stones) STONES_DIR=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "generic-fuzz: unknown option '$1'" >&2; usage ;;
  esac
done
[[ $CAP =~ ^[0-9]+$ ]] || die "--cap takes whole seconds, got '$CAP'"
for s in "${SEEDS[@]}"; do [[ $s =~ ^[0-9]+$ ]] || die "--seeds takes numbers, got '$s'"; done
mkdir -p "$D/logs"
D=$(cd "$D" && pwd)

# --- the fuzz build ------------------------------------------------------------------------------
apt_install() { # apt_install PKG...: Debian packages, only when missing
  local p missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "needs root to install ${missing[*]} (or: apt-get install ${missing[*]})"
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -q install -y "${missing[@]}" >>"$D/logs/generic-fuzz-deps.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get -q update >>"$D/logs/generic-fuzz-deps.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get -q install -y "${missing[@]}" >>"$D/logs/generic-fuzz-deps.log" 2>&1; } ||
    die "apt-get install ${missing[*]} failed; see $D/logs/generic-fuzz-deps.log"
}

# Debian's clang with its libFuzzer runtime: $CC if set, else `clang`, else the newest clang-N.
pick_clang() {
  local c n probe
  c=${CC:-}
  if [ -z "$c" ]; then
    if command -v clang >/dev/null; then c=clang
    else c=$(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true); fi
  fi
  if [ -z "$c" ]; then apt_install clang; c=clang; fi
  n=$("$c" -dumpversion | cut -d. -f1)
  probe=$(mktemp -d)
  printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$probe/p.c"
  if ! "$c" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
    apt_install "libclang-rt-$n-dev"   # bookworm and trixie ship libclang_rt.fuzzer here
    "$c" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 ||
      { rm -rf "$probe"; die "$c cannot link -fsanitize=fuzzer even with libclang-rt-$n-dev"; }
  fi
  rm -rf "$probe"
  CLANG=$c
  CLANGXX=${CXX:-${c/clang/clang++}}
  command -v "$CLANGXX" >/dev/null || die "no C++ compiler $CLANGXX next to $CLANG"
}

tree_of() { # the newest built Debian 13 tree of make qemu-src
  local t
  for t in "$D"/src-trixie-*/b/e1kfuzz-pristine; do
    [ -e "$t" ] && t=${t%/b/e1kfuzz-pristine} && echo "${t##*/}"
  done | sort -V | tail -n 1
}

build_fuzzer() {
  local tree ver hash F t lock log el
  tree=$(tree_of)
  if [ -z "$tree" ] || [ ! -x "$D/exact-qemu-8.1" ]; then
    # The same tree gives the exact build that confirms e1kfuzz's findings.
    say "no Debian 13 tree or exact-qemu-8.1 in $D: running scripts/build-qemu-src.sh qemu-8.1"
    "$ROOT/scripts/build-qemu-src.sh" qemu-8.1 >&2
    tree=$(tree_of)
    [ -n "$tree" ] || die "scripts/build-qemu-src.sh left no src-trixie-* tree in $D"
  fi
  ver=${tree#src-trixie-}
  hash=$(sha256sum "$PATCH" | cut -c1-12)
  F=$D/fuzz-src-trixie-$ver
  # The binary runs from bin/, not b/: next to b/qemu-bundle QEMU relocates every firmware path
  # into the bundle, which holds no firmware (the +ds source has none), and q35 finds no BIOS.
  BIN=$F/bin/qemu-fuzz-i386
  if [ -x "$F/b/qemu-fuzz-i386" ] && grep -qx "patch=$hash" "$F/b/e1kfuzz-fuzz-built" 2>/dev/null; then
    [ -x "$BIN" ] || { mkdir -p "$F/bin" && cp "$F/b/qemu-fuzz-i386" "$BIN"; }
    say "fuzz build there: $BIN ($(sed -n 's/^build_seconds=//p' "$F/b/e1kfuzz-fuzz-built") s to build)"
    return 0
  fi
  apt_install ninja-build pkg-config flex bison libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev \
    seabios ipxe-qemu
  pick_clang
  if ! grep -qx "patch=$hash" "$F/e1kfuzz-fuzz-copy" 2>/dev/null || [ ! -e "$F/b/e1kfuzz-configured" ]; then
    # A fresh copy: none yet, another patch version, or a copy that was never configured.
    rm -rf "$F" "$F.tmp"; mkdir -p "$F.tmp"
    say "copying $D/$tree (without b/) to $F"
    exec {lock}>"$D/.qemu-src-trixie.lock"
    flock -w 3600 "$lock" || die "the trixie tree stayed locked for 60 min ($D/.qemu-src-trixie.lock)"
    tar -C "$D/$tree" --exclude=./b --exclude='*.e1kfuzz-orig' -cf - . | tar -C "$F.tmp" -xf -
    exec {lock}>&-
    patch -d "$F.tmp" -p1 -F0 --no-backup-if-mismatch -s <"$PATCH" || die "$PATCH does not apply to $tree"
    printf 'source=%s\npatch=%s\n' "$tree" "$hash" >"$F.tmp/e1kfuzz-fuzz-copy"
    mv "$F.tmp" "$F"
    mkdir -p "$F/b"
    log=$D/logs/generic-fuzz-configure.log
    say "configuring with $CLANG: ${CONFIGURE[*]} (log $log)"
    t=$(now)
    # trixie's meson (QEMU 10 needs >= 1.5) was unpacked into the tree by build-qemu-src.sh
    (cd "$F/b" && PYTHONPATH=$F/.meson/usr/lib/python3/dist-packages nice -n 10 ../configure \
      --python=/usr/bin/python3 "--cc=$CLANG" "--cxx=$CLANGXX" "${CONFIGURE[@]}") >"$log" 2>&1 ||
      die "configure failed; see $log"
    say "configured in $(since "$t") s"
    touch "$F/b/e1kfuzz-configured"
  fi
  log=$D/logs/generic-fuzz-build.log
  say "building qemu-fuzz-i386 (nice -n 10 ninja -j$(nproc); log $log)"
  t=$(now)
  (cd "$F/b" && PYTHONPATH=$F/.meson/usr/lib/python3/dist-packages nice -n 10 ninja -j"$(nproc)" qemu-fuzz-i386) \
    >"$log" 2>&1 || die "ninja qemu-fuzz-i386 failed; see $log"
  el=$(since "$t")
  mkdir -p "$F/bin" && cp "$F/b/qemu-fuzz-i386" "$BIN"
  printf 'patch=%s\nclang=%s\nbuild_seconds=%s\nbinary_bytes=%s\ntree_bytes=%s\n' "$hash" \
    "$("$CLANG" --version | head -n 1)" "$el" "$(stat -c %s "$BIN")" \
    "$(du -sb "$F" | cut -f1)" >"$F/b/e1kfuzz-fuzz-built"
  say "built $BIN in $el s"
}

# How far a run got along the seed race: edges covered by its kept corpus in the functions it
# has to pass (collect_delayed_causes itself is inlined into e1000e_set_interrupt_cause, so it
# has no line of its own). clang's -O2 inlines static helpers, so these are the callers left.
STONE_FUNCS=(e1000e_set_tdt e1000e_start_xmit e1000e_intrmgr_on_timer msix_write_config e1000e_msix_notify_one)
stones() { # stones SEED_DIR: "func covered/all ..." for STONE_FUNCS
  local dir=$1 f line sym out=
  [ -d "$dir/corpus" ] || { echo "-"; return; }
  # llvm-symbolizer names the covered functions; Debian puts it in /usr/lib/llvm-N/bin only
  sym=$(command -v llvm-symbolizer || printf '%s\n' /usr/lib/llvm-*/bin/llvm-symbolizer | sort -V | tail -n 1)
  (cd "$dir" && PATH=$(dirname "$sym"):$PATH timeout 600 "$BIN" --fuzz-target=generic-fuzz-e1000e -runs=0 -print_coverage=1 corpus) >"$dir/coverage.log" 2>&1 || true
  for f in "${STONE_FUNCS[@]}"; do
    line=$(grep -m1 -E "COVERED_FUNC: .* $f " "$dir/coverage.log" || true)
    out+="$f $(printf '%s' "$line" | grep -oE 'edges: [0-9]+/[0-9]+' | cut -d' ' -f2 || true); "
  done
  printf '%s\n' "${out%; }"
}

BIN=
if [ "$RUN_GENERIC" = yes ] || [ "$BUILD_ONLY" = yes ] || [ -n "$STONES_DIR" ]; then build_fuzzer; fi
if [ -n "$STONES_DIR" ]; then
  for dir in "$STONES_DIR"/generic-seed-*; do printf '%s: %s\n' "${dir##*/}" "$(stones "$dir")"; done
  exit 0
fi
if [ -n "$BIN" ] && [ -e "$(dirname "$BIN")/../b/e1kfuzz-fuzz-built" ]; then
  sed 's/^/  /' "$(dirname "$BIN")/../b/e1kfuzz-fuzz-built" >&2
fi
[ "$BUILD_ONLY" = yes ] && exit 0

OUT=${OUT:-$ROOT/target/generic-fuzz/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
say "output in $OUT; seeds ${SEEDS[*]}; cap ${CAP} s per generic-fuzz run; load: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- generic-fuzz, one process per seed ----------------------------------------------------------
# The crash, in words: the assertion (glibc assert or GLib g_assert) or libFuzzer's own verdict.
crash_of() {
  local log=$1 a
  a=$(grep -m1 -E "Assertion .* failed|assertion failed|ERROR:.*(assert|code should not be reached)|hardware error" "$log" || true)
  if [ -n "$a" ]; then printf '%s' "$a" | sed -E 's/^.*\.\.\/(hw|net|system|util|include)/\1/'; return; fi
  a=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z -]+|ERROR: AddressSanitizer: [a-z-]+' "$log" || true)
  printf '%s' "${a:-crash (no assertion line)}"
}
sig_of() { # e1kfuzz's signature for a QEMU assertion, else "other"
  case $1 in
    *e1000e_intmgr_collect_delayed_causes*) echo assert:collect-delayed-causes ;;
    *e1000e_intrmgr_on_throttling_timer* | *itr*) echo assert:itr-timer ;;
    *) echo other ;;
  esac
}

# The seed race written by hand in generic-fuzz's own input format (commands separated by "FUZZ":
# op 7 DMA pattern 0x89 = a legacy TX descriptor with IDE|RS|EOP; op 3 MMIO writes to BAR 0:
# TDBAL, TDBAH, TDLEN, TIDV = 1, TCTL.EN, TDT = 1; op 5 PCI config write 0x80 to 0xa3 = the MSI-X
# enable bit; op 9 clock_step to the next timer, four times). Run once before the seeds, it shows
# that the assert is reachable through generic-fuzz's operations and that this script's parser
# sees it: what the campaigns below measure is the search, not a gap in the harness.
oracle_check() {
  local dir=$OUT/generic-handwritten t el what
  mkdir -p "$dir"
  python3 -c 'import struct, sys
def w(off, val): return bytes([3, 2, 0, 0, 0]) + struct.pack("<IQ", off, val)   # writel, BAR 0
cmds = [bytes([7, 0, 0, 0x89]), w(0x3800, 0x100000), w(0x3804, 0), w(0x3808, 0x1000), w(0x3820, 1),
        w(0x400, 2), w(0x3818, 1), bytes([5, 0, 0, 0xA3, 0]) + struct.pack("<I", 0x80)] + [bytes([9])] * 4
open(sys.argv[1], "wb").write(b"FUZZ".join(cmds))' "$dir/seed-race.bin"
  t=$(now)
  (cd "$dir" && "$BIN" --fuzz-target=generic-fuzz-e1000e -runs=1 seed-race.bin) >"$dir/log" 2>&1 || true
  el=$(since "$t")
  what="no crash"
  if grep -q 'ERROR: libFuzzer: deadly signal' "$dir/log"; then what=$(crash_of "$dir/log"); fi
  say "hand-written seed race ($(stat -c %s "$dir/seed-race.bin") bytes, 12 commands) on qemu-fuzz-i386: $(sig_of "$what") in $el s: $what"
  ORACLE="$(sig_of "$what"): $what"
}

declare -A G_T G_SIG G_WHAT G_EXECS G_STONES G_COV
ORACLE=-
if [ "$RUN_GENERIC" = yes ]; then
  oracle_check
  for s in "${SEEDS[@]}"; do
    dir=$OUT/generic-seed-$s; rm -rf "$dir"; mkdir -p "$dir/corpus"
    say "generic-fuzz seed $s: up to $CAP s"
    t=$(now)
    rc=0
    # A hung input would otherwise sit for libFuzzer's 1200-s -timeout: kill after cap + 2 min.
    (cd "$dir" && exec timeout -s KILL $((CAP + 120)) "$BIN" --fuzz-target=generic-fuzz-e1000e \
      -seed="$s" -max_total_time="$CAP" -artifact_prefix="$dir/" -print_final_stats=1 corpus) \
      >"$dir/log" 2>&1 || rc=$?
    el=$(since "$t")
    execs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -n 1 | tr -d '#' || true)
    G_EXECS[$s]=${execs:-0}
    G_COV[$s]=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1 | grep -oE 'cov: [0-9]+' | cut -d' ' -f2 || true)
    if compgen -G "$dir/crash-*" >/dev/null || grep -q 'ERROR: libFuzzer: deadly signal' "$dir/log"; then
      G_T[$s]=$el; G_WHAT[$s]=$(crash_of "$dir/log"); G_SIG[$s]=$(sig_of "${G_WHAT[$s]}")
    elif [ "$rc" = 0 ]; then
      G_T[$s]=">$CAP"; G_WHAT[$s]="no crash in $CAP s"; G_SIG[$s]=none
    else
      G_T[$s]=$el; G_WHAT[$s]="exit $rc: $(crash_of "$dir/log")"; G_SIG[$s]=other
    fi
    say "  seed $s: ${G_T[$s]} s, ${G_EXECS[$s]} execs, coverage ${G_COV[$s]:-?} edges, ${G_WHAT[$s]}"
    G_STONES[$s]=$(stones "$dir")
    say "  seed $s: edges covered along the seed race: ${G_STONES[$s]}"
  done
fi

# --- e1kfuzz, the same seeds ---------------------------------------------------------------------
declare -A E_RUN E_MODEL E_CONF E_CONFMSG E_OTHER
json_field() { # json_field FILE SIGNATURE FIELD: that field of the signature's finding
  python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=[x for x in d["findings"] if x["signature"]==sys.argv[2]]
print(f[0][sys.argv[3]] if f else "")' "$@"
}
if [ "$RUN_E1K" = yes ]; then
  [ -f "$ROOT/fuzzer/target/e1kfuzz.jar" ] || make -C "$ROOT" build >&2
  E1K=$ROOT/e1kfuzz
  for s in "${SEEDS[@]}"; do
    dir=$OUT/e1kfuzz-seed-$s; rm -rf "$dir"; mkdir -p "$dir"
    say "e1kfuzz seed $s: --time $E1K_TIME"
    rc=0
    "$E1K" fuzz --variant qemu-8.1 --seed "$s" --time "$E1K_TIME" --jobs 1 --format json \
      --out "$dir/campaign" >"$dir/campaign.json" 2>"$dir/campaign.log" || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || die "e1kfuzz fuzz exited $rc; see $dir/campaign.log"
    E_OTHER[$s]=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s@%d" % (x["signature"], x["run"]) for x in sorted(d["findings"], key=lambda x: x["run"])))' \
      "$dir/campaign.json")
    run=$(json_field "$dir/campaign.json" assert:collect-delayed-causes run)
    if [ -z "$run" ]; then
      E_RUN[$s]=none; E_MODEL[$s]=">$E1K_TIME"; E_CONF[$s]=-; E_CONFMSG[$s]="not found"; continue
    fi
    E_RUN[$s]=$run
    # The model time: a campaign of exactly RUN+1 runs ends right after the first finding.
    t=$(now); rc=0
    "$E1K" fuzz --variant qemu-8.1 --seed "$s" --runs $((run + 1)) --jobs 1 --no-confirm --format json \
      --out "$dir/ttf" >"$dir/ttf.json" 2>"$dir/ttf.log" || rc=$?
    E_MODEL[$s]=$(since "$t")
    # Run r is a function of the seed and r, so the short campaign must find it at the same run.
    if [ "$rc" != 3 ] || [ "$(json_field "$dir/ttf.json" assert:collect-delayed-causes run)" != "$run" ]; then
      say "  seed $s: the --runs $((run + 1)) campaign did not find the assert at run $run (exit $rc); see $dir/ttf.json"
      E_MODEL[$s]="?${E_MODEL[$s]}"; E_CONF[$s]=-; E_CONFMSG[$s]="not reproduced by --runs $((run + 1))"; continue
    fi
    file=$(json_field "$dir/ttf.json" assert:collect-delayed-causes file)
    # The confirmation: the shrunk trace on the exact build, which must abort as the file expects.
    t=$(now); rc=0
    "$E1K" replay "$file" --backend qemu --qemu exact-qemu-8.1 >"$dir/confirm.log" 2>&1 || rc=$?
    E_CONF[$s]=$(since "$t")
    if [ "$rc" = 0 ] && grep -q 'collect-delayed-causes' "$dir/confirm.log"; then
      E_CONFMSG[$s]="exact-qemu-8.1 aborts: assert:collect-delayed-causes"
    else
      E_CONFMSG[$s]="NOT confirmed (replay exit $rc; see $dir/confirm.log)"
    fi
    say "  seed $s: run $run, model ${E_MODEL[$s]} s, confirmation ${E_CONF[$s]} s: ${E_CONFMSG[$s]}"
  done
fi

# --- the table -----------------------------------------------------------------------------------
add() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", a + b; else print "-" }'; }
median() { # median of values where ">X" (censored at the cap) sorts last
  printf '%s\n' "$@" | awk '{ v = $0; c = sub(/^>/, "", v); k[NR] = (c ? 1e18 + v : v); s[NR] = $0 }
    END { n = NR; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (k[j] < k[i]) {
            t = k[i]; k[i] = k[j]; k[j] = t; t = s[i]; s[i] = s[j]; s[j] = t }
          if (n % 2) { print s[(n + 1) / 2]; exit }
          a = s[n / 2]; b = s[n / 2 + 1]
          if (a ~ /^>/ || b ~ /^>/) print b; else printf "%.1f\n", (a + b) / 2 }'
}
{
  printf 'seed\tgeneric_s\tgeneric_execs\tgeneric_signature\tgeneric_crash\te1k_run\te1k_model_s\te1k_confirm_s\te1k_total_s\te1k_confirmation\te1k_findings_in_%s\n' "$E1K_TIME"
  for s in "${SEEDS[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "${G_T[$s]:--}" "${G_EXECS[$s]:--}" \
      "${G_SIG[$s]:--}" "${G_WHAT[$s]:--}" "${E_RUN[$s]:--}" "${E_MODEL[$s]:--}" "${E_CONF[$s]:--}" \
      "$(add "${E_MODEL[$s]:--}" "${E_CONF[$s]:--}")" "${E_CONFMSG[$s]:--}" "${E_OTHER[$s]:--}"
  done
} >"$OUT/results.tsv"

echo
echo "time to assert:collect-delayed-causes (QEMU 10.0.13 + qemu-8.1.patch), seconds of wall time"
printf '%-6s | %-22s %-10s %-32s | %-8s %-8s %-9s %-8s\n' seed "generic-fuzz (cap $CAP)" execs "first crash" \
  "e1k run" "model" "confirm" "total"
G_SEED=(); E_TOT=(); E_M=(); E_C=()
for s in "${SEEDS[@]}"; do
  g=${G_T[$s]:--}
  # generic-fuzz reaches the seed assert only if its first crash is that assert
  if [ "${G_SIG[$s]:-}" != assert:collect-delayed-causes ] && [ "$g" != - ] && [[ $g != '>'* ]]; then g=">$g"; fi
  tot=$(add "${E_MODEL[$s]:--}" "${E_CONF[$s]:--}")
  printf '%-6s | %-22s %-10s %-32.32s | %-8s %-8s %-9s %-8s\n' "$s" "$g" "${G_EXECS[$s]:--}" \
    "${G_SIG[$s]:--}" "${E_RUN[$s]:--}" "${E_MODEL[$s]:--}" "${E_CONF[$s]:--}" "$tot"
  G_SEED+=("$g"); E_TOT+=("$tot"); E_M+=("${E_MODEL[$s]:--}"); E_C+=("${E_CONF[$s]:--}")
done
printf '%-6s | %-22s %-10s %-32s | %-8s %-8s %-9s %-8s\n' median "$(median "${G_SEED[@]}")" "" "" "" \
  "$(median "${E_M[@]}")" "$(median "${E_C[@]}")" "$(median "${E_TOT[@]}")"
echo
echo "generic-fuzz crashes (the first crash ends a libFuzzer run):"
for s in "${SEEDS[@]}"; do printf '  seed %s: %s (libFuzzer coverage %s)\n' "$s" "${G_WHAT[$s]:--}" "${G_COV[$s]:--}"; done
echo "generic-fuzz, the hand-written seed race: $ORACLE"
echo "generic-fuzz: edges its corpus covered along the seed race (function covered/all):"
for s in "${SEEDS[@]}"; do printf '  seed %s: %s\n' "$s" "${G_STONES[$s]:--}"; done
echo "e1kfuzz findings on qemu-8.1 in $E1K_TIME (signature@run):"
for s in "${SEEDS[@]}"; do printf '  seed %s: %s\n' "$s" "${E_OTHER[$s]:--}"; done
echo "results: $OUT/results.tsv"
