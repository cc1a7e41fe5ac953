#!/usr/bin/env bash
# make qemu-check: run e1kfuzz's C qtests inside QEMU's own tree, against every exact build.
#
# The exporter writes the regression tests as one `git format-patch`-style patch per QEMU source
# tree (a new tests/qtest/e1000e-e1kfuzz-test.c plus its line in tests/qtest/meson.build), the
# form a maintainer would send upstream. This script proves each patch where it would land: it
# runs the tree's own scripts/checkpatch.pl on it (--no-signoff: signing off is the sender's),
# applies it to the cached Debian source tree of `make qemu-src` (scripts/build-qemu-src.sh),
# builds the test binary with that tree's own meson/ninja build (incremental; a changed meson.build
# makes ninja regenerate once), compiles each C file of the patch once more with QEMU's own
# warning flags plus -Werror (the trees are configured with --disable-werror), restores the tree,
# then runs every test of the binary, each in its own process (`-p PATH`, with a timeout: a QEMU
# that aborts takes the test binary down) against each exact build of that tree, with
# QTEST_QEMU_BINARY and E1KFUZZ_KNOWN_BUGS=1 (tests of bugs still present in the newest release
# run instead of skipping), and prints a test x build table: PASS, FAIL (aborted) when QEMU died,
# FAIL (assertion) when the test failed, FAIL (timeout), SKIP, or - (not in that tree's patch).
#
# Usage: scripts/qemu-check.sh [--cache DIR] [--timeout SECONDS] PATCH...
#
# Each patch names its tree in its notes (after the `---` line, which `git am` drops):
#   e1kfuzz-tree: bookworm (Debian qemu 7.2+dfsg-7+deb12u18, QEMU 7.2.22)
# and may state expected outcomes, one line per test (its last path component), by build; a
# build not named takes `*`; PASS, FAIL (any), ABORT (QEMU aborted) or SKIP:
#   e1kfuzz-expect: seed-race qemu-7.2.0=ABORT *=PASS
# A cell that contradicts its expectation is marked `!` and makes the exit status 1.
#
# The source trees are shared with build-qemu-src.sh and patched in place, under the same lock
# (<cache>/.qemu-src-<suite>.lock); the patched files are restored on every exit path (a journal,
# b/e1kfuzz-qemu-check.applied, lets the next run repair a tree left patched by a SIGKILL). The
# restored files are touched, so the next ninja in that tree regenerates once more.
#
# QEMU needs a BIOS file even under qtest (no CPU runs): the exact builds get `-L` to a folder
# with a halt-only bios-256k.bin (and efi-e1000e.rom when /usr/lib/ipxe/qemu has it), through a
# wrapper named qemu-system-x86_64 (libqtest takes the architecture from the binary's name).
#
# Exit status: 0 (also when no tree or exact build is cached: skipped, with a message), 1 when a
# patch has checkpatch errors, does not apply or build, a -Werror compile fails, a test binary
# does not list its tests, or an expectation is not met; 2 for a usage error.
# Logs: <cache>/logs/qemu-check/ (the build of each tree, one file per test run).
# Environment: E1KFUZZ_QEMU_DIR (the cache folder, as for build-qemu-src.sh).
set -euo pipefail

D=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}
TIMEOUT=60
JOBS=2
KNOWN=(qemu-7.2.0 qemu-7.2.20 qemu-8.1 qemu-10.2 fix-v1 fix-mode-switch fix-throttle)

say() { printf 'qemu-check: %s\n' "$*"; }
usage() { echo "usage: scripts/qemu-check.sh [--cache DIR] [--timeout SECONDS] PATCH..." >&2; exit 2; }
now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
  case $1 in
    --cache) [ $# -ge 2 ] || usage; D=$2; shift 2 ;;
    --timeout) if [ $# -lt 2 ] || [[ ! $2 =~ ^[0-9]+$ ]]; then usage; fi; TIMEOUT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "qemu-check: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || usage
for p in "$@"; do [ -r "$p" ] || { echo "qemu-check: no such patch: $p" >&2; exit 2; }; done

if [ ! -d "$D" ]; then say "skipped: no QEMU cache folder $D (make qemu-src builds it)"; exit 0; fi
D=$(cd "$D" && pwd)

# --- what is cached --------------------------------------------------------------------------
declare -A BUILD_SUITE   # exact build -> suite, from its variant folder's marker
BUILDS=()
for l in "${KNOWN[@]/#/$D/exact-}" "$D"/exact-*; do
  [ -x "$l" ] || continue
  b=${l##*/exact-}
  [ -z "${BUILD_SUITE[$b]:-}" ] || continue
  folder=$(sed -n 's/^# e1kfuzz-build: //p' "$l")
  s=$(sed -n 's/^suite=//p' "$D/$folder/e1kfuzz-build" 2>/dev/null || true)
  if [ -z "$s" ] || [ ! -x "$D/$folder/qemu-system-x86_64" ]; then continue; fi
  BUILD_SUITE[$b]=$s; BUILDS+=("$b")
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qemu-check.XXXXXX")
LOGS=$D/logs/qemu-check
mkdir -p "$LOGS"

# The tree being patched, restored by restore_tree on every exit path. Its journal
# b/e1kfuzz-qemu-check.applied has one line per file of the patch: "created PATH" or "modified
# PATH" (saved first as PATH.e1kfuzz-orig, as build-qemu-src.sh does).
CUR_TREE=
restore_tree() {
  local kind f
  [ -n "$CUR_TREE" ] || return 0
  while read -r kind f; do
    if [ -e "$CUR_TREE/$f.e1kfuzz-orig" ]; then
      mv -f "$CUR_TREE/$f.e1kfuzz-orig" "$CUR_TREE/$f"
      touch "$CUR_TREE/$f"   # newer than what the patched build made: the next ninja redoes it
    elif [ "$kind" = created ]; then
      rm -f "$CUR_TREE/$f"
    fi
  done <"$CUR_TREE/b/e1kfuzz-qemu-check.applied"
  rm -f "$CUR_TREE/b/e1kfuzz-qemu-check.applied"
  CUR_TREE=
}
cleanup() { restore_tree; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# QEMU's data folder for the exact builds: a halt-only BIOS (no CPU runs under qtest).
mkdir -p "$TMP/fw"
head -c 65536 /dev/zero | tr '\0' '\364' >"$TMP/fw/bios-256k.bin"
if [ -r /usr/lib/ipxe/qemu/efi-e1000e.rom ]; then ln -s /usr/lib/ipxe/qemu/efi-e1000e.rom "$TMP/fw/"; fi
wrapper() { # wrapper BUILD: prints the path of its qemu-system-x86_64 wrapper
  local w=$TMP/bin/$1/qemu-system-x86_64
  if [ ! -x "$w" ]; then
    mkdir -p "${w%/*}"
    printf '#!/bin/sh\nexec "%s" -L "%s" "$@"\n' "$D/exact-$1" "$TMP/fw" >"$w"
    chmod +x "$w"
  fi
  printf '%s' "$w"
}

# --- results ---------------------------------------------------------------------------------
declare -A CELL EXPECT
ROWS=()        # test paths without the architecture, in order of appearance
COLS=()        # exact builds that ran
DETAILS=()
TIMES=()
ERRORS=0
err() { printf 'qemu-check: %s\n' "$*" >&2; ERRORS=$((ERRORS + 1)); }

# Compiles the C files named in $@ (paths in the tree) as compile_commands.json says, plus
# -Werror, into a scratch object; prints the -W flags used once.
werror_compile() {
  python3 - "$@" <<'EOF'
import json, os, shlex, subprocess, sys
db, out, log, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
entries = json.load(open(db))
rc = 0
with open(log, "a") as lf:
    for f in files:
        hits = [e for e in entries
                if os.path.normpath(os.path.join(e["directory"], e["file"])).endswith("/" + f)]
        if not hits:
            print(f"{f}: not in {db} (not compiled by this tree's build?)")
            rc = 1
            continue
        for e in hits:
            args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
            cmd, skip = [], 0
            for a in args:
                if skip:
                    skip -= 1
                elif a in ("-o", "-MQ", "-MF", "-MT"):
                    skip = 1
                elif a not in ("-MD", "-MMD"):
                    cmd.append(a)
            wflags = sorted({a for a in cmd if a.startswith("-W") and not a.startswith("-Wl,")})
            cmd += ["-Werror", "-o", out]
            print(f"{f}: {len(wflags)} warning flags: {' '.join(wflags)}", file=lf)
            print("$ " + shlex.join(cmd), file=lf, flush=True)
            r = subprocess.run(cmd, cwd=e["directory"], stdout=lf, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                print(f"{f}: does not compile with -Werror (see {log})")
                rc = 1
            else:
                print(f"{f}: compiles with QEMU's {len(wflags)} -W flags and -Werror")
sys.exit(rc)
EOF
}

# Runs test PATH of binary BIN on BUILD; sets CELL and DETAILS.
run_one() {
  local bin=$1 path=$2 build=$3 row=${2#/*/} log rc=0 why cell
  log=$LOGS/${build}--${row//\//_}.log
  # (not the subshell's last command, so that its "Aborted" report goes to the log)
  ( cd "$TMP" && TMPDIR=$TMP QTEST_QEMU_BINARY=$(wrapper "$build") E1KFUZZ_KNOWN_BUGS=1 \
      timeout -k 5 "$TIMEOUT" "$bin" --tap -p "$path"; exit $? ) >"$log" 2>&1 || rc=$?
  if [ "$rc" = 0 ] && grep -qE "^ok [0-9]+ .*# SKIP" "$log"; then
    cell=SKIP; why=$(sed -n 's/^ok [0-9]* .*# SKIP *//p' "$log" | head -n 1)
  elif [ "$rc" = 0 ] && grep -qE "^ok [0-9]+ " "$log"; then
    cell=PASS
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    cell="FAIL (timeout)"; why="no result after ${TIMEOUT} s"
  elif grep -qE "detected QEMU death|Broken pipe|encountered exit status|qemu-system-[a-z0-9_]+: .*(Assertion|assertion)" "$log"; then
    cell="FAIL (aborted)"
    why=$(grep -m 1 -E "qemu-system-[a-z0-9_]+: .*[Aa]ssertion" "$log" \
          || grep -m 1 -E "detected QEMU death|encountered exit status|Broken pipe" "$log" || true)
  elif [ "$rc" = 0 ]; then
    cell="FAIL (no result)"; why="exit 0 without a TAP result line"
  else
    cell="FAIL (assertion)"
    why=$(grep -m 1 -E "^(ERROR|Bail out!)|assertion|^not ok" "$log" || echo "exit status $rc")
  fi
  CELL["$row|$build"]=$cell
  if [ "$cell" != PASS ]; then DETAILS+=("$row on $build: ${why:-see log}  [$log]"); fi
}

# Checks one patch against its tree: apply, build, -Werror, restore, run.
check_patch() {
  local patch=$1 suite tree files=() created=() cfiles=() targets=() f t lockfd tb bins=() b path
  local pyp='' t_lock t_apply t_regen t_build t_werror t_run runs=0 regen_note
  patch=$(cd "$(dirname "$patch")" && pwd)/$(basename "$patch")
  suite=$(sed -n 's/^e1kfuzz-tree: *\([A-Za-z0-9_-]*\).*/\1/p' "$patch" | head -n 1)
  if [ -z "$suite" ]; then err "$patch names no tree (a line 'e1kfuzz-tree: bookworm|trixie ...' after '---')"; return; fi
  tree=
  for f in "$D/src-$suite-"*; do   # the newest built one, as build-qemu-src.sh picks it offline
    if [ -e "$f/b/e1kfuzz-pristine" ] && [[ $f != *.tmp ]]; then tree=$f; fi
  done
  if [ -z "$tree" ]; then
    say "skipped $suite ($(basename "$patch")): no built $suite source tree in $D (make qemu-src builds it)"
    return
  fi
  local mine=()
  for b in "${BUILDS[@]}"; do [ "${BUILD_SUITE[$b]}" = "$suite" ] && mine+=("$b"); done
  if [ ${#mine[@]} -eq 0 ]; then
    say "skipped $suite ($(basename "$patch")): no exact build of the $suite tree in $D (make qemu-src builds them)"
    return
  fi
  say "$suite: $(basename "$patch") on ${tree##*/} (QEMU $(cat "$tree/VERSION")), builds: ${mine[*]}"
  if [ -d "$tree/.meson" ]; then pyp=$tree/.meson/usr/lib/python3/dist-packages; fi

  # expectations
  local w
  while read -r -a w; do
    for f in "${w[@]:1}"; do EXPECT["$suite|${w[0]}|${f%%=*}"]=${f#*=}; done
  done < <(sed -n 's/^e1kfuzz-expect: *//p' "$patch")

  mapfile -t files < <(sed -n 's/^+++ b\/\([^[:space:]]*\).*/\1/p' "$patch")
  mapfile -t created < <(awk '/^--- \/dev\/null/ { n = 1; next } n && /^\+\+\+ b\// { sub(/^\+\+\+ b\//, ""); print } { n = 0 }' "$patch")
  for f in "${files[@]}"; do case $f in *.c) cfiles+=("$f") ;; esac; done
  for f in "${created[@]}"; do case $f in tests/qtest/*-test.c) targets+=("${f%.c}") ;; esac; done
  if [ ${#targets[@]} -eq 0 ]; then err "$suite: $(basename "$patch") creates no tests/qtest/*-test.c"; return; fi

  # QEMU's own style check, as for a patch sent to qemu-devel (Signed-off-by is the sender's to add)
  local cp_out t_cp
  t=$(now)
  if cp_out=$(cd "$tree" && perl scripts/checkpatch.pl --no-tree --no-signoff "$patch" 2>&1); then
    say "$suite: checkpatch.pl: $(grep -m 1 '^total:' <<<"$cp_out")"
  else
    err "$suite: checkpatch.pl finds errors in $(basename "$patch"):"
    sed -n '/^\(ERROR\|WARNING\|total\):/,/^$/p' <<<"$cp_out" | sed 's/^/    /' >&2
  fi
  t_cp=$(secs "$t")

  t=$(now)
  exec {lockfd}>"$D/.qemu-src-$suite.lock"
  if ! flock -w 3600 "$lockfd"; then err "$suite: the tree stayed locked for 60 min ($D/.qemu-src-$suite.lock)"; exec {lockfd}>&-; return; fi
  t_lock=$(secs "$t")

  # a tree left patched by a killed run
  if [ -e "$tree/b/e1kfuzz-qemu-check.applied" ]; then
    say "$suite: restoring the files a previous run left patched"
    CUR_TREE=$tree; restore_tree
  fi

  t=$(now)
  local log=$LOGS/$suite-build.log
  : >"$log"
  if ! GIT_CEILING_DIRECTORIES=$D git -C "$tree" apply --check "$patch" >>"$log" 2>&1; then
    err "$suite: git apply --check: $(basename "$patch") does not apply to ${tree##*/}: $(tail -n 3 "$log" | tr '\n' ' ')"
    exec {lockfd}>&-; return
  fi
  say "$suite: git apply --check: applies"
  local journal=()
  for f in "${files[@]}"; do
    if [ -e "$tree/$f" ]; then cp -p "$tree/$f" "$tree/$f.e1kfuzz-orig"; journal+=("modified $f"); else journal+=("created $f"); fi
  done
  printf '%s\n' "${journal[@]}" >"$tree/b/e1kfuzz-qemu-check.applied"
  CUR_TREE=$tree
  GIT_CEILING_DIRECTORIES=$D git -C "$tree" apply "$patch" >>"$log" 2>&1
  t_apply=$(secs "$t")

  local ok=1
  t=$(now)
  if ! ( cd "$tree/b" && PYTHONPATH=$pyp ninja build.ninja ) >>"$log" 2>&1; then
    err "$suite: meson failed to regenerate the build files (see $log)"; ok=0
  fi
  t_regen=$(secs "$t")
  if grep -q 'Regenerating build files' "$log"; then regen_note="meson regen"; else regen_note="meson regen (none needed)"; fi
  t=$(now)
  t_build=0.0
  if [ "$ok" = 1 ]; then
    if ( cd "$tree/b" && PYTHONPATH=$pyp ninja -j"$JOBS" "${targets[@]}" ) >"$TMP/ninja.out" 2>&1; then
      cat "$TMP/ninja.out" >>"$log"
      say "$suite: built ${targets[*]} ($(grep -c '^\[' "$TMP/ninja.out" || true) ninja steps)"
    else
      cat "$TMP/ninja.out" >>"$log"
      err "$suite: ninja ${targets[*]} failed: $(grep -m 3 -E 'error|unknown target' "$log" | tr '\n' ' ')(see $log)"; ok=0
    fi
    t_build=$(secs "$t")
  fi
  t=$(now)
  t_werror=0.0
  if [ "$ok" = 1 ] && [ ${#cfiles[@]} -gt 0 ]; then
    if ! werror_compile "$tree/b/compile_commands.json" "$TMP/werror.o" "$log" "${cfiles[@]}" | sed "s/^/qemu-check: $suite: /"; then
      err "$suite: a C file of the patch does not compile with -Werror (see $log)"
    fi
    t_werror=$(secs "$t")
  fi
  mkdir -p "$TMP/$suite"
  if [ "$ok" = 1 ]; then
    for f in "${targets[@]}"; do cp "$tree/b/$f" "$TMP/$suite/"; bins+=("$TMP/$suite/${f##*/}"); done
  fi
  restore_tree
  exec {lockfd}>&-
  say "$suite: tree restored"
  TIMES+=("$(printf '%-9s checkpatch %s s, lock wait %s s, apply %s s, %s %s s, build %s s, -Werror compile %s s' \
    "$suite:" "$t_cp" "$t_lock" "$t_apply" "$regen_note" "$t_regen" "$t_build" "$t_werror")")
  [ "$ok" = 1 ] || return

  t=$(now)
  for tb in "${bins[@]}"; do
    local paths=()
    mapfile -t paths < <(cd "$TMP" && QTEST_QEMU_BINARY=$(wrapper "${mine[0]}") "$tb" -l 2>>"$log" | grep '^/' || true)
    if [ ${#paths[@]} -eq 0 ]; then err "$suite: ${tb##*/} -l lists no test (see $log)"; continue; fi
    for b in "${mine[@]}"; do
      case " ${COLS[*]} " in *" $b "*) ;; *) COLS+=("$b") ;; esac
      for path in "${paths[@]}"; do
        local row=${path#/*/}
        case " ${ROWS[*]} " in *" $row "*) ;; *) ROWS+=("$row") ;; esac
        run_one "$tb" "$path" "$b"
        runs=$((runs + 1))
      done
    done
  done
  t_run=$(secs "$t")
  TIMES+=("$(printf '%-9s %d test runs in %s s (timeout %s s each)' "$suite:" "$runs" "$t_run" "$TIMEOUT")")
}

T0=$(now)
for p in "$@"; do check_patch "$p"; done

if [ ${#ROWS[@]} -eq 0 ]; then
  if [ "$ERRORS" -gt 0 ]; then say "FAILED: $ERRORS problem(s) above"; exit 1; fi
  say "skipped: nothing to run (no cached tree with exact builds for the patches given)"
  exit 0
fi

# --- the table -------------------------------------------------------------------------------
MISMATCH=()
matches() { # matches EXPECTED CELL
  case $1 in
    PASS) [ "$2" = PASS ] ;;
    SKIP) [ "$2" = SKIP ] ;;
    FAIL) [[ $2 == FAIL* ]] ;;
    ABORT) [ "$2" = "FAIL (aborted)" ] ;;
    *) return 1 ;;
  esac
}
for row in "${ROWS[@]}"; do
  for b in "${COLS[@]}"; do
    c=${CELL["$row|$b"]:-}
    [ -n "$c" ] || { CELL["$row|$b"]="-"; continue; }
    s=${BUILD_SUITE[$b]}; name=${row##*/}
    e=${EXPECT["$s|$name|$b"]:-${EXPECT["$s|$name|*"]:-}}
    if [ -n "$e" ] && ! matches "$e" "$c"; then
      CELL["$row|$b"]="$c !"; MISMATCH+=("$row on $b: expected $e, got $c")
    fi
  done
done
w0=4; for row in "${ROWS[@]}"; do [ ${#row} -le "$w0" ] || w0=${#row}; done
declare -A W
for b in "${COLS[@]}"; do
  W[$b]=${#b}
  for row in "${ROWS[@]}"; do c=${CELL["$row|$b"]}; [ ${#c} -le "${W[$b]}" ] || W[$b]=${#c}; done
done
echo
say "results (E1KFUZZ_KNOWN_BUGS=1; exact builds in $D)"
line=$(printf "%-${w0}s" test); for b in "${COLS[@]}"; do line+=$(printf "  %-${W[$b]}s" "$b"); done; echo "${line%"${line##*[! ]}"}"
line=$(printf "%-${w0}s" "" | tr ' ' '-'); for b in "${COLS[@]}"; do line+="  "$(printf "%-${W[$b]}s" "" | tr ' ' '-'); done; echo "$line"
for row in "${ROWS[@]}"; do
  line=$(printf "%-${w0}s" "$row"); for b in "${COLS[@]}"; do line+=$(printf "  %-${W[$b]}s" "${CELL["$row|$b"]}"); done; echo "${line%"${line##*[! ]}"}"
done
if [ ${#DETAILS[@]} -gt 0 ]; then echo; say "why:"; printf '  %s\n' "${DETAILS[@]}"; fi
if [ ${#MISMATCH[@]} -gt 0 ]; then echo; say "not as the patch expects:"; printf '  %s\n' "${MISMATCH[@]}"; fi
echo
say "times:"
printf '  %s\n' "${TIMES[@]}"
printf '  %-9s %s s\n' "total:" "$(secs "$T0")"
say "logs in $LOGS"
if [ "$ERRORS" -gt 0 ] || [ ${#MISMATCH[@]} -gt 0 ]; then
  say "FAILED: $ERRORS problem(s) above, ${#MISMATCH[@]} outcome(s) not as expected"
  exit 1
fi
exit 0
