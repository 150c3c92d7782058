# account.cmake — the accounting layer (include/tokmeter_account.h, src/account/).
# Included by the top-level CMakeLists.txt before the tokmeter target exists.
list(APPEND TKM_ACCOUNT_SOURCES
  src/account/common.c
  src/account/money.c
  src/account/table.c
  src/account/image.c
  src/account/chat.c
  src/account/fit.c
  src/account/truncate.c
  src/account/prune.c
  src/account/cost.c)
list(APPEND TKM_PUBLIC_HEADERS include/tokmeter_account.h)
if(TKM_EMBED_DATA)
  tkm_embed_raw(${CMAKE_CURRENT_SOURCE_DIR}/data/models.tkm models TKM_MODELS_EMBED_C)
  list(APPEND TKM_ACCOUNT_SOURCES ${TKM_MODELS_EMBED_C})
endif()
