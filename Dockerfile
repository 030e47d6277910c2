# SPDX-License-Identifier: Apache-2.0
# pgopipe itself: build on Debian bookworm, then a runtime image with the pgopipe CLI, the
# CMake package (find_package(pgopipe) / enable_pgo) and the LLVM tools PGO builds need.
#   docker build -t pgopipe .
#   docker run --rm pgopipe --help
FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      clang-19 lld-19 llvm-19 llvm-19-dev llvm-19-tools libclang-rt-19-dev \
      libprotobuf-dev protobuf-compiler libboost1.81-dev libboost-filesystem1.81-dev \
      libyaml-cpp-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev libcli11-dev \
      nlohmann-json3-dev zlib1g-dev libdeflate-dev libzstd-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPGOPIPE_BUILD_TESTS=OFF \
          -DCMAKE_INSTALL_PREFIX=/usr/local \
 && cmake --build /build \
 && DESTDIR=/out cmake --install /build --strip
# The Debian packages owning the shared libraries pgopipe links (dpkg may know a library
# under /lib or /usr/lib: try both), installed in the runtime stage.
RUN for lib in $(ldd /out/usr/local/bin/pgopipe | awk '/=> \//{print $3}'); do \
      real=$(readlink -f "$lib"); \
      dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages.txt \
 && cat /out/runtime-packages.txt

FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
# libclang-rt-19-dev is only recommended by clang-19, but -fprofile-generate builds need it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake ninja-build clang-19 lld-19 llvm-19 libclang-rt-19-dev ca-certificates \
      $(cat /tmp/runtime-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
COPY --from=build /out/usr/local /usr/local
ENTRYPOINT ["/usr/local/bin/pgopipe"]
