# Sources of src/core/ in the mha library.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/dtype.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/threads.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_info.cpp
)
target_sources(mha PRIVATE ${CMAKE_CURRENT_LIST_DIR}/info.cpp)
# info.cpp reports the configuration the library was built in (mha info, Python's mha.info()).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/info.cpp PROPERTIES
  COMPILE_DEFINITIONS "MHA_BUILD_TYPE=\"$<CONFIG>\"")
