# SPDX-License-Identifier: Apache-2.0
# Defines pgopipe::collector from a pgopipe build tree, for standalone projects that want
# enable_pgo(... COLLECT) without installing pgopipe. Use it as a project include:
#   cmake ... -DCMAKE_PROJECT_INCLUDE=<this file> -DPGOPIPE_BUILD_DIR=<pgopipe build dir>
# The collector's static libraries and the system libraries they need are linked as they are.
if(TARGET pgopipe::collector)
  return()
endif()
if(NOT PGOPIPE_BUILD_DIR)
  message(FATAL_ERROR "collector.cmake needs -DPGOPIPE_BUILD_DIR=<pgopipe build dir>")
endif()
get_filename_component(_pgopipe_repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(_pgopipe_libs "")
foreach(lib collector/libpgopipe_collector.a collector/libpgopipe_collector_base.a
            core/libpgopipe_core.a)
  if(NOT EXISTS "${PGOPIPE_BUILD_DIR}/${lib}")
    message(FATAL_ERROR "${PGOPIPE_BUILD_DIR}/${lib} is missing: build pgopipe first")
  endif()
  list(APPEND _pgopipe_libs "${PGOPIPE_BUILD_DIR}/${lib}")
endforeach()
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
add_library(pgopipe::collector INTERFACE IMPORTED)
target_include_directories(pgopipe::collector INTERFACE "${_pgopipe_repo}/collector/include")
target_link_libraries(pgopipe::collector INTERFACE ${_pgopipe_libs} spdlog::spdlog fmt::fmt
                      yaml-cpp CURL::libcurl OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
target_link_options(pgopipe::collector INTERFACE "LINKER:-u,pgopipe_collector_start")
