# Thin wrapper around Maven. Override MVN to use another Maven, e.g. `make MVN=./mvnw test`.
MVN ?= mvn
MVNFLAGS := -B -ntp
JMH_ARGS ?= -f 1 -wi 3 -i 5

FUZZER_JAR := fuzzer/target/e1kfuzz.jar
BENCH_JAR := bench/target/benchmarks.jar

.PHONY: all build jar test fuzz bench golden clean qemu qemu-src

all: build

build:
	$(MVN) $(MVNFLAGS) -q package -DskipTests
	@test -f $(FUZZER_JAR) || { echo "make build: $(FUZZER_JAR) was not built" >&2; exit 1; }
	@echo "built $(FUZZER_JAR)"

# Runs every test of every module; Surefire prints "Tests run: ..." per class and per module.
test:
	$(MVN) $(MVNFLAGS) verify

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

bench: build
	java -jar $(BENCH_JAR) $(JMH_ARGS)

# Regenerates golden files (tests read the system property e1kfuzz.golden.update).
golden:
	$(MVN) $(MVNFLAGS) test -De1kfuzz.golden.update=true

clean:
	$(MVN) $(MVNFLAGS) -q clean

# Fetches the four Debian QEMU builds the real-QEMU tests and `diff` use (7.2.18, 7.2.22, 10.0.2,
# 10.0.13) and writes their launchers into $E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu.
# Idempotent: builds already there are kept. Installs qemu-system-x86 with apt (root) if missing.
qemu:
	scripts/get-qemu.sh

# Builds Debian's QEMU sources with the qtest accelerator (exact virtual time), once per model
# variant, into the same cache folder (exact-<variant> launchers); reused when already built.
qemu-src:
	scripts/build-qemu-src.sh
