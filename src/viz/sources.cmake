# Sources of src/viz/ in the mha library: pictures of attention (HTML page, SVG, PNG, terminal).
#
# PNG goes through libpng (Debian: libpng-dev). mha links it privately; a static libmha still
# needs it at link time, so the installed package's mhaConfig.cmake must find_dependency(PNG).
find_package(PNG REQUIRED)
target_link_libraries(mha PRIVATE PNG::PNG)
list(APPEND MHA_CONFIG_DEPENDENCIES "find_dependency(PNG)")

target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/maps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/color.cpp
  ${CMAKE_CURRENT_LIST_DIR}/summaries.cpp
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cpp
  ${CMAKE_CURRENT_LIST_DIR}/escape.cpp
  ${CMAKE_CURRENT_LIST_DIR}/html.cpp
  ${CMAKE_CURRENT_LIST_DIR}/svg.cpp
  ${CMAKE_CURRENT_LIST_DIR}/png.cpp
  ${CMAKE_CURRENT_LIST_DIR}/terminal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pictures.cpp
)

# The page's web code lives in src/viz/assets/ as plain files and is embedded at build time.
set(mha_viz_assets ${CMAKE_CURRENT_LIST_DIR}/assets)
set(mha_viz_scripts common.js head_view.js model_view.js panels.js main.js)  # in load order
set(mha_viz_asset_files ${mha_viz_assets}/page.html ${mha_viz_assets}/style.css)
foreach(js IN LISTS mha_viz_scripts)
  list(APPEND mha_viz_asset_files ${mha_viz_assets}/${js})
endforeach()
list(JOIN mha_viz_scripts "|" mha_viz_scripts_arg)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/src/viz/assets.cpp
  COMMAND ${CMAKE_COMMAND} -DOUT=${PROJECT_BINARY_DIR}/src/viz/assets.cpp
          -DASSET_DIR=${mha_viz_assets} -DSCRIPTS=${mha_viz_scripts_arg}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  DEPENDS ${mha_viz_asset_files} ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  COMMENT "Embedding the attention page's HTML, CSS and JavaScript"
  VERBATIM)
target_sources(mha PRIVATE ${PROJECT_BINARY_DIR}/src/viz/assets.cpp)
