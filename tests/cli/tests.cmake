# tests.cmake — command-line tests (included by tests/CMakeLists.txt).
#   cli_basic      round trips through the golden vectors, exit codes, --jobs
#                  determinism (cli_test.sh)
#   cli_cases      golden stdout / stderr / exit code of every subcommand and
#                  its error cases (run_cases.sh over tests/cli/cases/)
#   cli_batch_rss  a 100,000-line Batch file generated at test time: results
#                  add up and the peak RSS stays under 64 MB (batch_rss.py)
if(TKM_BUILD_CLI)
  add_test(NAME cli_basic
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.sh $<TARGET_FILE:tokmeter_cli>
            ${CMAKE_CURRENT_SOURCE_DIR}/vectors)
  add_test(NAME cli_cases
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_cases.sh $<TARGET_FILE:tokmeter_cli>)
  # ASan's shadow memory and quarantine inflate RSS several times over: the
  # memory bound is only meaningful in an uninstrumented build.
  if(TKM_SANITIZE)
    set(TKM_BATCH_RSS_LIMIT_MB 4096)
  else()
    set(TKM_BATCH_RSS_LIMIT_MB 64)
  endif()
  add_test(NAME cli_batch_rss
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/batch_rss.py $<TARGET_FILE:tokmeter_cli>
            100000 ${TKM_BATCH_RSS_LIMIT_MB})
  set_tests_properties(cli_batch_rss PROPERTIES TIMEOUT 300)
endif()
