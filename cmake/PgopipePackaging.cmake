# SPDX-License-Identifier: Apache-2.0
# The Debian package, built in a build tree with `cpack -G DEB`: the pgopipe CLI, the CMake
# package (find_package(pgopipe) / enable_pgo), the collector archive with its header and
# pkg-config file, the man page and shell completions, all under /usr. Library dependencies
# come from dpkg-shlibdeps; the toolchain enable_pgo() drives is recommended, so a plain
# `apt-get install ./pgopipe_*.deb` brings it too.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pgopipe)
set(CPACK_PACKAGE_VENDOR pgopipe)
set(CPACK_PACKAGE_CONTACT "pgopipe maintainers <maintainers@pgopipe.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "pgopipe collects CPU profiles from production (an in-process collector for instrumented\n\
binaries, a perf sampler, a pprof scraper) into a local or S3 profile store, merges a time\n\
window of them into LLVM or pprof profiles, and rebuilds CMake, Docker and Go projects with\n\
them behind a benchmark gate.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pgopipe_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cmake, ninja-build, clang-19, lld-19, llvm-19, libclang-rt-19-dev, pkg-config")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "golang-go, linux-perf, docker.io")
include(CPack)
