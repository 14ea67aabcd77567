# Sources of src/model/ in the mha library: the BERT encoder and sentence embeddings.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/weights.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ops.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/encode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/paths.cpp
)
# scripts/fetch_model.sh puts the model here (gitignored); MHA_MODEL_DIR overrides it at run time.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/paths.cpp PROPERTIES
  COMPILE_DEFINITIONS "MHA_DEFAULT_MODEL_DIR=\"${PROJECT_SOURCE_DIR}/models/all-MiniLM-L6-v2\"")
# ops.cpp's elementwise loops (GELU, LayerNorm) are compiled per vector width (target_clones);
# without trapping math, their clamps if-convert into blends on AVX2 and SSE as well (we never
# enable floating-point exceptions).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/ops.cpp PROPERTIES
  COMPILE_OPTIONS "-fno-trapping-math")
# config.json is read with nlohmann_json, inside the library only (as src/io/).
find_package(nlohmann_json 3 REQUIRED)
target_link_libraries(mha PRIVATE $<BUILD_INTERFACE:nlohmann_json::nlohmann_json>)
