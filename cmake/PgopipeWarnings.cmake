# SPDX-License-Identifier: Apache-2.0
# pgopipe_target_defaults(<target>): warnings and sanitizer flags shared by every target.
function(pgopipe_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                         -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
  else()
    target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
  endif()
  if(PGOPIPE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                           -fno-sanitize-recover=undefined)
    # PUBLIC: a static library hands the sanitizer runtimes to whatever links it, so user
    # programs linking pgopipe::collector (e.g. the collector's clang-built test programs)
    # link and run the instrumented collector without flags of their own.
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
  if(PGOPIPE_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
