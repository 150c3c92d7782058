# tests/fuzz/tests.cmake — included by tests/CMakeLists.txt.
#
#  - fuzz_<t>_replay: each libFuzzer target linked with replay.c, run by ctest
#    over its seed corpus tests/fuzz/corpus/<t>/ (no libFuzzer needed);
#  - fuzz_<t>: the real libFuzzer binaries, when TKM_BUILD_FUZZERS is ON and
#    the compiler is clang (see tests/fuzz/run.sh);
#  - test_threads (concurrency, run under TSan by tests/tsan.sh) and
#    test_alloc_fail (allocation-failure injection).

set(TKM_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(TKM_FUZZ_TARGETS roundtrip count fastpath ranks)

foreach(t IN LISTS TKM_FUZZ_TARGETS)
  add_executable(fuzz_${t}_replay ${TKM_FUZZ_DIR}/fuzz_${t}.c ${TKM_FUZZ_DIR}/replay.c)
  target_link_libraries(fuzz_${t}_replay PRIVATE tokmeter)
  target_compile_options(fuzz_${t}_replay PRIVATE ${TKM_WARNINGS})
  target_compile_definitions(fuzz_${t}_replay PRIVATE DATA_DIR="${PROJECT_SOURCE_DIR}/data")
  add_test(NAME fuzz_${t}_replay COMMAND fuzz_${t}_replay ${TKM_FUZZ_DIR}/corpus/${t})
endforeach()

if(TKM_BUILD_FUZZERS)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(WARNING "TKM_BUILD_FUZZERS needs clang (libFuzzer); "
                    "${CMAKE_C_COMPILER_ID} found: only the replay drivers are built")
  else()
    # Coverage instrumentation for the library. The sanitizers come from
    # TKM_SANITIZE (global options); without it, add them here, and make every
    # consumer of the static library link their runtimes.
    set(TKM_FUZZ_SAN)
    if(NOT TKM_SANITIZE)
      set(TKM_FUZZ_SAN -fsanitize=address,undefined -fno-sanitize-recover=all
                       -fno-omit-frame-pointer)
      target_compile_options(tokmeter PRIVATE ${TKM_FUZZ_SAN})
      target_link_options(tokmeter INTERFACE -fsanitize=address,undefined)
    endif()
    target_compile_options(tokmeter PRIVATE -fsanitize=fuzzer-no-link)
    # Comparison tracing in the merge loop (hash probes of every pair) costs
    # ~70% of the fuzzers' time and guides nothing; keep edge coverage there.
    if(NOT CMAKE_VERSION VERSION_LESS 3.18)
      set_source_files_properties(${PROJECT_SOURCE_DIR}/src/bpe.c DIRECTORY ${PROJECT_SOURCE_DIR}
        PROPERTIES COMPILE_OPTIONS -fno-sanitize-coverage=trace-cmp)
    endif()
    foreach(t IN LISTS TKM_FUZZ_TARGETS)
      add_executable(fuzz_${t} ${TKM_FUZZ_DIR}/fuzz_${t}.c)
      target_link_libraries(fuzz_${t} PRIVATE tokmeter)
      target_compile_options(fuzz_${t} PRIVATE ${TKM_WARNINGS} ${TKM_FUZZ_SAN} -fsanitize=fuzzer)
      target_link_options(fuzz_${t} PRIVATE ${TKM_FUZZ_SAN} -fsanitize=fuzzer)
      target_compile_definitions(fuzz_${t} PRIVATE DATA_DIR="${PROJECT_SOURCE_DIR}/data")
    endforeach()
  endif()
endif()

find_package(Threads REQUIRED)
tkm_add_test(test_threads ${CMAKE_CURRENT_LIST_DIR}/../test_threads.c)
target_link_libraries(test_threads PRIVATE Threads::Threads)
tkm_add_test(test_alloc_fail ${CMAKE_CURRENT_LIST_DIR}/../test_alloc_fail.c)
