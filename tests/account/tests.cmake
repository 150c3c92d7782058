# tests.cmake — accounting-layer tests (included by tests/CMakeLists.txt).
foreach(t table count fit truncate prune cost)
  tkm_add_test(test_account_${t} account/test_${t}.c)
  target_link_libraries(test_account_${t} PRIVATE m)
endforeach()

# The model table must validate (python3 stdlib only), and the validator
# must catch each kind of problem it claims to check.
add_test(NAME account_table_validate
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tools/models_tool.py validate
          ${PROJECT_SOURCE_DIR}/data/models.tkm)
add_test(NAME account_table_validator_selftest
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tools/models_tool.py selftest)
