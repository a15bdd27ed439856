# Finds the system packages eq builds on (all from Debian; see
# scripts/install-deps.sh) and gives each one imported target.

find_package(PkgConfig REQUIRED)

# OpenBLAS through CBLAS (and LAPACK for the orthogonal initialiser).
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
add_library(eq::blas ALIAS PkgConfig::OPENBLAS)

# ICU: normalisation (uc) and character widths / properties.
find_package(ICU 60 REQUIRED COMPONENTS uc i18n)

find_program(RE2C_EXECUTABLE re2c REQUIRED)
find_package(BISON 3.7 REQUIRED)
set(RE2C_STDLIB_DIR /usr/share/re2c/stdlib CACHE PATH "re2c's include folder (unicode_categories.re)")

find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)
