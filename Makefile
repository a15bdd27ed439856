# Convenience wrapper over CMake + Ninja. `make demo` and `make test` each do
# the whole set-up on a fresh Debian machine: install what is missing,
# configure, build, then run.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
# Our builds treat warnings as errors (a user's plain `cmake` does not), and
# use ccache when it is installed.
CCACHE := $(shell command -v ccache 2>/dev/null)
EQ_FLAGS := -DEQ_WERROR=ON $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

.PHONY: all deps configure build demo test test-asan test-release bench bench-deps fuzz fuzz-deps install-test clean embed-example readme-check format format-deps format-check

all: build

deps:
	@bash scripts/install-deps.sh

# The main build is the Release build (-O3) a user ships: its tests are the
# Release tests, and the sanitizer build (-O0) covers the other end. One
# build fewer in CI than building RelWithDebInfo and Release apart.
$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja $(EQ_FLAGS) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)

# ctest runs $(JOBS) tests at once, one per core, so each test's OpenBLAS gets
# one thread: OpenBLAS's threads wait for each other by spinning on
# sched_yield, and with more of them than cores a run slows by orders of
# magnitude (20 steps of models/lstm.eq: 7 s at one thread, 6 to 9 minutes at
# two, with other work on both cores). A test that sets --threads still gets
# its threads.
TEST_ENV := OPENBLAS_NUM_THREADS=1

test: build
	cd $(BUILD) && $(TEST_ENV) ctest --output-on-failure -j $(JOBS)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja $(EQ_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DEQ_SANITIZE=ON -DEQ_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(TEST_ENV) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# The tests of the Release build (-O3, NDEBUG, benchmarks included) are
# `make test`'s; kept as a name for those who used it.
test-release: test

bench-deps:
	@bash scripts/install-deps.sh --bench

bench: bench-deps build
	bash bench/run.sh $(BUILD)

# Every libFuzzer target (fuzz/, grammar/fuzz/) for FUZZ_SECONDS each, from
# its seed corpus; needs clang (installed by install-deps.sh --fuzz).
fuzz-deps:
	@bash scripts/install-deps.sh --fuzz

fuzz: fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja $(EQ_FLAGS) -DEQ_FUZZ=ON -DEQ_TESTS=OFF -DEQ_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The tree as .clang-format lays it out: `make format` applies it to every
# C++ file, `make format-check` (in CI) fails on any file it would change.
format-deps:
	@bash scripts/install-deps.sh --format

format: format-deps
	bash scripts/check-format.sh --fix

format-check: format-deps
	bash scripts/check-format.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Installs the library to a temporary prefix, checks its layout (the include
# path is include/, headers include "eq/…": scripts/check-install-layout.sh),
# builds examples/embed against it with find_package(eq), then runs it.
EMBED_PREFIX ?= $(BUILD)/install
embed-example: build
	cmake --install $(BUILD) --prefix $(abspath $(EMBED_PREFIX)) >/dev/null
	bash scripts/check-install-layout.sh $(abspath $(EMBED_PREFIX))
	cmake -S examples/embed -B $(BUILD)/embed -G Ninja -DCMAKE_PREFIX_PATH=$(abspath $(EMBED_PREFIX))
	cmake --build $(BUILD)/embed
	$(BUILD)/embed/lstm_step
	$(BUILD)/embed/parser_step
	$(BUILD)/embed/train_iris models/logreg.eq

# Every C++ block of README.md, built against the installed library and run
# (scripts/check-readme-cpp.sh).
readme-check: build
	cmake --install $(BUILD) --prefix $(abspath $(EMBED_PREFIX)) >/dev/null
	bash scripts/check-readme-cpp.sh $(abspath $(EMBED_PREFIX)) $(BUILD)/readme-cpp
