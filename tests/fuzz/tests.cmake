# tests/fuzz/tests.cmake — included by tests/CMakeLists.txt.
#
#  - fuzz_<t>_replay: each libFuzzer target linked with replay.c, run by ctest
#    over its seed corpus tests/fuzz/corpus/<t>/ (no libFuzzer needed);
#    merge uses internal functions and is built with the static library only;
#    image_header, chat_json and batch_line compile the CLI sources they
#    test (tools/cli/...) into the target; chat_json and batch_line need
#    jansson and are skipped (with a message) when pkg-config cannot find it;
#  - fuzz_<t>: the real libFuzzer binaries, when TKM_BUILD_FUZZERS is ON and
#    the compiler is clang (see tests/fuzz/run.sh);
#  - test_threads (concurrency, run under TSan by tests/tsan.sh) and
#    test_alloc_fail (allocation-failure injection).

set(TKM_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(TKM_FUZZ_TARGETS roundtrip count fastpath ranks model_table image_header)
# merge compares internal functions (backtracking vs reference merge), which
# only the static library exposes to a program linking it.
if(NOT BUILD_SHARED_LIBS)
  list(APPEND TKM_FUZZ_TARGETS merge)
  set(fuzz_merge_INCLUDE ${PROJECT_SOURCE_DIR}/src ${XXHASH_INCLUDE_DIR})
endif()

# CLI sources compiled into the CLI targets (fuzz_<t>_EXTRA), and their
# libraries (fuzz_<t>_LIBS). The request targets wrap fopen so that image
# paths named by an input are never opened (fuzz_request_common.h).
set(TKM_CLI_DIR ${PROJECT_SOURCE_DIR}/tools/cli)
set(fuzz_image_header_EXTRA ${TKM_CLI_DIR}/image_header.c)
set(TKM_FUZZ_REQUEST_SOURCES
  ${TKM_CLI_DIR}/request.c ${TKM_CLI_DIR}/endpoints.c ${TKM_CLI_DIR}/reqcount.c
  ${TKM_CLI_DIR}/json_in.c ${TKM_CLI_DIR}/json_out.c ${TKM_CLI_DIR}/images.c
  ${TKM_CLI_DIR}/image_header.c ${TKM_CLI_DIR}/io.c ${TKM_CLI_DIR}/diag.c
  ${TKM_CLI_DIR}/progress.c)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(TKM_FUZZ_JANSSON QUIET IMPORTED_TARGET jansson)
endif()
if(TKM_FUZZ_JANSSON_FOUND)
  foreach(t IN ITEMS chat_json batch_line)
    list(APPEND TKM_FUZZ_TARGETS ${t})
    set(fuzz_${t}_EXTRA ${TKM_FUZZ_REQUEST_SOURCES})
    set(fuzz_${t}_LIBS PkgConfig::TKM_FUZZ_JANSSON m)
    set(fuzz_${t}_LINK -Wl,--wrap=fopen)
  endforeach()
else()
  message(STATUS "jansson not found: fuzz_chat_json and fuzz_batch_line are not built")
endif()

# fuzz_setup(<exe> <t>): what the replay driver and the libFuzzer binary share.
function(fuzz_setup exe t)
  target_link_libraries(${exe} PRIVATE tokmeter ${fuzz_${t}_LIBS})
  target_compile_options(${exe} PRIVATE ${TKM_WARNINGS})
  target_compile_definitions(${exe} PRIVATE DATA_DIR="${PROJECT_SOURCE_DIR}/data")
  if(fuzz_${t}_INCLUDE)
    target_include_directories(${exe} PRIVATE ${fuzz_${t}_INCLUDE})
  endif()
  if(fuzz_${t}_EXTRA)
    target_include_directories(${exe} PRIVATE ${TKM_CLI_DIR})
    target_compile_definitions(${exe} PRIVATE _POSIX_C_SOURCE=200809L)
    if(CMAKE_C_COMPILER_ID MATCHES "Clang")
      # diag.c formats through a va_list helper, which clang flags.
      target_compile_options(${exe} PRIVATE -Wno-format-nonliteral)
    endif()
  endif()
  if(fuzz_${t}_LINK)
    target_link_options(${exe} PRIVATE ${fuzz_${t}_LINK})
  endif()
endfunction()

foreach(t IN LISTS TKM_FUZZ_TARGETS)
  add_executable(fuzz_${t}_replay ${TKM_FUZZ_DIR}/fuzz_${t}.c ${fuzz_${t}_EXTRA}
                 ${TKM_FUZZ_DIR}/replay.c)
  fuzz_setup(fuzz_${t}_replay ${t})
  # The seed corpus, and every input of up to 2 bytes (replay.c --short).
  add_test(NAME fuzz_${t}_replay COMMAND fuzz_${t}_replay --short ${TKM_FUZZ_DIR}/corpus/${t})
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
      add_executable(fuzz_${t} ${TKM_FUZZ_DIR}/fuzz_${t}.c ${fuzz_${t}_EXTRA})
      fuzz_setup(fuzz_${t} ${t})
      target_compile_options(fuzz_${t} PRIVATE ${TKM_FUZZ_SAN} -fsanitize=fuzzer)
      target_link_options(fuzz_${t} PRIVATE ${TKM_FUZZ_SAN} -fsanitize=fuzzer)
    endforeach()
  endif()
endif()

find_package(Threads REQUIRED)
tkm_add_test(test_threads ${CMAKE_CURRENT_LIST_DIR}/../test_threads.c)
target_link_libraries(test_threads PRIVATE Threads::Threads)
tkm_add_test(test_alloc_fail ${CMAKE_CURRENT_LIST_DIR}/../test_alloc_fail.c)
