#!/bin/bash
# real-guest.sh - boot a real Debian Linux kernel + tiny busybox initramfs under a given
# QEMU build, load the real e1000e driver, flood the NIC with frames from the host and
# exercise one driver path N times (hibernation freeze/thaw, PM-test freeze/restore, or
# driver unbind/bind), or once per boot hand the running NIC to a second kernel (kdump:
# crash -> capture kernel; kexec: kexec -e). Prints one outcome line per run:
#   ABORT <assert text> ...      QEMU died on an assertion (SIGABRT)
#   survived N cycles ...        the guest finished all cycles and powered off
#                                (kdump/kexec: the second kernel brought e1000e up and powered off)
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
#                      kdump: first kernel booted with crashkernel=$CRASHKERNEL loads the capture
#                        kernel (same vmlinuz, small initramfs) with kexec -p, brings e1000e up with
#                        traffic, waits SETTLE_MS, then echo c >/proc/sysrq-trigger; the capture
#                        kernel insmods e1000e, brings the link up, waits SETTLE_MS, powers off
#                      kexec: same, but kexec -l + kexec -e (device shutdown runs first)
#                      (CYCLES is ignored for kdump/kexec: one hand-over per boot)
#   CRASHKERNEL        kdump reservation (default 256M)
#   KDUMP_APPEND       added to the capture kernel's command line, comma separated (default
#                      Debian kdump-tools' KDUMP_CMDLINE_APPEND without systemd.unit:
#                      reset_devices,nr_cpus=1,irqpoll,usbcore.nousb); the rest of the command
#                      line is /proc/cmdline minus crashkernel=, as kdump-config does
#   KEXEC_IFDOWN       kexec only: 0 (default) = kexec -e -x (interfaces stay up, the driver's
#                      .shutdown quiesces a running NIC); 1 = kexec -e (kexec-tools takes all
#                      interfaces down first: e1000_close resets the NIC)
#   KEXEC_DEBS         packages for /sbin/kexec in the initramfs (default: kexec-tools and the
#                      libxen* packages it needs; libc + loader are copied from this host)
#   CYCLES             cycles per boot (default 20)
#   MODPARAMS          e1000e module parameters, comma separated
#                      (e.g. RxIntDelay=65535,RxAbsIntDelay=65535)
#   RATE               frames/s sent to the guest (default 100000; 0 = no flood)
#   FLOOD_BATCH        frames sent back to back per burst (default 64, as real-guest.sh: at low
#                      RATE that is one burst of 64 every 64/RATE s; 1 = evenly spaced frames)
#   SETTLE_MS          traffic time between cycles in the guest (default 300)
#   CPU                -cpu model (default: max for tcg, host for kvm)
#   SMP, MEM           guest CPUs (default 1) and memory in MiB (default 512; kdump/kexec 1024)
#   TIMEOUT            seconds per boot (default 600)
#   TRACE              1 (default): keep QEMU e1000e trace lines about RDTR/RADV/ITR/EITR writes,
#                      MSI-X/INTx notifications and delayed causes in the log; 0: no tracing;
#                      2: also cause/ICR/IMS/timer events
#   TRACE_TS           1 (default): -msg timestamp=on (trace lines get a pid@sec.usec: prefix)
#   QEMU_EXTRA         extra QEMU arguments, split on spaces (e.g. "-icount shift=0": virtual time
#                      = 1 ns per guest instruction, so delays measured in guest code are not
#                      stretched by TCG's slowness relative to QEMU's virtual-clock timers)
#   TRACE_LINES        keep only the last N filtered trace lines per boot (default 100000)
#   LOGDIR             where logs go (default $E1KFUZZ_GUEST_DIR/logs)
set -euo pipefail

die() { echo "real-guest.sh: error: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' ($2)"; }

[ $# -ge 2 ] || { sed -n '2,56p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
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
case $SCENARIO in kdump|kexec) MEM=${MEM:-1024};; *) MEM=${MEM:-512};; esac
CRASHKERNEL=${CRASHKERNEL:-256M}
KDUMP_APPEND=${KDUMP_APPEND:-reset_devices,nr_cpus=1,irqpoll,usbcore.nousb}
KEXEC_IFDOWN=${KEXEC_IFDOWN:-0}
TRACE_LINES=${TRACE_LINES:-100000}
FLOOD_BATCH=${FLOOD_BATCH:-64}
TIMEOUT=${TIMEOUT:-600}
TRACE=${TRACE:-1}
if [ "$ACCEL" = kvm ]; then CPU=${CPU:-host}; else CPU=${CPU:-max}; fi
LOGDIR=${LOGDIR:-$CACHE/logs}
case $SCENARIO in hibernate|pmtest-devices|pmtest-platform|pmtest-core|unbind|kdump|kexec) ;;
  *) die "unknown SCENARIO '$SCENARIO'";; esac
case $MODPARAMS in *[!A-Za-z0-9=,]*) die "MODPARAMS may only contain A-Za-z0-9=, ('$MODPARAMS')";; esac
case $KDUMP_APPEND in *[!A-Za-z0-9=,._-]*) die "KDUMP_APPEND may only contain A-Za-z0-9=,._- ('$KDUMP_APPEND')";; esac
case $KEXEC_IFDOWN in 0|1) ;; *) die "KEXEC_IFDOWN must be 0 or 1";; esac
[[ $TRACE_LINES =~ ^[0-9]+$ ]] || die "TRACE_LINES must be a number"
[[ $FLOOD_BATCH =~ ^[1-9][0-9]*$ ]] || die "FLOOD_BATCH must be a number >= 1"

for t in apt-get apt-cache dpkg-deb xz cpio gzip python3 timeout awk grep sed strings flock ldd tail; do
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

# ---------------------------------------------------------------- kexec-tools (kdump/kexec only)
KXROOT=$CACHE/kexec-tools
if [ "$SCENARIO" = kdump ] || [ "$SCENARIO" = kexec ]; then
  if [ ! -f "$KXROOT/.ok" ]; then
    if [ -z "${KEXEC_DEBS:-}" ]; then
      # kexec-tools and the libxen* packages it needs (Debian 12: libxenmisc4.17 -> libxenctrl ...)
      # (transitive closure over Depends: libxen*)
      KEXEC_DEBS=kexec-tools todo=kexec-tools
      while [ -n "$todo" ]; do
        next=
        for p in $todo; do
          for d in $(apt-cache depends "$p" 2>/dev/null | awk '/Depends: libxen/{print $2}'); do
            case " $KEXEC_DEBS " in *" $d "*) ;; *) KEXEC_DEBS+=" $d"; next+=" $d";; esac
          done
        done
        todo=$next
      done
    fi
    rm -rf "$KXROOT"; mkdir -p "$KXROOT/root"
    for p in $(echo $KEXEC_DEBS | tr ' ' '\n' | sort -u); do
      dpkg-deb -x "$(fetch_deb "$p")" "$KXROOT/root" || die "unpacking $p failed"
    done
    [ -x "$KXROOT/root/sbin/kexec" ] || die "no /sbin/kexec in $KEXEC_DEBS"
    # every shared object /sbin/kexec needs: from the unpacked debs first, else from this host
    LD_LIBRARY_PATH=$KXROOT/root/usr/lib/x86_64-linux-gnu:$KXROOT/root/lib/x86_64-linux-gnu \
      ldd "$KXROOT/root/sbin/kexec" >"$KXROOT/ldd.txt" 2>&1 || die "ldd sbin/kexec failed: $(cat "$KXROOT/ldd.txt")"
    ! grep -q 'not found' "$KXROOT/ldd.txt" || die "kexec needs libraries not in KEXEC_DEBS: $(grep 'not found' "$KXROOT/ldd.txt" | tr '\n' ' ')"
    mkdir -p "$KXROOT/stage/sbin" "$KXROOT/stage/lib/x86_64-linux-gnu" "$KXROOT/stage/lib64"
    cp "$KXROOT/root/sbin/kexec" "$KXROOT/stage/sbin/kexec"
    awk '$2 == "=>" && $3 ~ /^\// {print $3}' "$KXROOT/ldd.txt" | while read -r l; do
      cp -L "$l" "$KXROOT/stage/lib/x86_64-linux-gnu/$(basename "$l")"; done
    ldr=$(awk '$1 ~ /^\/.*ld-linux/ {print $1}' "$KXROOT/ldd.txt" | head -1)
    [ -n "$ldr" ] || die "no dynamic loader in ldd output of sbin/kexec"
    cp -L "$ldr" "$KXROOT/stage/lib64/$(basename "$ldr")"
    touch "$KXROOT/.ok"
  fi
fi

# ---------------------------------------------------------------- initramfs
# INITRD: busybox + e1000e.ko + /init (also the second kernel's initramfs for kdump/kexec);
# INITRD_KX: the same plus /vmlinuz, /initrd.second (= INITRD), /sbin/kexec and its libraries
INITRD=$CACHE/initramfs-kdump-$KERNEL_PKG.cpio.gz
INITRD_KX=$CACHE/initramfs-kdump-kx-$KERNEL_PKG.cpio.gz
STAGE=$CACHE/initramfs-kdump-stage
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
SC=hibernate; N=1; MP=""; SETTLE=300; ST=first; KA=""; IFD=0
for w in $(cat /proc/cmdline); do case $w in
  e1kfuzz.scenario=*) SC=${w#*=};; e1kfuzz.cycles=*) N=${w#*=};;
  e1kfuzz.modparams=*) MP=$(echo "${w#*=}" | tr , ' ');; e1kfuzz.settle=*) SETTLE=${w#*=};;
  e1kfuzz.stage=*) ST=${w#*=};; e1kfuzz.kdumpappend=*) KA=$(echo "${w#*=}" | tr , ' ');;
  e1kfuzz.ifdown=*) IFD=${w#*=};;
esac; done
log "BOOTED scenario=$SC stage=$ST cycles=$N modparams=[$MP]"
# command line for the second kernel: /proc/cmdline minus crashkernel= (as kdump-config does)
second_cmdline() { sed -e 's/\(^\| \)crashkernel=[^ ]*//g' /proc/cmdline | tr -d '\n'; echo " e1kfuzz.stage=second $1"; }
if [ "$SC" = kdump ] && [ "$ST" = first ]; then
  CL=$(second_cmdline "$KA")
  kexec -p /vmlinuz --initrd=/initrd.second --append="$CL" >/tmp/kx 2>&1; rc=$?
  log "KEXEC_P rc=$rc loaded=$(cat /sys/kernel/kexec_crash_loaded) size=$(cat /sys/kernel/kexec_crash_size) $(head -c 200 /tmp/kx | tr '\n' ' ')"
  log "KEXEC_P append=[$CL]"
  [ $rc = 0 ] || { log "FAIL kexec -p"; poweroff -f; }
fi
log "INSMOD"
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
case $SC:$ST in
  kdump:second|kexec:second)
    usleep $((SETTLE*1000))
    log "SECOND rx_packets=$(cat /sys/class/net/$IF/statistics/rx_packets)"
    grep -E "$IF|CPU" /proc/interrupts | while read l; do log "IRQ $l"; done
    log "DONE cycles=1"
    sync; poweroff -f;;
  kdump:first)
    usleep $((SETTLE*1000))
    log "TRAFFIC rx_packets=$(cat /sys/class/net/$IF/statistics/rx_packets)"
    grep -E "$IF" /proc/interrupts | while read l; do log "IRQ $l"; done
    echo 1 >/proc/sys/kernel/sysrq
    log "CRASH"
    echo c >/proc/sysrq-trigger
    sleep 5; log "FAIL still running after sysrq-c"; poweroff -f;;
  kexec:first)
    CL=$(second_cmdline "")
    kexec -l /vmlinuz --initrd=/initrd.second --append="$CL" >/tmp/kx 2>&1; rc=$?
    log "KEXEC_L rc=$rc loaded=$(cat /sys/kernel/kexec_loaded) $(head -c 200 /tmp/kx | tr '\n' ' ')"
    [ $rc = 0 ] || { log "FAIL kexec -l"; poweroff -f; }
    usleep $((SETTLE*1000))
    log "TRAFFIC rx_packets=$(cat /sys/class/net/$IF/statistics/rx_packets)"
    grep -E "$IF" /proc/interrupts | while read l; do log "IRQ $l"; done
    sync
    if [ "$IFD" = 1 ]; then log "EXEC kexec -e"; kexec -e; else log "EXEC kexec -e -x"; kexec -e -x; fi
    log "FAIL kexec -e returned $?"; poweroff -f;;
esac
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
  rm -f "$INITRD_KX"
fi
if { [ "$SCENARIO" = kdump ] || [ "$SCENARIO" = kexec ]; } && [ ! -f "$INITRD_KX" ]; then
  rm -rf "$STAGE.kx"; cp -a "$STAGE" "$STAGE.kx"; cp -a "$KXROOT/stage/." "$STAGE.kx/"
  cp "$VMLINUZ" "$STAGE.kx/vmlinuz"; cp "$INITRD" "$STAGE.kx/initrd.second"
  (cd "$STAGE.kx" && find . | cpio -o -H newc --quiet | gzip -1 >"$INITRD_KX.tmp") && mv "$INITRD_KX.tmp" "$INITRD_KX"
fi
flock -u 9

# ---------------------------------------------------------------- flooder
FLOOD=$CACHE/flood-kdump.py
cat >"$FLOOD" <<'EOF'
import socket, sys, time, struct
port, rate = int(sys.argv[1]), int(sys.argv[2])
dst = bytes.fromhex("525400123456"); src = bytes.fromhex("525400abcdef")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
frames = [dst + src + b"\x88\xb5" + struct.pack(">I", i) + b"\0" * 42 for i in range(256)]
addr = ("127.0.0.1", port); batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64; sent = 0; t0 = time.monotonic(); end = t0 + float(sys.argv[3])
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
# trace lines may carry a "pid@sec.usec:" prefix (-msg timestamp=on, TRACE_TS=1)
TP='^([0-9]+@[0-9.]+:)?'
TRACE_RE="^[^e0-9]|${TP}e1000e_irq_(legacy_notify|msi_notify|adding_delayed_causes|fire_delayed_interrupts|itr_set)|${TP}e1000e_irq_rearm_timer.*register 0x(2820|282C|3820|382C|C4),|${TP}e1000e_core_write.*register 0x(0|100|18|2820|282c|3820|382c|c4|e4|dc|e8|5008),"
if [ "$TRACE" = 1 ] || [ "$TRACE" = 2 ]; then
  for e in e1000e_core_write e1000e_irq_legacy_notify e1000e_irq_msi_notify \
           e1000e_irq_adding_delayed_causes e1000e_irq_fire_delayed_interrupts e1000e_irq_rearm_timer \
           e1000e_irq_itr_set e1000e_irq_eitr_set; do TRACE_ARGS+=(-trace "$e"); done
fi
if [ "$TRACE" = 2 ]; then
  # TRACE=2: also cause/ICR/timer events (all kept; the tail limits the volume)
  for e in e1000e_irq_set_cause_entry e1000e_irq_pending_interrupts e1000e_irq_icr_read_entry \
           e1000e_rx_start_recv e1000e_irq_throttling_timer e1000e_irq_legacy_notify_postponed \
           e1000e_irq_throttling_no_pending_interrupts e1000e_irq_write_ics e1000e_irq_fire_all_timers \
           e1000e_irq_postponed_by_xitr e1000e_rx_interrupt_set e1000e_rx_interrupt_delayed; do TRACE_ARGS+=(-trace "$e"); done
  TRACE_RE="^[^e0-9]|${TP}e1000e_[^c]|${TP}e1000e_core_write.*register 0x(0|100|18|2820|282c|3820|382c|c4|e4|dc|e8|5008|d0|d8|c8),"
fi
[ "${TRACE_TS:-1}" = 1 ] && TRACE_ARGS+=(-msg timestamp=on)

QVER=$("$QEMU" -version 2>/dev/null | head -1 | sed 's/.*version //') || true
echo "# qemu=$QEMU ($QVER) accel=$ACCEL kernel=$KERNEL_PKG scenario=$SCENARIO cycles=$CYCLES modparams=[$MODPARAMS] rate=$RATE batch=$FLOOD_BATCH smp=$SMP mem=$MEM settle_ms=$SETTLE_MS$(case $SCENARIO in kdump) echo " crashkernel=$CRASHKERNEL kdump_append=$KDUMP_APPEND";; kexec) echo " kexec_ifdown=$KEXEC_IFDOWN";; esac)"

run_one() {
  local n=$1 tag log con qrc fpid t0 t1 line P Q initrd=$INITRD
  tag=$(date +%Y%m%d-%H%M%S)-$$-$n
  log=$LOGDIR/$tag.qemu.log con=$LOGDIR/$tag.console.log
  P=$(free_port); Q=$(free_port)
  local append="console=ttyS0 no_console_suspend panic=-1 e1kfuzz.scenario=$SCENARIO e1kfuzz.cycles=$CYCLES e1kfuzz.settle=$SETTLE_MS"
  [ -z "$MODPARAMS" ] || append+=" e1kfuzz.modparams=$MODPARAMS"
  case $SCENARIO in
    kdump) append+=" crashkernel=$CRASHKERNEL e1kfuzz.kdumpappend=$KDUMP_APPEND"; initrd=$INITRD_KX;;
    kexec) append+=" e1kfuzz.ifdown=$KEXEC_IFDOWN"; initrd=$INITRD_KX;;
  esac
  {
    echo "# cmd: $QEMU -accel $ACCEL ... (see below)"
    echo "# append: $append"
  } >"$log"
  t0=$(date +%s.%N)
  set +e
  # the filtered trace goes through tail (only the last TRACE_LINES lines are kept: a flood
  # re-arms RDTR for every frame); $log.done appears when the filter has written everything
  rm -f "$log.done"
  timeout -k 5 "$TIMEOUT" "$QEMU" -accel "$ACCEL" -machine q35 -cpu "$CPU" -smp "$SMP" -m "$MEM" \
      -nodefaults -display none -no-reboot \
      -serial "file:$con" -kernel "$VMLINUZ" -initrd "$initrd" -append "$append" \
      -netdev "socket,id=n0,udp=127.0.0.1:$P,localaddr=127.0.0.1:$Q" \
      -device "e1000e,netdev=n0,mac=52:54:00:12:34:56,addr=0x3,romfile=" \
      "${TRACE_ARGS[@]}" ${QEMU_EXTRA:-} 2> >(grep -aE --line-buffered "$TRACE_RE" | tail -n "$TRACE_LINES" >>"$log"; touch "$log.done") &
  local qpid=$!
  fpid=
  if [ "$RATE" -gt 0 ]; then
    python3 "$FLOOD" "$Q" "$RATE" "$TIMEOUT" "$FLOOD_BATCH" 2>"$log.flood" & fpid=$!
  fi
  wait $qpid; qrc=$?
  [ -z "$fpid" ] || { kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; }
  set -e
  local w=0; while [ ! -e "$log.done" ] && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
  [ -s "$log.flood" ] && cat "$log.flood" >>"$log"; rm -f "$log.done" "$log.flood"
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
  if [ "$SCENARIO" = kdump ] || [ "$SCENARIO" = kexec ]; then
    # stage: first|second kernel : last E1KFUZZ marker of that kernel; the second kernel's
    # uptime at READY and its rx_packets after SETTLE_MS
    local nb stage mark r2 rx1 rx2 kline
    nb=$(grep -ac 'E1KFUZZ .* BOOTED' "$con" 2>/dev/null || true)
    mark=$(grep -a 'E1KFUZZ ' "$con" 2>/dev/null | grep -av ' IRQ \| PARAM ' | tail -1 | awk '{print $3}' || true)
    if [ "${nb:-0}" -ge 2 ]; then stage=second:$mark
    elif grep -aq 'E1KFUZZ .* \(CRASH\|EXEC\)' "$con" 2>/dev/null; then stage=handover
    else stage=first:${mark:-none}; fi
    r2=$(grep -a 'E1KFUZZ .* READY' "$con" 2>/dev/null | sed -n 2p | awk '{print $2}' || true)
    rx1=$(grep -a 'E1KFUZZ .* TRAFFIC' "$con" 2>/dev/null | sed -n 's/.*rx_packets=//p' | head -1 || true)
    rx2=$(grep -a 'E1KFUZZ .* SECOND' "$con" 2>/dev/null | sed -n 's/.*rx_packets=//p' | head -1 || true)
    kline=$(grep -a 'e1000e 0000:00:03.0' "$con" 2>/dev/null | tail -1 | tr -d '\r' | cut -c1-100 || true)
    # non-MSI-X windows seen by QEMU: ITR (0xC4) and RDTR (0x2820) timer arms (these only happen
    # when MSI-X is off) and, for each, host time to the next EIAC (0xdc) write = the next
    # e1000_irq_disable, which in a probe comes right after MSI-X enable (needs TRACE_TS=1)
    local win; win=$(awk -F'[@: ]' '
      /e1000e_irq_rearm_timer.*register 0xC4,/   { ti[++ni] = $2 }
      /e1000e_irq_rearm_timer.*register 0x2820,/ { tr[++nr] = $2 }
      /e1000e_core_write.*register 0xdc,/ { t = $2
        for (; ci < ni; ci++) { d = t - ti[ci + 1]; if (mi == "" || d < mi) mi = d }
        for (; cr < nr; cr++) { d = t - tr[cr + 1]; if (mr == "" || d < mr) mr = d } }
      END { printf "itr_arms=%d min_itr_arm_to_eiac=%s rdtr_arms=%d min_rdtr_arm_to_eiac=%s", ni,
            (mi == "" ? "-" : sprintf("%.3fms", mi * 1000)), nr, (mr == "" ? "-" : sprintf("%.3fms", mr * 1000)) }' "$log")
    timing="stage=$stage $win first_rx=${rx1:-?} second_ready=${r2:-?}s second_rx=${rx2:-?} wall=${wall}s log=$log console=$con"
    if grep -aq 'e1000e.*Assertion' "$log"; then
      line=$(grep -a 'e1000e.*Assertion' "$log" | head -1 | sed 's/^[^:]*: //')
      echo "ABORT $line (rc=$qrc) $timing last_e1000e_line=[$kline]"
    elif [ "${nb:-0}" -ge 2 ] && grep -aq 'E1KFUZZ .* DONE' "$con" 2>/dev/null && [ "$qrc" = 0 ]; then
      echo "survived (rc=$qrc) $timing"
    else
      echo "ERROR rc=$qrc, last console line: $(tail -1 "$con" 2>/dev/null | tr -d '\r' | cut -c1-120) $timing"
    fi
    return
  fi
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
