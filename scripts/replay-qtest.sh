#!/usr/bin/env bash
# Feeds a qtest script exported by `e1kfuzz export --to qtest` into QEMU and says what QEMU did.
#
#   scripts/replay-qtest.sh SCRIPT.qtest [QEMU]
#
# QEMU is a path to qemu-system-x86_64 (or to a launcher that takes its arguments), or a name: a
# launcher in the cache folder ($E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu), such as
# exact-qemu-7.2.0 or qemu-7.2.18, else a command on PATH. Default: qemu-system-x86_64 on PATH.
#
# Time: a build with the qtest accelerator (the exact builds of `make qemu-src`, an upstream build
# tree) runs with -accel qtest, and each '#!sleep S' line becomes 'clock_step NS', exactly S
# seconds of virtual time, without sleeping. `-accel help` never lists qtest, so the script asks the
# build for a clock step to find out. Otherwise QEMU runs with -accel tcg: its virtual clock follows
# the host's, and '#!sleep S' is a real sleep, started once QEMU has answered the commands before
# it (the commands between two sleeps are sent in one go).
#
# Exit codes, suitable for `git bisect run scripts/replay-qtest.sh x.qtest build/qemu-system-x86_64`:
#     0  QEMU survived the script: the bug does not reproduce ("good")
#     1  QEMU aborted (SIGABRT, e.g. a failed assertion): the bug reproduces ("bad")
#   125  QEMU could not run the script ("skip"): not found, failed to start (e.g. no usable
#        accelerator), refused a command (a FAIL reply), stopped answering, exited on its own or was
#        killed by another signal
#   255  usage error: bad arguments, or a script that cannot be read, has a malformed '#!sleep'
#        line or a command QEMU's qtest cannot parse (its own qtest.c assertion, not the device's)
#        (stops `git bisect run`, which treats any code above 127 as "abort")
# It prints one line saying what QEMU did ("QEMU aborted: <assertion>", "QEMU survived the
# script", "QEMU failed to start: <its stderr>", "QEMU exited with code N: ..."), with details.
set -u

usage() { printf 'replay-qtest: %s\nusage: scripts/replay-qtest.sh SCRIPT.qtest [QEMU]\n' "$1" >&2; exit 255; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage "expected a script and optionally a QEMU, got $# arguments"; fi
script=$1
qemu_arg=${2:-qemu-system-x86_64}
if ! [ -f "$script" ] || ! [ -r "$script" ]; then usage "$script: not a readable file"; fi
cache=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}

verdict() { # verdict CODE LINE [DETAIL...]: prints what QEMU did and exits with CODE
  local code=$1 meaning
  shift
  printf '%s\n' "$1"
  shift
  [ $# -eq 0 ] || printf '  %s\n' "$@"
  case $code in
    0) meaning="QEMU survived: the bug does not reproduce" ;;
    1) meaning="QEMU aborted: the bug reproduces" ;;
    255) meaning="a malformed script (git bisect: abort)" ;;
    *) meaning="QEMU could not run the script (git bisect: skip)" ;;
  esac
  printf 'replay-qtest: exit %s (%s)\n' "$code" "$meaning"
  exit "$code"
}

# --- the QEMU to run ----------------------------------------------------------------------------
case $qemu_arg in
  */*) qemu=$qemu_arg ;;
  *) if [ -f "$cache/$qemu_arg" ] && [ -x "$cache/$qemu_arg" ]; then
       qemu=$cache/$qemu_arg
     else
       qemu=$(command -v -- "$qemu_arg" 2>/dev/null) || qemu=
       [ -n "$qemu" ] || verdict 125 "QEMU not found: '$qemu_arg' is neither a launcher in $cache nor a command on PATH"
     fi ;;
esac
if ! [ -f "$qemu" ] || ! [ -x "$qemu" ]; then verdict 125 "QEMU not found: $qemu is not an executable file"; fi

# --- the script: commands, and the line each comes from ------------------------------------------
# kind[i] is cmd or sleep; text[i] the command, or the sleep in seconds; ns[i] the sleep in ns.
kind=() text=() ns=() lineno=()
n=0 sleep_ns=0 ln=0
while IFS= read -r line || [ -n "$line" ]; do
  ln=$((ln + 1))
  line=${line%$'\r'}
  case $line in
    '#!sleep '*)
      s=${line#'#!sleep '}
      s=${s//[[:space:]]/}
      [[ $s =~ ^([0-9]+)(\.([0-9]*))?$ ]] || usage "$script:$ln: '#!sleep' wants seconds (e.g. 0.067107840), got '$line'"
      int=${BASH_REMATCH[1]} frac=${BASH_REMATCH[3]}
      [[ $frac =~ ^([0-9]{0,9})(0*)$ ]] || usage "$script:$ln: '$line' is not a whole number of nanoseconds"
      frac=${BASH_REMATCH[1]}000000000
      [ ${#int} -le 9 ] || usage "$script:$ln: '$line' is too long a sleep"
      kind[n]=sleep text[n]=$s ns[n]=$((10#$int * 1000000000 + 10#${frac:0:9})) lineno[n]=$ln
      sleep_ns=$((sleep_ns + ns[n]))
      n=$((n + 1)) ;;
    '#'* | '') ;;
    *) kind[n]=cmd text[n]=$line ns[n]=0 lineno[n]=$ln; n=$((n + 1)) ;;
  esac
done <"$script"
ncmd=0
for ((i = 0; i < n; i++)); do [ "${kind[i]}" = cmd ] && ncmd=$((ncmd + 1)); done
[ "$ncmd" -gt 0 ] || usage "$script: no qtest command in it"

# --- running QEMU without job-control noise -----------------------------------------------------
# QEMU runs behind a wrapper subshell that waits for it and writes its exit status to a file; the
# wrapper's stderr is /dev/null, so bash's "Aborted (core dumped)" goes nowhere, and this shell only
# ever reaps subshells that exit normally. QEMU reads its commands from a FIFO this shell keeps
# open (no end of input: QEMU would complain), written by a feeder subshell.
work=$(mktemp -d "${TMPDIR:-/tmp}/replay-qtest.XXXXXX") || verdict 125 "cannot create a temporary folder"
tag=
wrapper=
feeder=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$feeder" ]; then printf 'stop\n' 1>&"$wake" 2>/dev/null; wait "$feeder" 2>/dev/null; fi
  [ -z "$tag" ] || stop_qemu
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Two FIFOs nobody writes to unasked: reading one with a timeout is a sleep without a child
# process; the other wakes the feeder from its sleeps when QEMU is gone.
mkfifo "$work/tick" "$work/wake" || verdict 125 "cannot create FIFOs in $work"
exec {tick}<>"$work/tick" {wake}<>"$work/wake"
nap() { read -r -t "$1" -u "$tick" _; }   # a sleep without a child process
now_us() { local t=${EPOCHREALTIME//[!0-9]/}; printf '%s' "$((10#$t))"; }

start_qemu() { # start_qemu TAG ARGS...: QEMU's stdin is fd $qin; $work/TAG.{out,err,pid,rc}
  tag=$1
  shift
  mkfifo "$work/$tag.in"
  (
    "$qemu" "$@" <"$work/$tag.in" >"$work/$tag.out" 2>"$work/$tag.err" &
    printf '%s\n' "$!" >"$work/$tag.pid.tmp" && mv "$work/$tag.pid.tmp" "$work/$tag.pid"
    wait "$!"
    printf '%s\n' "$?" >"$work/$tag.rc.tmp" && mv "$work/$tag.rc.tmp" "$work/$tag.rc"
  ) 2>/dev/null &
  wrapper=$!
  exec {qin}>"$work/$tag.in"   # returns once QEMU's side has opened the FIFO
  while [ ! -e "$work/$tag.pid" ] && kill -0 "$wrapper" 2>/dev/null; do nap 0.005; done
  [ -e "$work/$tag.pid" ] || { tag=; verdict 125 "cannot start $qemu (no process)"; }
  qpid=$(<"$work/$tag.pid")
}
exited() { [ -e "$work/$tag.rc" ]; }
stop_qemu() { # kills QEMU if it still runs (SIGTERM, then SIGKILL after 5 s), reaps the wrapper
  local t
  if ! exited; then
    kill "$qpid" 2>/dev/null
    t=$(($(now_us) + 5000000))
    while ! exited && [ "$(now_us)" -lt "$t" ]; do nap 0.01; done
    exited || kill -KILL "$qpid" 2>/dev/null
  fi
  exec {qin}>&-
  wait "$wrapper" 2>/dev/null
  tag=
}
replies() { local c; c=$(grep -cv '^IRQ ' "$work/$tag.out" 2>/dev/null); printf '%s' "${c:-0}"; }
stderr_of() { # the first lines QEMU wrote on stderr, one line
  local e
  e=$(grep -v '^[[:space:]]*$' "$work/$1.err" 2>/dev/null | head -n 3 | tr '\n' ' ')
  e=${e%"${e##*[![:space:]]}"}
  printf '%s' "${e:-(nothing on stderr)}"
}

# --- which accelerator ---------------------------------------------------------------------------
start_qemu probe -machine none -accel qtest -display none -nodefaults -qtest stdio -qtest-log /dev/null
( trap '' PIPE; printf 'clock_step 1\n' >&"$qin" ) 2>/dev/null
t_end=$(($(now_us) + 10000000))
while ! exited && [ "$(replies)" = 0 ] && [ "$(now_us)" -lt "$t_end" ]; do nap 0.01; done
qtest=no
if head -n 1 "$work/probe.out" 2>/dev/null | grep -q '^OK'; then qtest=yes; fi
stop_qemu
if [ $qtest = yes ]; then
  accel=qtest
  how="-accel qtest: exact virtual time, '#!sleep S' becomes 'clock_step NS'"
  for ((i = 0; i < n; i++)); do
    if [ "${kind[i]}" = sleep ]; then
      if [ "${ns[i]}" -gt 0 ]; then kind[i]=cmd text[i]="clock_step ${ns[i]}"; ncmd=$((ncmd + 1)); fi
    fi
  done
else
  accel=tcg
  how="-accel tcg: no qtest accelerator, so '#!sleep S' is a real sleep and time follows the host clock"
fi
echo "replay-qtest: $script on $qemu ($how; $ncmd commands)"

# --- the run -------------------------------------------------------------------------------------
head -c 65536 /dev/zero | tr '\0' '\364' >"$work/halt.bin"   # 0xF4 = HLT: the vCPU stops at reset
start_qemu run -nodefaults -display none -machine q35 -accel "$accel" -bios "$work/halt.bin" \
  -device e1000e,addr=0x2,romfile= -qtest stdio -qtest-log /dev/null
sent=()   # sent[k]: index of the k-th command
for ((i = 0; i < n; i++)); do [ "${kind[i]}" = cmd ] && sent+=("$i"); done
(
  # A sleep starts once QEMU has answered every command before it (as the e1kfuzz backend does):
  # timed from the writes, QEMU's start-up would eat into the first one.
  trap '' PIPE
  nsent=0
  for ((i = 0; i < n; i++)); do
    if [ "${kind[i]}" = cmd ]; then
      printf '%s\n' "${text[i]}" >&"$qin" || exit 0
      nsent=$((nsent + 1))
    else
      polls=0
      while [ "$(replies)" -lt "$nsent" ]; do
        exited && exit 0
        polls=$((polls + 1))
        if read -r -t "$( ((polls < 100)) && echo 0.001 || echo 0.01)" -u "$wake" _; then exit 0; fi
      done
      if read -r -t "${text[i]}" -u "$wake" _; then exit 0; fi   # woken: QEMU is gone
    fi
  done
  : >"$work/fed"
) 2>/dev/null &
feeder=$!

# Everything sent is answered within the sleeps plus 30 s, or QEMU has stopped answering.
t_end=$(($(now_us) + sleep_ns / 1000 + 30000000))
result=
polls=0
while :; do
  if exited; then result=exited; break; fi
  got=$(replies)
  if grep -q '^FAIL' "$work/run.out"; then result=fail; break; fi
  if [ -e "$work/fed" ] && [ "$got" -ge "$ncmd" ]; then result=answered; break; fi
  if [ "$(now_us)" -ge "$t_end" ]; then result=silent; break; fi
  polls=$((polls + 1))
  if [ $polls -lt 200 ]; then nap 0.01; else nap 0.05; fi
done
if [ $result = answered ]; then
  # Under TCG a timer due at the very end of the last sleep may fire a little late in real time;
  # under qtest a timer due at the instant of the last command runs right after it.
  if [ $accel = tcg ]; then t_end=$(($(now_us) + 500000)); else t_end=$(($(now_us) + 50000)); fi
  while ! exited && [ "$(now_us)" -lt "$t_end" ]; do nap 0.01; done
  if exited; then result=exited; fi
fi
printf 'stop\n' >&"$wake"
wait "$feeder" 2>/dev/null
feeder=
got=$(replies)
where=("no command answered")
if [ "$got" -gt 0 ]; then
  k=$((got < ${#sent[@]} ? got - 1 : ${#sent[@]} - 1))
  where=("last command answered: $script:${lineno[sent[k]]}: ${text[sent[k]]}")
fi
if [ "$got" -lt "${#sent[@]}" ]; then
  where+=("next command:          $script:${lineno[sent[got]]}: ${text[sent[got]]}")
fi
rc=
if [ $result = exited ]; then rc=$(<"$work/run.rc"); fi
err=$(stderr_of run)
if grep -q '^FAIL' "$work/run.out"; then   # whatever happened next, the script did not run as written
  k=$(grep -v '^IRQ ' "$work/run.out" | grep -n '^FAIL' | head -n 1 | cut -d: -f1)
  i=${sent[k - 1]}
  stop_qemu
  verdict 125 "QEMU refused a command: $script:${lineno[i]}: ${text[i]}: $(grep -m 1 '^FAIL' "$work/run.out")"
fi
case $result in
  silent)
    stop_qemu
    verdict 125 "QEMU stopped answering: $got of $ncmd commands answered after $((sleep_ns / 1000000000 + 30)) s" "${where[@]}" ;;
  answered)
    stop_qemu
    verdict 0 "QEMU survived the script ($got commands answered)" ;;
esac
stop_qemu
if [ "$rc" = 134 ] && grep -q 'qtest\.c:[0-9]*:.*assertion failed' "$work/run.err"; then
  # QEMU's qtest protocol itself asserted on a command it could not parse: the script is malformed.
  verdict 255 "malformed script: QEMU's qtest rejected a command: $(grep -m 1 'qtest\.c' "$work/run.err")" "${where[@]}"
elif [ "$rc" = 134 ]; then
  a=$(grep -m 1 'Assertion' "$work/run.err")
  [ -n "$a" ] || a=$err
  verdict 1 "QEMU aborted: $a" "${where[@]}"
elif [ "$rc" -gt 128 ]; then
  sig=$(kill -l "$((rc - 128))" 2>/dev/null || echo "?")
  verdict 125 "QEMU was killed by signal $((rc - 128)) (SIG$sig), not an abort: $err" "${where[@]}"
elif [ "$got" = 0 ]; then
  if [ $qtest = no ]; then
    err="$err (and it has no qtest accelerator: $(stderr_of probe))"
  fi
  verdict 125 "QEMU failed to start: $err"
else
  verdict 125 "QEMU exited with code $rc before the end of the script: $err" "${where[@]}"
fi
