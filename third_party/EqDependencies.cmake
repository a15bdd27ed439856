# Finds the system packages the library and eqc build on, and gives each one
# a target. All come from Debian 12 packages (scripts/install-deps.sh installs
# them); third_party/README.md has the table of what each is for. The tests,
# benchmarks and fuzzer find their own extras (Catch2, Google Benchmark,
# muParser, clang) where they are built.

find_package(PkgConfig REQUIRED)

# OpenBLAS (libopenblas-dev 0.3.21): every matrix product through CBLAS,
# LAPACK's QR for the orthogonal initialiser, and openblas_get_corename for
# the kernel check of runtime/blas_core.hpp. Found through its pkg-config
# file, which points at the flavour Debian's alternatives selected.
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
add_library(eq::blas ALIAS PkgConfig::OPENBLAS)

# ICU (libicu-dev 72): NFC normalisation of sources (uc), character
# properties and display widths for carets (uc, i18n). CMake's FindICU.
find_package(ICU 60 REQUIRED COMPONENTS uc i18n)

# re2c (re2c 3.0) generates grammar/lexer.re's lexer; its stdlib folder
# holds the Unicode category tables the lexer includes.
find_program(RE2C_EXECUTABLE re2c REQUIRED)
set(RE2C_STDLIB_DIR /usr/share/re2c/stdlib CACHE PATH "re2c's include folder (unicode_categories.re)")

# GNU Bison (bison 3.8.2; 3.7 for the C++ variant skeleton features the
# grammar uses) generates grammar/parser.y's parser. CMake's FindBISON.
find_package(BISON 3.7 REQUIRED)

# nlohmann/json (nlohmann-json3-dev 3.11.2): the JSON header of safetensors
# files. Header-only; its own CMake package config.
find_package(nlohmann_json 3 REQUIRED)

# POSIX threads (libc6-dev): the thread pool of runtime/parallel.cc.
find_package(Threads REQUIRED)
