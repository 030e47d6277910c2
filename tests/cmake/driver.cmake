# SPDX-License-Identifier: Apache-2.0
# Drives one enable_pgo() scenario on tests/cmake/project with real compilers and ninja:
#   cmake -DSCENARIO=<instr|sample|gcc|off|errors|store> -DCXX=<compiler> -DVIA=<subdir|package>
#         -DWORK=<scratch dir> -DMODULE_DIR=... -DPGOPIPE_BUILD_DIR=... -DPROFDATA=llvm-profdata-19
#         [-DINSTR=IR|FRONTEND] [-DPGOPIPE=<pgopipe executable>] -P driver.cmake
cmake_minimum_required(VERSION 3.25)
set(PROJECT_DIR "${CMAKE_CURRENT_LIST_DIR}/project")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# Runs a command; fails the test with its output unless it exits 0. Output in `out`.
function(run out)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "command failed (${rc}): ${cmd}\n${o}")
  endif()
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

function(expect what regex text)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "expected ${what} (/${regex}/) in:\n${text}")
  endif()
endfunction()

function(expect_not what regex text)
  if(text MATCHES "${regex}")
    message(FATAL_ERROR "unexpected ${what} (/${regex}/: '${CMAKE_MATCH_0}') in:\n${text}")
  endif()
endfunction()

# Package consumers get the module from an install of the pgopipe_cmake component.
set(via_args "-DPGOPIPE_MODULE_DIR=${MODULE_DIR}")
if(VIA STREQUAL "package")
  run(o "${CMAKE_COMMAND}" --install "${PGOPIPE_BUILD_DIR}" --component pgopipe_cmake
      --prefix "${WORK}/prefix")
  expect("installed config" "pgopipeConfig.cmake" "${o}")
  if(SCENARIO MATCHES "collect|pkgconfig")
    run(o "${CMAKE_COMMAND}" --install "${PGOPIPE_BUILD_DIR}" --component pgopipe_collector
        --prefix "${WORK}/prefix")
    expect("installed collector" "libpgopipe-collector.a" "${o}")
    expect("installed pkg-config file" "pgopipe-collector.pc" "${o}")
  endif()
  set(via_args "-DPGOPIPE_VIA=package" "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
endif()

# Copies the project to `dir` (a different absolute path per build) and configures it.
function(configure out src build)
  if(NOT EXISTS "${src}/CMakeLists.txt")
    file(COPY "${PROJECT_DIR}/" DESTINATION "${src}")
  endif()
  run(o "${CMAKE_COMMAND}" -S "${src}" -B "${build}" -G Ninja "-DCMAKE_CXX_COMPILER=${CXX}"
      -DCMAKE_BUILD_TYPE=Release ${via_args} ${ARGN})
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

function(build out dir)
  run(o "${CMAKE_COMMAND}" --build "${dir}")
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

# The build after a no-op change must recompile nothing, and the one after that do nothing.
function(expect_no_rebuild dir)
  build(o "${dir}")
  expect_not("recompilation" "Building CXX|Linking" "${o}")
  build(o "${dir}")
  expect("an up-to-date build" "no work to do" "${o}")
endfunction()

function(scenario_instr)
  set(remarks "-Rpass-missed=inline -fdiagnostics-show-hotness -Werror -Wno-unused-command-line-argument")
  if(INSTR STREQUAL "IR")
    set(gen_flag "-fprofile-generate")
    set(static_key "work.cpp;_ZL3hoti")
    string(APPEND remarks " -mllvm -pgo-warn-missing-function")
  else()
    set(gen_flag "-fprofile-instr-generate")
    set(static_key "work.cpp:_ZL3hoti")
    string(APPEND remarks " -Wprofile-instr-unprofiled")
  endif()
  configure(o "${WORK}/src-a" "${WORK}/build-a" -DPGO=generate "-DPGO_INSTRUMENTATION=${INSTR}")
  expect("the generate mode" "PGO app work: instrumented" "${o}")
  file(READ "${WORK}/build-a/compile_commands.json" cc)
  expect("instrumentation flags" "${gen_flag}" "${cc}")
  build(o "${WORK}/build-a")
  run(o "${CMAKE_COMMAND}" -E env "LLVM_PROFILE_FILE=${WORK}/app-%p.profraw" "${WORK}/build-a/app")
  file(GLOB raw "${WORK}/app-*.profraw")
  if(NOT raw)
    message(FATAL_ERROR "the instrumented app wrote no profile")
  endif()
  run(o "${PROFDATA}" merge -o "${WORK}/app.profdata" ${raw})
  run(o "${PROFDATA}" show --all-functions "${WORK}/app.profdata")
  expect("static functions keyed by file name only" "  ${static_key}:" "${o}")

  # Another source and build directory applies the profile, static functions included.
  configure(o "${WORK}/src-b" "${WORK}/build-b" "-DPGO=${WORK}/app.profdata"
            "-DCMAKE_CXX_FLAGS=${remarks}")
  expect("the use mode" "PGO app work: optimised with .*app.profdata \\(INSTR_${INSTR}" "${o}")
  build(o "${WORK}/build-b")
  expect("profile counts in a static function"
         "'_ZL4coldi' not inlined into '_ZL3hoti'[^\n]*\\(hotness: [1-9]" "${o}")
  expect_not("functions without profile data" "no profile data available|have no data" "${o}")
  expect("the report" "pgo: app: profile .*applied; no out-of-date profile data" "${o}")

  # Touching the profile rebuilds nothing; new content rebuilds every object.
  file(TOUCH "${WORK}/app.profdata")
  expect_no_rebuild("${WORK}/build-b")
  run(o "${PROFDATA}" merge -o "${WORK}/app.profdata" -weighted-input=3,${raw})
  build(o "${WORK}/build-b")
  expect("a rebuild of work.cpp" "Building CXX object CMakeFiles/work.dir/work.cpp.o" "${o}")
  expect("a rebuild of main.cpp" "Building CXX object CMakeFiles/app.dir/main.cpp.o" "${o}")

  # A changed function is reported as out of date, and -Werror does not break the build.
  file(READ "${WORK}/src-b/work.cpp" src)
  string(REPLACE "{ return x % 5" "{ for (int k = 0; k < (x & 3); ++k) x ^= k * 7; return x % 5"
         src "${src}")
  file(WRITE "${WORK}/src-b/work.cpp" "${src}")
  build(o "${WORK}/build-b")
  expect("the out-of-date count" "pgo: work: [^\n]*; 1 function\\(s\\) in 1 object\\(s\\) have out-of-date" "${o}")
endfunction()

function(scenario_sample)
  # The production build to sample: line tables for profiling and frame-pointer stacks.
  configure(o "${WORK}/src" "${WORK}/build-sampled" -DPGO=auto -DPGO_TEST_CASE=sampled)
  file(READ "${WORK}/build-sampled/compile_commands.json" cc)
  expect("sampled build flags" "-g -fdebug-info-for-profiling -fno-omit-frame-pointer" "${cc}")
  expect_not("instrumentation in the sampled build" "-fprofile-(instr-)?generate" "${cc}")
  build(o "${WORK}/build-sampled")
  file(WRITE "${WORK}/app.afdo.txt" "_ZL3hoti:30000:10000\n 0: 10000\n 1: 10000\n"
             "_Z4worki:20000:1\n 0: 1\n 1: 10000\n 2: 10000 _ZL3hoti:10000\n")
  run(o "${PROFDATA}" merge --sample --extbinary -o "${WORK}/app.afdo" "${WORK}/app.afdo.txt")
  foreach(profile app.afdo.txt app.afdo)
    configure(o "${WORK}/src" "${WORK}/build" "-DPGO=${WORK}/${profile}"
              "-DCMAKE_CXX_FLAGS=-Rpass-missed=inline -fdiagnostics-show-hotness")
    expect("a sample profile" "optimised with .*${profile} \\(SAMPLE\\)" "${o}")
    file(READ "${WORK}/build/compile_commands.json" cc)
    expect("sample flags" "-fprofile-sample-use=[^ ]* -fdebug-info-for-profiling -fsample-profile-use-profi" "${cc}")
    build(o "${WORK}/build")
    expect("sample counts in a static function"
           "'_ZL4coldi' not inlined into '_ZL3hoti'[^\n]*\\(hotness: [1-9]" "${o}")
  endforeach()
  # Profile inference can be turned off; the profile still applies.
  configure(o "${WORK}/src" "${WORK}/build-noprofi" "-DPGO=${WORK}/app.afdo" -DPGO_SAMPLE_INFERENCE=OFF)
  file(READ "${WORK}/build-noprofi/compile_commands.json" cc)
  expect("sample flags without inference" "-fprofile-sample-use=[^ ]* -fdebug-info-for-profiling" "${cc}")
  expect_not("profile inference when turned off" "-fsample-profile-use-profi" "${cc}")
endfunction()

function(scenario_gcc)
  # GCC keys profiles by source path: same sources, another build directory.
  configure(o "${WORK}/src" "${WORK}/build-a" -DPGO=generate)
  build(o "${WORK}/build-a")
  run(o "${WORK}/build-a/app")
  file(GLOB_RECURSE gcda "${WORK}/build-a/pgo/gcda/*.gcda")
  list(LENGTH gcda n)
  if(NOT n EQUAL 2)
    message(FATAL_ERROR "expected 2 .gcda files from the instrumented app, got: ${gcda}")
  endif()
  configure(o "${WORK}/src" "${WORK}/build-b" "-DPGO=${WORK}/build-a/pgo/gcda")
  expect("the use mode" "optimised with .*gcda \\(GCDA\\)" "${o}")
  build(o "${WORK}/build-b")
  expect_not("missing profile data" "not found|missing-profile" "${o}")
  expect("the report" "pgo: app: profile .*applied; no out-of-date profile data" "${o}")
  find_program(READELF NAMES readelf llvm-readelf-19 REQUIRED)
  run(sections "${READELF}" -SW "${WORK}/build-b/CMakeFiles/work.dir/work.cpp.o")
  expect("profile-driven hot/cold sections" "\\.text\\.(hot|unlikely)" "${sections}")
  list(GET gcda 0 one)
  file(TOUCH "${one}")
  expect_no_rebuild("${WORK}/build-b")
  file(READ "${WORK}/src/work.cpp" src)
  string(REPLACE "{ return x % 5" "{ for (int k = 0; k < (x & 3); ++k) x ^= k * 7; return x % 5"
         src "${src}")
  file(WRITE "${WORK}/src/work.cpp" "${src}")
  build(o "${WORK}/build-b")
  expect("the out-of-date count" "pgo: work: [^\n]*; 1 function\\(s\\) in 1 object\\(s\\) have out-of-date" "${o}")
endfunction()

# PGO=off (the default): no profile flag, no launcher, no extra build step.
function(scenario_off)
  configure(o "${WORK}/src" "${WORK}/build")
  expect("the off mode" "PGO app work: PGO off" "${o}")
  file(READ "${WORK}/build/compile_commands.json" cc)
  expect_not("a PGO flag" "profile|PGOTools|-mllvm" "${cc}")
  file(READ "${WORK}/build/build.ninja" ninja)
  expect_not("a PGO build step" "PGOTools|pgo_profile_|pgo_fetch_|/pgo/" "${ninja}")
  build(o "${WORK}/build")
  expect_not("PGO output" "pgo:" "${o}")
endfunction()

# Wrong usage fails at configure time naming the argument; one build dir, reconfigured.
function(expect_configure_error regex)
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${WORK}/src" -B "${WORK}/build" -G Ninja
                          "-DCMAKE_CXX_COMPILER=${CXX}" ${via_args} -DPGO=off
                          -DPGO_TEST_CASE= ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  if(rc EQUAL 0)
    message(FATAL_ERROR "configure with ${ARGN} succeeded; expected /${regex}/:\n${o}")
  endif()
  string(REGEX REPLACE "[ \n]+" " " o "${o}")  # CMake wraps long messages
  expect("the error for ${ARGN}" "${regex}" "${o}")
endfunction()

function(scenario_errors)
  configure(o "${WORK}/src" "${WORK}/build" -DPGO=auto -DPGO_TEST_CASE=missing_soft)
  expect("a soft failure through RESULT" "pgo-test: applied=FALSE" "${o}")
  expect_not("a warning when RESULT is given" "Warning" "${o}")
  if(CXX MATCHES "(^|/)g\\+\\+[^/]*$")
    expect_configure_error("COLLECT needs clang's instrumentation" -DPGO=auto -DPGO_TEST_CASE=collect)
  else()
    configure(o "${WORK}/src" "${WORK}/build" -DPGO=auto -DPGO_TEST_CASE=collect)
    file(READ "${WORK}/build/build.ninja" ninja)
    expect("the collector linked into the instrumented app"
           "build app: CXX_EXECUTABLE_LINKER[^\n]*libcollector_for_test.a" "${ninja}")
  endif()
  expect_configure_error("unknown argument\\(s\\): PROFILLE" -DPGO_TEST_CASE=unknown_keyword)
  expect_configure_error("unknown keyword 'MDOE'" -DPGO_TEST_CASE=unknown_leading_keyword)
  expect_configure_error("'no_such_target' is not a target" -DPGO_TEST_CASE=no_such_target)
  expect_configure_error("MODE must be one of" -DPGO=auto -DPGO_TEST_CASE=bad_mode)
  expect_configure_error("WINDOW is missing" -DPGO_TEST_CASE=store_incomplete)
  expect_configure_error("missing.profdata does not exist \\(REQUIRED\\)" -DPGO=auto
                         -DPGO_TEST_CASE=missing_required)
  set(no_collector_error "COLLECT needs the target pgopipe::collector")
  if(CXX MATCHES "(^|/)g\\+\\+[^/]*$")
    set(no_collector_error "COLLECT needs clang's instrumentation")  # GCC: said first
  endif()
  expect_configure_error("${no_collector_error}" -DPGO=auto -DPGO_TEST_CASE=collect_without_collector)
  expect_configure_error("PGO=nowhere.profdata: profile .* does not exist" -DPGO=nowhere.profdata)
  execute_process(COMMAND printf "\\x81rforpl\\xff\\x0a\\0\\0\\0\\0\\0\\0\\0"
                  OUTPUT_FILE "${WORK}/app.profraw")
  expect_configure_error("raw LLVM profile \\(.profraw\\); merge it first"
                         "-DPGO=${WORK}/app.profraw")
  file(WRITE "${WORK}/junk.bin" "# not a profile\n")
  expect_configure_error("is not a profile a compiler can use" "-DPGO=${WORK}/junk.bin")
  if(CXX MATCHES "(^|/)g\\+\\+[^/]*$")
    file(WRITE "${WORK}/app.afdo.txt" "_Z4worki:20000:1\n 0: 1\n")
    expect_configure_error("LLVM SAMPLE profile, which GCC cannot use" "-DPGO=${WORK}/app.afdo.txt")
  endif()
endfunction()

# STORE: the profile is merged at build time by `pgopipe merge` with the documented interface:
# a real profile pushed into the store is fetched by the build, equals llvm-profdata's merge
# of the same file, and the compiler applies it.
function(scenario_store)
  configure(o "${WORK}/src-gen" "${WORK}/build-gen" -DPGO=generate)
  build(o "${WORK}/build-gen")
  run(o "${CMAKE_COMMAND}" -E env "LLVM_PROFILE_FILE=${WORK}/app.profraw" "${WORK}/build-gen/app")
  run(o "${PGOPIPE}" push "${WORK}/app.profraw" --store "file://${WORK}/store" --app app)
  configure(o "${WORK}/src" "${WORK}/build" -DPGO=auto -DPGO_TEST_CASE=store
            "-DPGO_TEST_STORE=file://${WORK}/store" "-DPGOPIPE_EXECUTABLE=${PGOPIPE}")
  file(READ "${WORK}/build/build.ninja" ninja)
  expect("the merge command"
         "merge --store file://${WORK}/store --app app --since 24h -o [^ ]*/pgo/app-[0-9a-f]+\\.fetched"
         "${ninja}")
  file(READ "${WORK}/build/compile_commands.json" cc)
  expect("the fetched profile as -fprofile-use" "-fprofile-use=[^ ]*/pgo/app-[0-9a-f]+\\.profdata" "${cc}")
  build(o "${WORK}/build")
  file(GLOB fetched "${WORK}/build/pgo/app-*.profdata")
  list(LENGTH fetched n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "expected one fetched profile after the build, got: ${fetched}\n${o}")
  endif()
  run(o "${PROFDATA}" merge -o "${WORK}/ref.profdata" "${WORK}/app.profraw")
  run(ours "${PROFDATA}" show --all-functions --counts ${fetched})
  run(ref "${PROFDATA}" show --all-functions --counts "${WORK}/ref.profdata")
  expect("counts in the fetched profile" "Block counts: \\[[1-9]" "${ours}")
  if(NOT ours STREQUAL ref)
    message(FATAL_ERROR "the build-time merge differs from llvm-profdata merge:\n${ours}\n--- vs ---\n${ref}")
  endif()
endfunction()

# `pgopipe build cmake`: the CLI drives configure + build with -DPGO and a job count.
function(scenario_cli)
  file(COPY "${PROJECT_DIR}/" DESTINATION "${WORK}/src")
  set(cmake_args -- -G Ninja "-DCMAKE_CXX_COMPILER=${CXX}" -DCMAKE_BUILD_TYPE=Release ${via_args})
  run(o "${PGOPIPE}" build cmake -S "${WORK}/src" -B "${WORK}/build-a" --pgo generate ${cmake_args})
  expect("the generate mode" "PGO app work: instrumented" "${o}")
  expect("the job count from the CPU limit" "building with [0-9]+ job\\(s\\)" "${o}")
  run(o "${CMAKE_COMMAND}" -E env "LLVM_PROFILE_FILE=${WORK}/app.profraw" "${WORK}/build-a/app")
  run(o "${PROFDATA}" merge -o "${WORK}/app.profdata" "${WORK}/app.profraw")
  run(o "${PGOPIPE}" build cmake -S "${WORK}/src" -B "${WORK}/build-b" --profile "${WORK}/app.profdata"
      -j 2 ${cmake_args})
  expect("the use mode" "-DPGO=${WORK}/app.profdata" "${o}")
  expect("the report" "pgo: app: profile .*applied; no out-of-date profile data" "${o}")
  execute_process(COMMAND "${PGOPIPE}" build cmake -S "${WORK}/src" -B "${WORK}/build-c"
                          --profile "${WORK}/app.profraw" ${cmake_args}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  expect("an Input error (4) for a raw profile" "^4$" "${rc}")
  expect("the raw-profile message" "app.profraw is a raw profile \\(.profraw\\): merge it first" "${o}")
  execute_process(COMMAND "${PGOPIPE}" build cmake -S "${WORK}/src" -B "${WORK}/build-d" --pgo auto
                          ${cmake_args} -DPGO_TEST_CASE=unknown_keyword
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  expect("a Tool error (8) for a failing configure" "^8$" "${rc}")
  expect("the failing command" "command failed with exit code 1: [^\n]*cmake -S ${WORK}/src -B ${WORK}/build-d -DPGO=auto" "${o}")
endfunction()

# Runs the instrumented `exe` with the collector on; checks what it spooled with llvm-profdata
# and that the binary needs no shared library beyond the C/C++ runtime.
function(expect_collected exe)
  file(REMOVE_RECURSE "${WORK}/spool")
  run(o "${CMAKE_COMMAND}" -E env PGOPIPE_APP=app "PGOPIPE_SPOOL_DIR=${WORK}/spool"
      PGOPIPE_INTERVAL=100ms "LLVM_PROFILE_FILE=${WORK}/end.profraw" "${exe}")
  expect("the collector's start message" "collecting app every 100ms, build id [0-9a-f]+, into spool ${WORK}/spool" "${o}")
  expect("the last interval flushed at exit" "stopped after [1-9][0-9]* interval" "${o}")
  file(GLOB spooled "${WORK}/spool/*.prof")
  file(GLOB metas "${WORK}/spool/*.meta.json")
  list(LENGTH spooled n)
  list(LENGTH metas m)
  if(n EQUAL 0 OR NOT n EQUAL m)
    message(FATAL_ERROR "expected spooled profiles with metadata, got: ${spooled} / ${metas}\n${o}")
  endif()
  run(o "${PROFDATA}" merge -o "${WORK}/spooled.profdata" ${spooled})
  run(o "${PROFDATA}" show --all-functions "${WORK}/spooled.profdata")
  expect("main in the spooled profile" "main" "${o}")
  run(o ldd "${exe}")
  expect_not("a shared library of pgopipe's dependencies"
             "curl|ssl|crypto|yaml|spdlog|fmt|protobuf|LLVM|boost" "${o}")
endfunction()

# enable_pgo(app work MODE GENERATE COLLECT) against pgopipe::collector from the prefix alone.
function(scenario_collect)
  configure(o "${WORK}/src" "${WORK}/build" -DPGO=generate "-DPGO_INSTRUMENTATION=${INSTR}"
            -DPGO_TEST_CASE=collect_installed)
  expect("the generate mode" "PGO app work: instrumented \\(clang ${INSTR}\\)" "${o}")
  file(READ "${WORK}/build/build.ninja" ninja)
  expect("the installed collector linked into app"
         "build app: CXX_EXECUTABLE_LINKER[^\n]*${WORK}/prefix/[^ ]*/libpgopipe-collector.a" "${ninja}")
  build(o "${WORK}/build")
  expect_collected("${WORK}/build/app")
endfunction()

# With g++, COLLECT is a configure error that says why.
function(scenario_collect_gcc)
  file(COPY "${PROJECT_DIR}/" DESTINATION "${WORK}/src")
  expect_configure_error("COLLECT needs clang's instrumentation" -DPGO=generate
                         -DPGO_TEST_CASE=collect_installed)
endfunction()

# A plain Makefile builds a C program against the installed pgopipe-collector.pc.
function(scenario_pkgconfig)
  find_program(MAKE_EXE make)
  find_program(PKG_CONFIG_EXE pkg-config)
  if(NOT MAKE_EXE OR NOT PKG_CONFIG_EXE)
    message("PGOPIPE-SKIP: make or pkg-config not found")
    return()
  endif()
  file(WRITE "${WORK}/mk/app.c" "#include <stdio.h>\n#include <pgopipe/collector.h>\n"
       "static int hot(int i) { return i % 7; }\n"
       "int main(void) { int s = 0; for (int i = 0; i < 100000; ++i) s += hot(i);\n"
       "  printf(\"%d %s\\n\", s, pgopipe_collector_error()); return 0; }\n")
  file(WRITE "${WORK}/mk/Makefile" "app: app.c\n"
       "\t$(CC) -O1 -fprofile-instr-generate app.c $(shell pkg-config --cflags --libs pgopipe-collector) -o app\n")
  run(o "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${WORK}/prefix/lib/pkgconfig"
      "${PKG_CONFIG_EXE}" --cflags --libs pgopipe-collector)
  expect("flags from the installed prefix" "-I${WORK}/prefix/[^ ]*include" "${o}")
  run(o "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${WORK}/prefix/lib/pkgconfig" "${MAKE_EXE}"
      -C "${WORK}/mk" "CC=${CC}")
  expect_collected("${WORK}/mk/app")
endfunction()

cmake_language(CALL scenario_${SCENARIO})
message(STATUS "scenario ${SCENARIO} (${CXX}, ${VIA}) passed")
