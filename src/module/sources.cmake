# Sources of src/module/ in the mha library.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/linear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/multi_head_attention.cpp
  ${CMAKE_CURRENT_LIST_DIR}/forward.cpp
)
