#!/bin/bash
# real-guest.sh - boot a real Debian Linux kernel + tiny busybox initramfs under a given
# QEMU build, load the real e1000e driver, flood the NIC with frames from the host and
# exercise one driver path N times (hibernation freeze/thaw, PM-test freeze/restore, or
# driver unbind/bind). Prints one outcome line per run:
#   ABORT <assert text> ...      QEMU died on an assertion (SIGABRT)
#   survived N cycles ...        the guest finished all cycles and powered off
#   ERROR ...                    anything else (timeout, guest did not finish, ...)
#
# usage: real-guest.sh QEMU ACCEL [RUNS]
#   QEMU   path of qemu-system-x86_64 or of an e1kfuzz launcher script
#   ACCEL  tcg | kvm
#   RUNS   number of boots (default 1)
# environment (all optional):
#   E1KFUZZ_GUEST_DIR  cache dir (default ~/.cache/e1kfuzz/guest)
#   KERNEL_PKG         Debian kernel package (default: what linux-image-6.12-amd64 depends on)
#   SCENARIO           hibernate (default: real snapshot, no swap: freeze -> thaw, image write fails)
#                      pmtest-devices | pmtest-platform | pmtest-core (PM test: freeze -> restore)
#                      unbind (driver unbind/bind + link up)
#   CYCLES             cycles per boot (default 20)
#   MODPARAMS          e1000e module parameters, comma separated
#                      (e.g. RxIntDelay=65535,RxAbsIntDelay=65535)
#   RATE               frames/s sent to the guest (default 100000; 0 = no flood)
#   SETTLE_MS          traffic time between cycles in the guest (default 300)
#   CPU                -cpu model (default: max for tcg, host for kvm)
#   SMP, MEM           guest CPUs (default 1) and memory in MiB (default 512)
#   TIMEOUT            seconds per boot (default 600)
#   TRACE              1 (default): keep QEMU e1000e trace lines about RDTR/RADV/ITR/EITR writes,
#                      MSI-X/INTx notifications and delayed causes in the log; 0: no tracing
#   LOGDIR             where logs go (default $E1KFUZZ_GUEST_DIR/logs)
set -euo pipefail

die() { echo "real-guest.sh: error: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' ($2)"; }

[ $# -ge 2 ] || { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
QEMU=$1 ACCEL=$2 RUNS=${3:-1}
[ -x "$QEMU" ] || die "QEMU '$QEMU' is not an executable file"
case $ACCEL in tcg|kvm) ;; *) die "ACCEL must be tcg or kvm, got '$ACCEL'";; esac
[[ $RUNS =~ ^[0-9]+$ ]] || die "RUNS must be a number"

CACHE=${E1KFUZZ_GUEST_DIR:-$HOME/.cache/e1kfuzz/guest}
SCENARIO=${SCENARIO:-hibernate}
CYCLES=${CYCLES:-20}
MODPARAMS=${MODPARAMS:-}
RATE=${RATE:-100000}
SETTLE_MS=${SETTLE_MS:-300}
SMP=${SMP:-1}
MEM=${MEM:-512}
TIMEOUT=${TIMEOUT:-600}
TRACE=${TRACE:-1}
if [ "$ACCEL" = kvm ]; then CPU=${CPU:-host}; else CPU=${CPU:-max}; fi
LOGDIR=${LOGDIR:-$CACHE/logs}
case $SCENARIO in hibernate|pmtest-devices|pmtest-platform|pmtest-core|unbind) ;;
  *) die "unknown SCENARIO '$SCENARIO'";; esac
case $MODPARAMS in *[!A-Za-z0-9=,]*) die "MODPARAMS may only contain A-Za-z0-9=, ('$MODPARAMS')";; esac

for t in apt-get apt-cache dpkg-deb xz cpio gzip python3 timeout awk grep sed strings flock; do
  need "$t" "install it with apt-get"
done
if [ "$ACCEL" = kvm ]; then
  [ -e /dev/kvm ] || die "ACCEL=kvm but /dev/kvm does not exist"
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || die "ACCEL=kvm but /dev/kvm is not read/writable for $(id -un)"
fi
mkdir -p "$CACHE/debs" "$LOGDIR"

# ---------------------------------------------------------------- fetch (cached)
exec 9>"$CACHE/.lock"; flock 9
if [ -z "${KERNEL_PKG:-}" ]; then
  KERNEL_PKG=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  if [ -z "$KERNEL_PKG" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    KERNEL_PKG=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  fi
  [ -n "$KERNEL_PKG" ] || die "cannot resolve linux-image-6.12-amd64 with apt-cache (set KERNEL_PKG)"
fi
fetch_deb() { # $1 package -> path of the .deb in $CACHE/debs
  local f
  f=$(ls "$CACHE/debs/$1"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$f" ]; then
    (cd "$CACHE/debs" && apt-get download "$1" >/dev/null 2>&1) || die "apt-get download $1 failed"
    f=$(ls "$CACHE/debs/$1"_*.deb | head -1)
  fi
  echo "$f"
}
KDEB=$(fetch_deb "$KERNEL_PKG")
BDEB=$(fetch_deb busybox-static)
KROOT=$CACHE/$KERNEL_PKG
if [ ! -f "$KROOT/.ok" ]; then
  rm -rf "$KROOT"; mkdir -p "$KROOT"
  dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$KROOT" --wildcards './boot/vmlinuz-*' \
    './lib/modules/*/kernel/drivers/net/ethernet/intel/e1000e/*' || die "unpacking $KDEB failed"
  touch "$KROOT/.ok"
fi
BROOT=$CACHE/busybox
if [ ! -f "$BROOT/.ok" ]; then
  rm -rf "$BROOT"; mkdir -p "$BROOT"
  dpkg-deb -x "$BDEB" "$BROOT"; touch "$BROOT/.ok"
fi
VMLINUZ=$(ls "$KROOT"/boot/vmlinuz-* | head -1)
KOXZ=$(ls "$KROOT"/lib/modules/*/kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko* | head -1)

# ---------------------------------------------------------------- initramfs
INITRD=$CACHE/initramfs-$KERNEL_PKG.cpio.gz
STAGE=$CACHE/initramfs-stage
if [ ! -f "$INITRD" ] || [ "$0" -nt "$INITRD" ]; then
  rm -rf "$STAGE"; mkdir -p "$STAGE"/{bin,sbin,proc,sys,dev,tmp,etc}
  cp "$BROOT/bin/busybox" "$STAGE/bin/busybox"
  case $KOXZ in *.xz) xz -dc "$KOXZ" >"$STAGE/e1000e.ko";; *.zst) zstd -dc "$KOXZ" >"$STAGE/e1000e.ko";;
    *) cp "$KOXZ" "$STAGE/e1000e.ko";; esac
  # depends= of e1000e.ko must be empty (ptp and pps are built in on Debian's 6.12)
  deps=$(strings "$STAGE/e1000e.ko" 2>/dev/null | sed -n 's/^depends=//p' | head -1 || true)
  [ -z "$deps" ] || die "e1000e.ko depends on '$deps': add those modules to the initramfs"
  cat >"$STAGE/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
up() { read u _ </proc/uptime; echo "$u"; }
log() { echo "E1KFUZZ $(up) $*" >/dev/ttyS0; }
SC=hibernate; N=1; MP=""; SETTLE=300
for w in $(cat /proc/cmdline); do case $w in
  e1kfuzz.scenario=*) SC=${w#*=};; e1kfuzz.cycles=*) N=${w#*=};;
  e1kfuzz.modparams=*) MP=$(echo "${w#*=}" | tr , ' ');; e1kfuzz.settle=*) SETTLE=${w#*=};;
esac; done
log "BOOTED scenario=$SC cycles=$N modparams=[$MP]"
insmod /e1000e.ko $MP || { log "FAIL insmod"; poweroff -f; }
sleep 1
IF=$(ls /sys/bus/pci/drivers/e1000e/*/net 2>/dev/null | head -1)
[ -n "$IF" ] || { log "FAIL no e1000e interface"; poweroff -f; }
DEV=$(basename "$(readlink -f /sys/class/net/$IF/device)")
waitlink() { w=0; while [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" != 1 ] && [ $w -lt 100 ]; do usleep 50000; w=$((w+1)); done; }
ip link set "$IF" up; waitlink
log "READY if=$IF dev=$DEV carrier=$(cat /sys/class/net/$IF/carrier) msix=$(cat /sys/bus/pci/devices/$DEV/msi_bus 2>/dev/null)"
grep -E "$IF|CPU" /proc/interrupts | while read l; do log "IRQ $l"; done
for p in /sys/module/e1000e/parameters/*; do [ -r "$p" ] && log "PARAM $(basename $p)=$(cat $p)"; done
log "rx_packets=$(cat /sys/class/net/$IF/statistics/rx_packets)"
echo 0 >/sys/power/pm_async 2>/dev/null || true
case $SC in pmtest-*) echo "${SC#pmtest-}" >/sys/power/pm_test || log "FAIL pm_test ${SC#pmtest-}";; esac
log "power: state=[$(cat /sys/power/state)] disk=[$(cat /sys/power/disk 2>/dev/null)] pm_test=[$(cat /sys/power/pm_test 2>/dev/null)]"
i=1
while [ $i -le $N ]; do
  t0=$(up)
  case $SC in
    hibernate|pmtest-*) echo disk >/sys/power/state 2>/tmp/err; rc=$?;;
    unbind) echo "$DEV" >/sys/bus/pci/drivers/e1000e/unbind; echo "$DEV" >/sys/bus/pci/drivers/e1000e/bind; rc=$?
            sleep 1; IF=$(ls /sys/bus/pci/devices/$DEV/net 2>/dev/null | head -1); ip link set "$IF" up;;
  esac
  t1=$(up); waitlink
  log "CYCLE $i rc=$rc t=$t0..$t1 carrier=$(cat /sys/class/net/$IF/carrier) rx=$(cat /sys/class/net/$IF/statistics/rx_packets) $(head -c 80 /tmp/err 2>/dev/null)"
  usleep $((SETTLE*1000))
  i=$((i+1))
done
grep -E "$IF|CPU" /proc/interrupts | while read l; do log "IRQ $l"; done
log "DONE cycles=$N"
sync; poweroff -f
EOF
  chmod +x "$STAGE/init"
  (cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1 >"$INITRD.tmp") && mv "$INITRD.tmp" "$INITRD"
fi
flock -u 9

# ---------------------------------------------------------------- flooder
FLOOD=$CACHE/flood.py
cat >"$FLOOD" <<'EOF'
import socket, sys, time, struct
port, rate = int(sys.argv[1]), int(sys.argv[2])
dst = bytes.fromhex("525400123456"); src = bytes.fromhex("525400abcdef")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
frames = [dst + src + b"\x88\xb5" + struct.pack(">I", i) + b"\0" * 42 for i in range(256)]
addr = ("127.0.0.1", port); batch = 64; sent = 0; t0 = time.monotonic(); end = t0 + float(sys.argv[3])
while True:
    now = time.monotonic()
    if now > end: break
    due = int((now - t0) * rate)
    if sent >= due:
        time.sleep(min(0.001, (sent - due + batch) / rate)); continue
    for i in range(batch):
        try: s.sendto(frames[(sent + i) & 255], addr)
        except OSError: pass
    sent += batch
print("flood: sent %d frames in %.1f s (%.0f/s)" % (sent, time.monotonic() - t0, sent / max(1e-9, time.monotonic() - t0)), file=sys.stderr)
EOF

free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

TRACE_ARGS=()
TRACE_RE='^[^e]|^e1000e_irq_(legacy_notify|msi_notify|adding_delayed_causes|fire_delayed_interrupts|itr_set)|^e1000e_irq_rearm_timer.*register 0x(2820|282C|3820|382C|C4),|^e1000e_core_write.*register 0x(0|100|18|2820|282c|3820|382c|c4|e4|dc|e8|5008),'
if [ "$TRACE" = 1 ]; then
  for e in e1000e_core_write e1000e_irq_legacy_notify e1000e_irq_msi_notify \
           e1000e_irq_adding_delayed_causes e1000e_irq_fire_delayed_interrupts e1000e_irq_rearm_timer \
           e1000e_irq_itr_set e1000e_irq_eitr_set; do TRACE_ARGS+=(-trace "$e"); done
fi

QVER=$("$QEMU" -version 2>/dev/null | head -1 | sed 's/.*version //') || true
echo "# qemu=$QEMU ($QVER) accel=$ACCEL kernel=$KERNEL_PKG scenario=$SCENARIO cycles=$CYCLES modparams=[$MODPARAMS] rate=$RATE smp=$SMP"

run_one() {
  local n=$1 tag log con qrc fpid t0 t1 line P Q
  tag=$(date +%Y%m%d-%H%M%S)-$$-$n
  log=$LOGDIR/$tag.qemu.log con=$LOGDIR/$tag.console.log
  P=$(free_port); Q=$(free_port)
  local append="console=ttyS0 no_console_suspend panic=-1 e1kfuzz.scenario=$SCENARIO e1kfuzz.cycles=$CYCLES e1kfuzz.settle=$SETTLE_MS"
  [ -z "$MODPARAMS" ] || append+=" e1kfuzz.modparams=$MODPARAMS"
  {
    echo "# cmd: $QEMU -accel $ACCEL ... (see below)"
    echo "# append: $append"
  } >"$log"
  t0=$(date +%s.%N)
  set +e
  timeout -k 5 "$TIMEOUT" "$QEMU" -accel "$ACCEL" -machine q35 -cpu "$CPU" -smp "$SMP" -m "$MEM" \
      -nodefaults -display none -no-reboot \
      -serial "file:$con" -kernel "$VMLINUZ" -initrd "$INITRD" -append "$append" \
      -netdev "socket,id=n0,udp=127.0.0.1:$P,localaddr=127.0.0.1:$Q" \
      -device "e1000e,netdev=n0,mac=52:54:00:12:34:56,addr=0x3,romfile=" \
      "${TRACE_ARGS[@]}" 2> >(grep -aE --line-buffered "$TRACE_RE" >>"$log") &
  local qpid=$!
  fpid=
  if [ "$RATE" -gt 0 ]; then
    python3 "$FLOOD" "$Q" "$RATE" "$TIMEOUT" 2>>"$log" & fpid=$!
  fi
  wait $qpid; qrc=$?
  [ -z "$fpid" ] || { kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; }
  set -e
  sleep 0.2
  t1=$(date +%s.%N)
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  local ready done_c last cyc boot percyc
  ready=$(grep -a 'E1KFUZZ .* READY' "$con" 2>/dev/null | awk '{print $2; exit}' || true)
  last=$(grep -a 'E1KFUZZ .* CYCLE ' "$con" 2>/dev/null | tail -1 | awk '{print $2}' || true)
  cyc=$(grep -ac 'E1KFUZZ .* CYCLE ' "$con" 2>/dev/null || true)
  boot=${ready:-?}
  percyc=?; [ -n "$ready" ] && [ -n "$last" ] && [ "${cyc:-0}" -gt 0 ] && percyc=$(awk -v a="$ready" -v b="$last" -v c="$cyc" 'BEGIN{printf "%.2f", (b-a)/c}')
  local msix; msix=$(grep -a 'E1KFUZZ .* IRQ ' "$con" 2>/dev/null | grep -ac 'MSI' || true)
  local timing="wall=${wall}s guest_ready=${boot}s per_cycle=${percyc}s msix_irq_lines=$msix log=$log console=$con"
  if grep -aq 'e1000e.*Assertion' "$log"; then
    line=$(grep -a 'e1000e.*Assertion' "$log" | head -1 | sed 's/^[^:]*: //')
    echo "ABORT $line (rc=$qrc, in cycle $((cyc + 1)) of $CYCLES, $cyc completed) $timing"
  elif grep -aq 'E1KFUZZ .* DONE' "$con" 2>/dev/null && [ "$qrc" = 0 ]; then
    echo "survived $cyc cycles (rc=$qrc) $timing"
  else
    echo "ERROR rc=$qrc, $cyc cycles done, last console line: $(tail -1 "$con" 2>/dev/null | tr -d '\r' | cut -c1-120) $timing"
  fi
}

for ((r = 1; r <= RUNS; r++)); do run_one "$r"; done
