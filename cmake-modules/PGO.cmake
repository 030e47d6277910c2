# SPDX-License-Identifier: Apache-2.0
#[=======================================================================[.rst:
PGO
---

Profile-guided optimisation of CMake targets with pgopipe profiles.

.. code-block:: cmake

  enable_pgo(<target>...
             [MODE GENERATE|USE|AUTO]
             [PROFILE <file-or-directory>]
             [KIND INSTR|SAMPLE|AUTO]
             [STORE <url> APP <name> WINDOW <duration>]
             [COLLECT] [REQUIRED] [RESULT <var>])

The cache variable ``PGO`` decides for every target that called ``enable_pgo``:

``off`` (default)
  No PGO at all: no flag, no dependency, no build step. The build is exactly the
  build without ``enable_pgo``.
``generate``
  Instrumented build (``MODE GENERATE``); running the binaries writes profiles.
``<path>``
  Optimise with this profile (``MODE USE``); a relative path is relative to the
  top-level source directory. A missing file is an error.
``auto``
  Each call's own arguments decide (``MODE``, default ``AUTO``: use ``STORE`` or
  ``PROFILE`` when available, otherwise build without PGO).

A project may pick its own default before including this module, e.g.
``set(PGO auto CACHE STRING "")``; ``cmake -DPGO=...`` and, through it,
``docker build --build-arg PGO=...`` override it.

Arguments:

``MODE``      ``GENERATE`` (instrument), ``USE`` (optimise with a profile; it must exist
              unless ``REQUIRED`` is absent, then the target builds without PGO),
              ``AUTO`` (use a profile when there is one). Only read when ``PGO=auto``.
``PROFILE``   The profile: an indexed LLVM ``.profdata``, an LLVM sample profile
              (text, binary or extbinary) or, for GCC, a directory of ``.gcda`` files.
              Its kind is detected from its bytes; raw ``.profraw`` must be merged first.
``KIND``      ``INSTR`` or ``SAMPLE`` to insist on a kind (``GENERATE`` with ``SAMPLE``
              builds the binary to sample in production: ``-g -fdebug-info-for-profiling
              -fno-omit-frame-pointer``, so samples map to source lines and their
              frame-pointer stacks give ``pgopipe convert`` the call targets; ``USE``
              with a sample profile adds ``-fdebug-info-for-profiling``, and profile
              inference unless ``PGO_SAMPLE_INFERENCE`` is OFF).
``STORE``/``APP``/``WINDOW``
              Fetch and merge the profile at build time:
              ``pgopipe merge --store <url> --app <name> --since <duration> -o ...``.
              It runs when the merged profile is missing; ``cmake --build . --target
              pgo-refresh`` fetches it again (objects rebuild only if its content changed).
``COLLECT``   Link ``pgopipe::collector`` into ``GENERATE`` builds (ignored otherwise);
              clang only: with GCC or ``KIND SAMPLE`` it is a configure error.
``REQUIRED``  A missing profile is a configure error.
``RESULT``    Set ``<var>`` to ``TRUE`` when PGO flags were applied, ``FALSE`` otherwise;
              soft failures (a missing profile without ``REQUIRED``) are then silent.

Target properties record the outcome: ``PGO_MODE`` (``GENERATE`` or ``USE``),
``PGO_KIND`` and ``PGO_PROFILE`` (the file the compiler reads).

Other cache variables: ``PGO_INSTRUMENTATION`` (``IR`` or ``FRONTEND``, clang's
instrumentation for ``generate``), ``PGO_GENERATE_DIR`` (where instrumented binaries
write profiles; empty: the compiler's default, ``LLVM_PROFILE_FILE`` always wins),
``PGO_REPORT_STALE`` (count functions whose profile data is out of date and print the
count after each link), ``PGO_SAMPLE_INFERENCE`` (sample profiles build with clang's
flow-based profile inference, ``-fsample-profile-use-profi``; default ON), ``PGOPIPE_EXECUTABLE``.

The profile is copied into ``<build>/pgo/`` only when its content changes, so touching it
rebuilds nothing while new content rebuilds the target's objects. Profiles apply across
build locations: clang IR instrumentation keys static functions by file name only
(``-mllvm -static-func-full-module-prefix=false``, in both builds), frontend
instrumentation does so by default, and GCC gets ``-fprofile-prefix-path=<build dir>``
(GCC still needs the same source directory). Out-of-date profile data is reported, never
an error.

Examples:

.. code-block:: cmake

  find_package(pgopipe CONFIG REQUIRED)   # or add_subdirectory(pgopipe/cmake-modules), or
  # FetchContent_Declare(pgopipe GIT_REPOSITORY ... SOURCE_SUBDIR cmake-modules)
  # FetchContent_MakeAvailable(pgopipe)
  add_executable(server main.cpp)
  enable_pgo(server)                      # cmake -DPGO=generate / -DPGO=server.profdata

  set(PGO auto CACHE STRING "")
  enable_pgo(server MODE AUTO STORE s3://profiles APP server WINDOW 24h)

  enable_pgo(server MODE USE PROFILE pgo/server.afdo KIND SAMPLE REQUIRED)
#]=======================================================================]
include_guard(GLOBAL)
cmake_minimum_required(VERSION 3.25)

# Internal cache: visible from every directory, whichever one included this module.
set(_PGO_TOOLS "${CMAKE_CURRENT_LIST_DIR}/PGOTools.cmake" CACHE INTERNAL "")
set(_PGO_IR_PREFIX "SHELL:-mllvm -static-func-full-module-prefix=false" CACHE INTERNAL "")
set(PGO off CACHE STRING "PGO for targets using enable_pgo(): off, generate, auto or a profile path")
set(PGO_INSTRUMENTATION IR CACHE STRING "clang instrumentation for PGO=generate: IR or FRONTEND")
set_property(CACHE PGO_INSTRUMENTATION PROPERTY STRINGS IR FRONTEND)
set(PGO_GENERATE_DIR "" CACHE PATH "Directory instrumented binaries write profiles to")
option(PGO_REPORT_STALE "Report functions with out-of-date profile data after each link" ON)
option(PGO_SAMPLE_INFERENCE "Sample profiles: clang's flow-based profile inference (-fsample-profile-use-profi)" ON)

function(enable_pgo)
  list(APPEND CMAKE_MESSAGE_CONTEXT "enable_pgo")
  set(flags COLLECT REQUIRED)
  set(single MODE PROFILE KIND STORE APP WINDOW RESULT)
  # Leading arguments up to the first keyword are targets.
  set(targets "")
  set(rest ${ARGN})
  while(rest)
    list(GET rest 0 word)
    if(word IN_LIST flags OR word IN_LIST single)
      break()
    endif()
    list(POP_FRONT rest)
    if(NOT TARGET "${word}")
      if(word MATCHES "^[A-Z_]+$")
        message(FATAL_ERROR "unknown keyword '${word}' (keywords: ${flags} ${single})")
      endif()
      message(FATAL_ERROR "'${word}' is not a target")
    endif()
    list(APPEND targets "${word}")
  endwhile()
  cmake_parse_arguments(arg "${flags}" "${single}" "" ${rest})
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " bad)
    message(FATAL_ERROR "unknown argument(s): ${bad} (keywords: ${flags} ${single})")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "missing value for ${arg_KEYWORDS_MISSING_VALUES}")
  endif()
  if(NOT targets)
    message(FATAL_ERROR "no target given: enable_pgo(<target>... [MODE ...])")
  endif()
  _pgo_check_choice(MODE "${arg_MODE}" "GENERATE;USE;AUTO" AUTO)
  _pgo_check_choice(KIND "${arg_KIND}" "INSTR;SAMPLE;AUTO" AUTO)
  if(arg_STORE OR arg_APP OR arg_WINDOW)
    foreach(kw STORE APP WINDOW)
      if(NOT arg_${kw})
        message(FATAL_ERROR "STORE, APP and WINDOW go together: ${kw} is missing")
      endif()
    endforeach()
  endif()
  foreach(t IN LISTS targets)
    _pgo_check_target("${t}")
  endforeach()

  _pgo_resolve_request(mode source)
  if(mode STREQUAL "OFF")
    _pgo_finish(FALSE "${targets}" "PGO off")
    return()
  endif()
  _pgo_compiler(compiler)
  if(mode STREQUAL "GENERATE")
    if(arg_COLLECT AND compiler STREQUAL "GNU")
      message(FATAL_ERROR "COLLECT needs clang's instrumentation (-fprofile-instr-generate or "
                          "-fprofile-generate): pgopipe::collector reads LLVM's profile counters, "
                          "and GCC's -fprofile-generate writes .gcda files only at exit. Build "
                          "with clang, or drop COLLECT and collect the .gcda files")
    elseif(arg_COLLECT AND arg_KIND STREQUAL "SAMPLE")
      message(FATAL_ERROR "COLLECT needs an instrumented build, not KIND SAMPLE "
                          "(collect sampled profiles with `pgopipe collect perf`)")
    endif()
    _pgo_generate_flags("${compiler}" compile link)
    set(kind_label "clang ${PGO_INSTRUMENTATION}")
    set(kind "INSTR_${PGO_INSTRUMENTATION}")
    if(arg_KIND STREQUAL "SAMPLE")
      set(kind_label "debug info for sampling")
      set(kind SAMPLE)
    elseif(compiler STREQUAL "GNU")
      set(kind_label "GCC")
      set(kind GCDA)
    endif()
    foreach(t IN LISTS targets)
      _pgo_apply("${t}" GENERATE "" "${compile}" "${link}")
      if(arg_COLLECT)
        if(NOT TARGET pgopipe::collector)
          message(FATAL_ERROR "COLLECT needs the target pgopipe::collector, which does not exist "
                              "(find_package(pgopipe) with the collector installed, or add pgopipe)")
        endif()
        target_link_libraries("${t}" PRIVATE pgopipe::collector)
      endif()
    endforeach()
    _pgo_finish(TRUE "${targets}" "instrumented (${kind_label})")
    return()
  endif()

  # USE: from the store (merged at build time) or from a file checked now.
  if(source STREQUAL "STORE")
    _pgo_store_profile(profile kind)
  else()
    _pgo_detect_kind("${source}" kind)
    if(arg_KIND STREQUAL "INSTR" AND NOT kind MATCHES "^INSTR|^GCDA")
      message(FATAL_ERROR "KIND INSTR, but ${source} is a ${kind} profile")
    elseif(arg_KIND STREQUAL "SAMPLE" AND NOT kind STREQUAL "SAMPLE")
      message(FATAL_ERROR "KIND SAMPLE, but ${source} is a ${kind} profile")
    endif()
    _pgo_stage_profile("${source}" "${kind}" profile)
  endif()
  _pgo_use_flags("${compiler}" "${kind}" "${profile}" "${source}" compile link)
  foreach(t IN LISTS targets)
    _pgo_apply("${t}" USE "${profile}" "${compile}" "${link}")
  endforeach()
  _pgo_finish(TRUE "${targets}" "optimised with ${source} (${kind})")
endfunction()

# MODE/KIND values: one of `choices`, upper-cased; `default` when absent.
macro(_pgo_check_choice keyword value choices default)
  if("${value}" STREQUAL "")
    set(arg_${keyword} ${default})
  else()
    string(TOUPPER "${value}" arg_${keyword})
    set(_pgo_choices ${choices})
    if(NOT arg_${keyword} IN_LIST _pgo_choices)
      message(FATAL_ERROR "${keyword} must be one of ${choices}, not '${value}'")
    endif()
  endif()
endmacro()

function(_pgo_check_target t)
  get_target_property(aliased "${t}" ALIASED_TARGET)
  get_target_property(imported "${t}" IMPORTED)
  get_target_property(type "${t}" TYPE)
  get_target_property(done "${t}" PGO_MODE)
  if(aliased OR imported)
    message(FATAL_ERROR "target '${t}' is an alias or imported target; name the real target")
  elseif(NOT type MATCHES "EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY")
    message(FATAL_ERROR "target '${t}' is a ${type}, which has no compiled code")
  elseif(done)
    message(FATAL_ERROR "enable_pgo() was already called for target '${t}'")
  endif()
endfunction()

# Decides OFF / GENERATE / USE and where the profile comes from: a path, STORE or "".
macro(_pgo_resolve_request mode_var source_var)
  string(TOLOWER "${PGO}" _pgo_value)
  set(${source_var} "")
  if(_pgo_value MATCHES "^(off|no|false|0|n|)$")
    set(${mode_var} OFF)
  elseif(_pgo_value STREQUAL "generate")
    set(${mode_var} GENERATE)
  elseif(NOT _pgo_value STREQUAL "auto")
    cmake_path(ABSOLUTE_PATH PGO BASE_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE _pgo_path)
    if(NOT EXISTS "${_pgo_path}")
      message(FATAL_ERROR "PGO=${PGO}: profile ${_pgo_path} does not exist")
    endif()
    set(${mode_var} USE)
    set(${source_var} "${_pgo_path}")
  elseif(arg_MODE STREQUAL "GENERATE")
    set(${mode_var} GENERATE)
  elseif(arg_STORE)
    set(${mode_var} USE)
    set(${source_var} STORE)
  elseif(NOT arg_PROFILE)
    if(arg_MODE STREQUAL "USE" OR arg_REQUIRED)
      message(FATAL_ERROR "MODE ${arg_MODE} needs PROFILE <file> or STORE/APP/WINDOW")
    endif()
    set(${mode_var} OFF)
  else()
    cmake_path(ABSOLUTE_PATH arg_PROFILE BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
               OUTPUT_VARIABLE _pgo_path)
    if(EXISTS "${_pgo_path}")
      set(${mode_var} USE)
      set(${source_var} "${_pgo_path}")
    elseif(arg_REQUIRED)
      message(FATAL_ERROR "PROFILE ${_pgo_path} does not exist (REQUIRED)")
    else()
      if(NOT arg_RESULT)
        message(WARNING "PROFILE ${_pgo_path} does not exist: building without PGO")
      endif()
      set(${mode_var} OFF)
    endif()
  endif()
endmacro()

# GNU or Clang, from the first enabled language among CXX and C; anything else is an error.
function(_pgo_compiler out)
  get_property(langs GLOBAL PROPERTY ENABLED_LANGUAGES)
  foreach(lang CXX C)
    if(lang IN_LIST langs)
      set(id "${CMAKE_${lang}_COMPILER_ID}")
      break()
    endif()
  endforeach()
  if(NOT id MATCHES "^(GNU|Clang)$")
    message(FATAL_ERROR "PGO needs clang or GCC (C or C++); the compiler is '${id}'")
  endif()
  set(${out} "${id}" PARENT_SCOPE)
endfunction()

function(_pgo_generate_flags compiler compile_out link_out)
  if(arg_KIND STREQUAL "SAMPLE")
    if(compiler STREQUAL "GNU")
      message(FATAL_ERROR "KIND SAMPLE needs clang: GCC cannot use LLVM sample profiles")
    endif()
    set(compile -g -fdebug-info-for-profiling -fno-omit-frame-pointer)
    set(link "")
  elseif(compiler STREQUAL "GNU")
    set(dir "${PGO_GENERATE_DIR}")
    if(NOT dir)
      set(dir "${CMAKE_BINARY_DIR}/pgo/gcda")
    endif()
    set(compile "-fprofile-generate=${dir}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}")
    set(link "-fprofile-generate=${dir}")
  elseif(PGO_INSTRUMENTATION STREQUAL "FRONTEND")
    set(flag -fprofile-instr-generate)
    if(PGO_GENERATE_DIR)
      set(flag "-fprofile-instr-generate=${PGO_GENERATE_DIR}/%m-%p.profraw")
    endif()
    set(compile "${flag}")
    set(link "${flag}")
  elseif(PGO_INSTRUMENTATION STREQUAL "IR")
    set(flag -fprofile-generate)
    if(PGO_GENERATE_DIR)
      set(flag "-fprofile-generate=${PGO_GENERATE_DIR}")
    endif()
    set(compile "${flag}" "${_PGO_IR_PREFIX}")
    set(link "${flag}")
  else()
    message(FATAL_ERROR "PGO_INSTRUMENTATION must be IR or FRONTEND, not '${PGO_INSTRUMENTATION}'")
  endif()
  set(${compile_out} "${compile}" PARENT_SCOPE)
  set(${link_out} "${link}" PARENT_SCOPE)
endfunction()

function(_pgo_use_flags compiler kind profile source compile_out link_out)
  if(compiler STREQUAL "GNU")
    if(NOT kind STREQUAL "GCDA")
      message(FATAL_ERROR "${source} is an LLVM ${kind} profile, which GCC cannot use; build with "
                          "clang, or give GCC a directory of .gcda files from a GCC PGO=generate build")
    endif()
    set(compile "-fprofile-use=${profile}" -fprofile-partial-training
                "-fprofile-prefix-path=${CMAKE_BINARY_DIR}"
                -Wno-error=coverage-mismatch -Wno-error=missing-profile)
    set(link "-fprofile-use=${profile}")
  elseif(kind STREQUAL "GCDA")
    message(FATAL_ERROR "${source} holds GCC .gcda files, which clang cannot use")
  elseif(kind STREQUAL "SAMPLE")
    # Profile inference: measured ahead on the example service (BENCHMARKS.md, "Levers without LBR").
    set(compile "-fprofile-sample-use=${profile}" -fdebug-info-for-profiling)
    if(PGO_SAMPLE_INFERENCE)
      list(APPEND compile -fsample-profile-use-profi)
    endif()
    set(link "")
  else()
    set(flag "-fprofile-use=${profile}")
    if(kind STREQUAL "INSTR_FRONTEND")
      set(flag "-fprofile-instr-use=${profile}")
    endif()
    set(compile "${flag}" "${_PGO_IR_PREFIX}" -Wno-error=profile-instr-out-of-date
                -Wno-error=profile-instr-unprofiled -Wno-error=backend-plugin)
    set(link "")
  endif()
  set(${compile_out} "${compile}" PARENT_SCOPE)
  set(${link_out} "${link}" PARENT_SCOPE)
endfunction()

# Profile kind from its bytes: INSTR_IR, INSTR_FRONTEND, SAMPLE, GCDA; anything else fails.
function(_pgo_detect_kind path out)
  if(IS_DIRECTORY "${path}")
    file(GLOB_RECURSE gcda "${path}/*.gcda")
    if(NOT gcda)
      message(FATAL_ERROR "profile directory ${path} holds no .gcda files")
    endif()
    set(${out} GCDA PARENT_SCOPE)
    return()
  endif()
  file(READ "${path}" head LIMIT 16 HEX)
  string(SUBSTRING "${head}" 0 16 magic)
  if(magic MATCHES "^(ff6c70726f666981|81696670726f6cff)$")
    string(SUBSTRING "${head}" 30 2 flags)  # high byte of the version: bit 0 = IR
    if(flags MATCHES "[13579bdf]$")
      set(${out} INSTR_IR PARENT_SCOPE)
    else()
      set(${out} INSTR_FRONTEND PARENT_SCOPE)
    endif()
  elseif(magic MATCHES "^(8172666f72706cff|ff6c70726f667281|8152666f72706cff|ff6c70726f665281)$")
    message(FATAL_ERROR "${path} is a raw LLVM profile (.profraw); merge it first: "
                        "pgopipe merge (or llvm-profdata merge -o app.profdata ${path})")
  elseif(head MATCHES "^(84e4|ffe5)d0b1f4c994a853")  # ULEB128 of the SPROF42 magic
    set(${out} SAMPLE PARENT_SCOPE)
  elseif(head MATCHES "^1f8b")
    message(FATAL_ERROR "${path} is a gzip-compressed (pprof) profile; convert it to an LLVM "
                        "sample profile first (pgopipe convert)")
  elseif(head MATCHES "^61646367")
    message(FATAL_ERROR "${path} is a single GCC .gcda file; pass the directory holding them")
  else()
    file(READ "${path}" text LIMIT 4096)
    if(text MATCHES "^[^ \t\r\n][^\r\n]*:[0-9]+:[0-9]+(\r?\n|$)")
      set(${out} SAMPLE PARENT_SCOPE)
    else()
      message(FATAL_ERROR "${path} is not a profile a compiler can use (first bytes: ${head}); "
                          "expected .profdata, an LLVM sample profile or a .gcda directory")
    endif()
  endif()
endfunction()

include("${CMAKE_CURRENT_LIST_DIR}/PGOBuild.cmake")
