# SPDX-License-Identifier: Apache-2.0
# Defines pgopipe::collector from a pgopipe build tree, for standalone projects that want
# enable_pgo(... COLLECT) without installing pgopipe. Use it as a project include:
#   cmake ... -DCMAKE_PROJECT_INCLUDE=<this file> -DPGOPIPE_BUILD_DIR=<pgopipe build dir>
# The collector is one self-contained archive (collector/libpgopipe-collector.a).
if(TARGET pgopipe::collector)
  return()
endif()
if(NOT PGOPIPE_BUILD_DIR)
  message(FATAL_ERROR "collector.cmake needs -DPGOPIPE_BUILD_DIR=<pgopipe build dir>")
endif()
get_filename_component(_pgopipe_repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(_pgopipe_archive "${PGOPIPE_BUILD_DIR}/collector/libpgopipe-collector.a")
if(NOT EXISTS "${_pgopipe_archive}")
  message(FATAL_ERROR "${_pgopipe_archive} is missing: build pgopipe first")
endif()
find_package(Threads REQUIRED)
add_library(pgopipe::collector STATIC IMPORTED)
set_target_properties(pgopipe::collector PROPERTIES
  IMPORTED_LOCATION "${_pgopipe_archive}"
  IMPORTED_LINK_INTERFACE_LANGUAGES CXX
  INTERFACE_INCLUDE_DIRECTORIES "${_pgopipe_repo}/collector/include"
  INTERFACE_LINK_OPTIONS "LINKER:-u,pgopipe_collector_start"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
