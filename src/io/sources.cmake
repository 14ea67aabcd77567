# Sources of src/io/ in the mha library: the safetensors reader.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/byte_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_dtype.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors.cpp
)
# JSON is used inside the library only: the installed package does not need nlohmann_json.
find_package(nlohmann_json 3 REQUIRED)
target_link_libraries(mha PRIVATE $<BUILD_INTERFACE:nlohmann_json::nlohmann_json>)
