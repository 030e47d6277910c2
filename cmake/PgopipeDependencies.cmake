# SPDX-License-Identifier: Apache-2.0
# Every third-party dependency, found once, from Debian packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
# libdeflate (libdeflate-dev) ships no CMake config; its pkg-config file names it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
find_package(Boost 1.81 REQUIRED COMPONENTS filesystem)
find_package(Protobuf REQUIRED)
# LLVM asks for major.minor: "19" alone fails its version check.
find_package(LLVM 19.1 CONFIG REQUIRED HINTS /usr/lib/llvm-19/lib/cmake/llvm)
separate_arguments(PGOPIPE_LLVM_DEFINITIONS NATIVE_COMMAND "${LLVM_DEFINITIONS}")
if(PGOPIPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
# LLVM's static component libraries, not libLLVM.so: pgopipe uses ProfileData and the
# symbolizer only, and linking those parts keeps start-up free of libLLVM's ~340,000
# relocations and ~44 MB of resident pages (a `pgopipe` call would otherwise start slower and
# larger than `llvm-profdata` itself).
# The sanitizer build links libLLVM.so instead. LLVM's headers poison and unpoison
# BumpPtrAllocator slabs only where AddressSanitizer is on; linked statically, one copy of
# each inline template serves both our instrumented code and the uninstrumented archives, so
# a slab poisoned by one is written by the other (a false use-after-poison). The shared
# library keeps its own copies.
if(PGOPIPE_SANITIZE)
  set(PGOPIPE_LLVM_LIBS LLVM)
else()
  llvm_map_components_to_libnames(PGOPIPE_LLVM_LIBS ProfileData Symbolize DebugInfoDWARF Object Core Support
                                  MC MCDisassembler X86Disassembler X86Desc X86Info TransformUtils)
endif()
