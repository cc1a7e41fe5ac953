# Thin wrapper around Maven. Override MVN to use another Maven, e.g. `make MVN=./mvnw test`.
MVN ?= mvn
MVNFLAGS := -B -ntp
JMH_ARGS ?= -f 1 -wi 5 -i 5

FUZZER_JAR := fuzzer/target/e1kfuzz.jar
BENCH_JAR := bench/target/benchmarks.jar

.PHONY: all build jar test fuzz bench bench-cli golden clean qemu qemu-src nightly format

all: build

build:
	$(MVN) $(MVNFLAGS) -q package -DskipTests
	@test -f $(FUZZER_JAR) || { echo "make build: $(FUZZER_JAR) was not built" >&2; exit 1; }
	@echo "built $(FUZZER_JAR)"

# Runs every test of every module; Surefire prints "Tests run: ..." per class and per module.
# `verify` also checks the formatting (google-java-format through Spotless): `make format` fixes it.
test:
	$(MVN) $(MVNFLAGS) verify

# Formats every Java source with google-java-format (the check in `make test` fails until it is run).
format:
	$(MVN) $(MVNFLAGS) -q spotless:apply

# The main job: a 60-second campaign on every variant and core; findings go to findings/.
# Exit code 3 means something was found (the pre-fix variants always have findings).
FUZZ_ARGS ?= --time 60s
fuzz: jar
	@./e1kfuzz fuzz --variant all $(FUZZ_ARGS); rc=$$?; \
	  if [ $$rc = 3 ]; then echo "make fuzz: findings written (exit 3 means found; see the table above)"; exit 0; fi; \
	  exit $$rc

# Builds only when a source is newer than the jar.
jar: $(FUZZER_JAR)
$(FUZZER_JAR): $(shell find model/src/main fuzzer/src/main -type f 2>/dev/null) pom.xml model/pom.xml fuzzer/pom.xml
	$(MAKE) build

# Every JMH benchmark (about five minutes), the calibration loop StepLoopBenchmark included, then
# the campaign throughput (FuzzBenchmark.trace30) as a ratio of the calibration of the same run.
# JMH_ARGS picks benchmarks and iterations, e.g. JMH_ARGS="'FuzzBenchmark|StepLoop' -f 1 -wi 5 -i 5";
# five warm-up seconds, as under load the JIT was still compiling the campaign loop in the third.
JMH_JSON := bench/target/jmh-result.json
bench: build
	java -jar $(BENCH_JAR) $(JMH_ARGS) -rf json -rff $(JMH_JSON)
	java -cp $(BENCH_JAR) e1kfuzz.bench.BenchSummary $(JMH_JSON)

# The CLI campaign with --jobs 1 and --jobs 2, alternating: runs/s of each and the scaling.
# CLI_SCALING_ARGS: runs and rounds (default 2000000 3), then extra fuzz options.
CLI_SCALING_ARGS ?=
bench-cli: jar
	scripts/cli-scaling.sh $(CLI_SCALING_ARGS)

# Differential campaigns on every exact build (scripts/bench-diff.sh): a BENCH_DIFF_TIME (10m)
# campaign each, and BENCH_DIFF_RUNS traces of one seed on the fast path and with a fresh QEMU per
# trace, which must agree. A benchmark, not a test: ~75 minutes with the defaults.
.PHONY: bench-diff
bench-diff: jar
	scripts/bench-diff.sh

# Regenerates golden files (tests read the system property e1kfuzz.golden.update).
golden:
	$(MVN) $(MVNFLAGS) test -De1kfuzz.golden.update=true

clean:
	$(MVN) $(MVNFLAGS) -q clean

# Renders HTML timelines with the jar and looks at them in headless Chromium (apt-get install -y
# chromium) in a REPORT_WIDTH-px window, into target/report-check/: the seed race
# (corpus/s1-tidv-race.trace) and a 9-step trace whose last step violates on 8.1 and later
# (corpus/delivery-eitr-unthrottled.trace), every variant. Each page becomes a PNG to look at
# (fails if it is missing or blank) and must fit the window: every timeline whole, its violating
# step and violation included, no page or timeline box scrolling sideways, no text under 7.5 px.
.PHONY: report-check
REPORT_DIR := target/report-check
REPORT_WIDTH ?= 1280
report-check: jar
	@mkdir -p $(REPORT_DIR)
	./e1kfuzz replay corpus/s1-tidv-race.trace --variant all --format html -o $(REPORT_DIR)/seed-race.html
	./e1kfuzz replay corpus/delivery-eitr-unthrottled.trace --variant all --format html -o $(REPORT_DIR)/nine-steps.html
	scripts/render-html.sh $(REPORT_DIR)/seed-race.html $(REPORT_DIR)/seed-race.png $(REPORT_WIDTH) 2300
	scripts/render-html.sh $(REPORT_DIR)/nine-steps.html $(REPORT_DIR)/nine-steps.png $(REPORT_WIDTH) 2300
	scripts/check-html-fit.sh $(REPORT_DIR)/seed-race.html $(REPORT_WIDTH)
	scripts/check-html-fit.sh $(REPORT_DIR)/nine-steps.html $(REPORT_WIDTH)

# Fetches the four Debian QEMU builds the real-QEMU tests and `diff` use (7.2.18, 7.2.22, 10.0.2,
# 10.0.13) and writes their launchers into $E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu.
# Idempotent: builds already there are kept. Installs qemu-system-x86 with apt (root) if missing.
qemu:
	scripts/get-qemu.sh

# The nightly workflow (.github/workflows/nightly.yml) on one machine: NIGHTLY_SHARDS campaigns of
# NIGHTLY_TIME in parallel with one seed, `e1kfuzz merge` of their findings against corpus/ (exit 6:
# something the corpus does not expect), then the trace reader on NIGHTLY_GARBAGE garbage inputs and
# a 60-second heap-after-GC check. Output in nightly/<UTC time>/.
NIGHTLY_SHARDS ?= 2
NIGHTLY_TIME ?= 60s
NIGHTLY_GARBAGE ?= 1000000
nightly: jar
	NIGHTLY_SHARDS=$(NIGHTLY_SHARDS) NIGHTLY_TIME=$(NIGHTLY_TIME) scripts/nightly.sh
	$(MVN) $(MVNFLAGS) -q -pl fuzzer -am verify -Dtest='TraceGarbageTest,AlphabetGarbageTest' -Dsurefire.failIfNoSpecifiedTests=false \
	  -De1kfuzz.garbage.inputs=$(NIGHTLY_GARBAGE)
	scripts/heap-trend.sh 60 10 16

# Builds Debian's QEMU sources with the qtest accelerator (exact virtual time), once per model
# variant, into the same cache folder (exact-<variant> launchers); reused when already built.
qemu-src:
	scripts/build-qemu-src.sh

# Runs e1kfuzz's C regression tests where QEMU would run them (scripts/qemu-check.sh): applies each
# patch to its cached Debian source tree of `make qemu-src`, builds the test binary with QEMU's own
# meson/ninja (plus a -Werror compile of the test), restores the tree, runs every test in its own
# process against each exact build of that tree and prints a test x build table. Skips, with a
# message, when the trees or exact builds are not cached. Extra options: QEMU_CHECK_ARGS (e.g.
# --timeout 30).
# The patches are the corpus exported for each tree (`e1kfuzz export corpus --to qemu-patch`), each
# naming its tree and the outcome the model gives each test on each exact build, which the run
# must match; QEMU_CHECK_PATCHES="..." runs others.
QEMU_CHECK_DIR := target/qemu-check
QEMU_CHECK_PATCHES ?= $(QEMU_CHECK_DIR)/bookworm.patch $(QEMU_CHECK_DIR)/trixie.patch
QEMU_CHECK_ARGS ?=
.PHONY: qemu-check
qemu-check: jar
	@mkdir -p $(QEMU_CHECK_DIR) && rm -f $(QEMU_CHECK_DIR)/bookworm.patch $(QEMU_CHECK_DIR)/trixie.patch
	./e1kfuzz export corpus --to qemu-patch --tree bookworm -o $(QEMU_CHECK_DIR)/bookworm.patch 2>$(QEMU_CHECK_DIR)/export-bookworm.log || { cat $(QEMU_CHECK_DIR)/export-bookworm.log; exit 1; }
	./e1kfuzz export corpus --to qemu-patch --tree trixie -o $(QEMU_CHECK_DIR)/trixie.patch 2>$(QEMU_CHECK_DIR)/export-trixie.log || { cat $(QEMU_CHECK_DIR)/export-trixie.log; exit 1; }
	@grep -h "traces exported" $(QEMU_CHECK_DIR)/export-bookworm.log $(QEMU_CHECK_DIR)/export-trixie.log
	scripts/qemu-check.sh $(QEMU_CHECK_ARGS) $(QEMU_CHECK_PATCHES)

# A benchmark against the peer a user would pick instead (README, Benchmarks): builds QEMU's own
# device fuzzer (qemu-fuzz-i386, libFuzzer, --enable-fuzzing with Debian's clang) from the Debian 13
# tree of `make qemu-src` with qemu-patches/qemu-8.1.patch into the cache folder once (23 min
# on 2 busy cores), runs generic-fuzz-e1000e per seed with a time cap, and e1kfuzz on the same
# seeds, and prints the time to the seed assert side by side. Not part of `make test` or .ci/run.
# Options: GENERIC_FUZZ_ARGS (e.g. --seeds 1,2,3 --cap 300 --e1k-time 30s, --build-only).
GENERIC_FUZZ_ARGS ?= --seeds 1,2,3,4,5 --cap 480
.PHONY: generic-fuzz
generic-fuzz: jar
	scripts/generic-fuzz.sh $(GENERIC_FUZZ_ARGS)

# Evidence from a real guest (README, Driver scenarios): boots Debian's kernel (apt-get download,
# cached in ~/.cache/e1kfuzz/guest) with a busybox initramfs under TCG on a Debian QEMU build from
# `make qemu`, loads the real e1000e driver, floods it with frames from the host and runs
# hibernation freeze/thaw cycles (or a kdump or kexec hand-over); prints ABORT <assert> or "survived
# N cycles" per boot. Needs no
# KVM. Not part of `make test` or .ci/run (a boot takes 5-10 s of TCG; a default run ~1 min).
# Options: REAL_GUEST_QEMU (a launcher in the QEMU cache), REAL_GUEST_RUNS, and the script's
# environment (SCENARIO=hibernate|kdump|kexec|pmtest-devices|unbind, CYCLES, MODPARAMS, RATE,
# FLOOD_BATCH, QEMU_EXTRA; see its header).
REAL_GUEST_QEMU ?= qemu-7.2.18
REAL_GUEST_RUNS ?= 1
.PHONY: real-guest
real-guest:
	scripts/real-guest.sh "$${E1KFUZZ_QEMU_DIR:-$$HOME/.cache/e1kfuzz/qemu}/$(REAL_GUEST_QEMU)" tcg $(REAL_GUEST_RUNS)
