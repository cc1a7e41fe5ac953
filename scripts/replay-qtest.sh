#!/bin/bash
# Feed an exported qtest script (e1kfuzz export --to qtest) into QEMU, honouring '#!sleep S'.
# usage: scripts/replay-qtest.sh SCRIPT.qtest [QEMU]   (QEMU defaults to qemu-system-x86_64)
# Prints QEMU's exit code: 134 = SIGABRT (an assertion: the bug), 0/124 = it survived.
set -u
script=$1
qemu=${2:-qemu-system-x86_64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 65536 /dev/zero | tr '\0' '\364' > "$work/halt.bin"   # 0xF4 = HLT
feed() {
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      '#!sleep '*) sleep "${line#\#!sleep }" ;;
      '#'*|'') ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$script"
  sleep 0.2
}
# QEMU keeps running when its input ends: give it the script's sleeps plus 3 s.
limit=$(awk '/^#!sleep /{s+=$2} END{printf "%d", s+3}' "$script")
feed | timeout "$limit" "$qemu" -nodefaults -display none -machine q35 -accel tcg -bios "$work/halt.bin" \
  -device e1000e,addr=0x2,romfile= -qtest stdio -qtest-log /dev/null > "$work/out" 2> "$work/err"
rc=${PIPESTATUS[1]}
grep -h 'Assertion' "$work/err"
echo "exit $rc$( [ $rc = 134 ] && echo ' (SIGABRT: QEMU aborted)')"
exit 0
