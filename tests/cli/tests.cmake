if(TKM_BUILD_CLI)
  add_test(NAME cli_basic
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.sh $<TARGET_FILE:tokmeter_cli>
            ${CMAKE_CURRENT_SOURCE_DIR}/vectors)
endif()
