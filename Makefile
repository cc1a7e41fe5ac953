# Thin wrapper around Maven. Override MVN to use another Maven, e.g. `make MVN=./mvnw test`.
MVN ?= mvn
MVNFLAGS := -B -ntp
JMH_ARGS ?= -f 1 -wi 3 -i 5

FUZZER_JAR := fuzzer/target/e1kfuzz.jar
BENCH_JAR := bench/target/benchmarks.jar

.PHONY: all build test fuzz bench golden clean

all: build

build:
	$(MVN) $(MVNFLAGS) -q package -DskipTests
	@test -f $(FUZZER_JAR) || { echo "make build: $(FUZZER_JAR) was not built" >&2; exit 1; }
	@echo "built $(FUZZER_JAR)"

# Runs every test of every module; Surefire prints "Tests run: ..." per class and per module.
test:
	$(MVN) $(MVNFLAGS) verify

fuzz: build
	./e1kfuzz replay corpus/*.trace --variant all

bench: build
	java -jar $(BENCH_JAR) $(JMH_ARGS)

# Regenerates golden files (tests read the system property e1kfuzz.golden.update).
golden:
	$(MVN) $(MVNFLAGS) test -De1kfuzz.golden.update=true

clean:
	$(MVN) $(MVNFLAGS) -q clean
