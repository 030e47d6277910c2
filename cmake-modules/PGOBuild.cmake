# SPDX-License-Identifier: Apache-2.0
# Build-graph side of enable_pgo() (see PGO.cmake): staging the profile as a dependency,
# fetching it from a store, putting flags and state on targets. Private helpers only.
include_guard(GLOBAL)

# Makes `source` a build dependency that changes only when its content changes. Sets
# `out` to the path the compiler reads and _pgo_dep/_pgo_dep_target (caller's scope) to
# the file objects depend on and the target producing it.
function(_pgo_stage_profile source kind out)
  string(MD5 hash "${source}")
  string(SUBSTRING "${hash}" 0 10 hash)
  set(dir "${CMAKE_BINARY_DIR}/pgo")
  set(stage_target "pgo_profile_${hash}")
  if(kind STREQUAL "GCDA")
    # GCC reads one .gcda per object from the directory; objects depend on a digest of them.
    set(path "${source}")
    set(dep "${dir}/gcda-${hash}.sha256")
    file(GLOB_RECURSE gcda CONFIGURE_DEPENDS "${source}/*.gcda")
    set(command "${CMAKE_COMMAND}" -D_PGO_ACTION=digest "-D_PGO_IN=${source}" "-D_PGO_OUT=${dep}"
                -P "${_PGO_TOOLS}")
  else()
    set(ext profdata)
    if(kind STREQUAL "SAMPLE")
      set(ext afdo)
    endif()
    set(path "${dir}/profile-${hash}.${ext}")
    set(dep "${path}")
    set(gcda "${source}")
    set(command "${CMAKE_COMMAND}" -E copy_if_different "${source}" "${path}")
  endif()
  if(NOT TARGET ${stage_target})
    file(MAKE_DIRECTORY "${dir}")
    add_custom_command(OUTPUT "${dep}" COMMAND ${command} DEPENDS ${gcda}
                       COMMENT "pgo: checking profile ${source}" VERBATIM)
    add_custom_target(${stage_target} DEPENDS "${dep}")
  endif()
  set(${out} "${path}" PARENT_SCOPE)
  set(_pgo_dep "${dep}" PARENT_SCOPE)
  set(_pgo_dep_target "${stage_target}" PARENT_SCOPE)
endfunction()

# STORE/APP/WINDOW: `pgopipe merge` writes the profile at build time (when missing, or on
# the pgo-refresh target); copy_if_different keeps unchanged content from rebuilding objects.
macro(_pgo_store_profile profile_var kind_var)
  if(TARGET pgopipe)
    set(_pgo_exe "$<TARGET_FILE:pgopipe>")
  else()
    find_program(PGOPIPE_EXECUTABLE pgopipe HINTS ${_PGO_PACKAGE_BIN_DIR})
    if(NOT PGOPIPE_EXECUTABLE)
      message(FATAL_ERROR "STORE needs the pgopipe executable: put it on PATH or set "
                          "PGOPIPE_EXECUTABLE")
    endif()
    set(_pgo_exe "${PGOPIPE_EXECUTABLE}")
  endif()
  set(${kind_var} INSTR_IR)
  set(_pgo_ext profdata)
  if(arg_KIND STREQUAL "SAMPLE")
    set(${kind_var} SAMPLE)
    set(_pgo_ext afdo)
  endif()
  string(MD5 _pgo_hash "${arg_STORE};${arg_APP};${arg_WINDOW};${arg_KIND}")
  string(SUBSTRING "${_pgo_hash}" 0 10 _pgo_hash)
  set(${profile_var} "${CMAKE_BINARY_DIR}/pgo/${arg_APP}-${_pgo_hash}.${_pgo_ext}")
  set(_pgo_fetch "${CMAKE_BINARY_DIR}/pgo/${arg_APP}-${_pgo_hash}.fetched")
  set(_pgo_commands
    COMMAND "${_pgo_exe}" merge --store "${arg_STORE}" --app "${arg_APP}" --since "${arg_WINDOW}"
            -o "${_pgo_fetch}"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${_pgo_fetch}" "${${profile_var}}")
  set(_pgo_dep "${${profile_var}}")
  set(_pgo_dep_target "pgo_fetch_${_pgo_hash}")
  set(source "${arg_STORE} (app ${arg_APP}, last ${arg_WINDOW})")
  if(NOT TARGET ${_pgo_dep_target})
    file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/pgo")
    add_custom_command(OUTPUT "${_pgo_dep}" ${_pgo_commands}
                       COMMENT "pgo: merging the last ${arg_WINDOW} of ${arg_APP} from ${arg_STORE}"
                       VERBATIM)
    add_custom_target(${_pgo_dep_target} DEPENDS "${_pgo_dep}")
    add_custom_target(pgo-refresh-${_pgo_hash} ${_pgo_commands}
                      COMMENT "pgo: refreshing ${arg_APP} from ${arg_STORE}" VERBATIM)
    if(NOT TARGET pgo-refresh)
      add_custom_target(pgo-refresh)
    endif()
    add_dependencies(pgo-refresh pgo-refresh-${_pgo_hash})
  endif()
endmacro()

# Puts flags and state on one target; USE builds also get the profile dependency and the
# stale-profile report.
function(_pgo_apply t mode profile compile link)
  get_target_property(type "${t}" TYPE)
  target_compile_options("${t}" PRIVATE ${compile})
  if(link)
    if(type MATCHES "STATIC_LIBRARY|OBJECT_LIBRARY")
      target_link_options("${t}" INTERFACE ${link})
    else()
      target_link_options("${t}" PRIVATE ${link})
    endif()
  endif()
  set_target_properties("${t}" PROPERTIES PGO_MODE ${mode} PGO_PROFILE "${profile}"
                                           PGO_KIND "${kind}")
  if(NOT mode STREQUAL "USE")
    return()
  endif()
  add_dependencies("${t}" ${_pgo_dep_target})
  # Deferred arguments are evaluated when the call runs: bake the values in now.
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]]
                 CALL _pgo_object_depends [[${t}]] [[${_pgo_dep}]])")
  if(NOT PGO_REPORT_STALE)
    return()
  endif()
  set(report_dir "${CMAKE_BINARY_DIR}/pgo/targets/${t}")
  foreach(lang C CXX)
    get_target_property(old "${t}" ${lang}_COMPILER_LAUNCHER)
    if(NOT old)
      set(old "")
    endif()
    set_property(TARGET "${t}" PROPERTY ${lang}_COMPILER_LAUNCHER "${CMAKE_COMMAND}"
                 -D_PGO_ACTION=compile "-D_PGO_DIR=${report_dir}" -P "${_PGO_TOOLS}" -- ${old})
  endforeach()
  get_target_property(target_dir "${t}" SOURCE_DIR)
  if(target_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    add_custom_command(TARGET "${t}" POST_BUILD
      COMMAND "${CMAKE_COMMAND}" -D_PGO_ACTION=report "-D_PGO_DIR=${report_dir}"
              "-D_PGO_TARGET=${t}" "-D_PGO_PROFILE=${source}" -P "${_PGO_TOOLS}"
      VERBATIM)
  endif()
endfunction()

# Deferred to the end of configuration, when every source of `t` is known.
function(_pgo_object_depends t dep)
  get_target_property(sources "${t}" SOURCES)
  get_target_property(dir "${t}" SOURCE_DIR)
  foreach(src IN LISTS sources)
    if(src MATCHES "\\$<")
      continue()
    endif()
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${dir}")
    set_property(SOURCE "${src}" TARGET_DIRECTORY "${t}" APPEND PROPERTY OBJECT_DEPENDS "${dep}")
  endforeach()
endfunction()

# Sets the caller's RESULT variable and says what happened to which targets.
macro(_pgo_finish applied targets what)
  if(arg_RESULT)
    set(${arg_RESULT} ${applied} PARENT_SCOPE)
  endif()
  list(JOIN targets " " _pgo_names)
  message(STATUS "PGO ${_pgo_names}: ${what}")
endmacro()
