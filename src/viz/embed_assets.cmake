# Turns the page template, the style sheet and the scripts of src/viz/assets/ into C++ string
# constants (assets.cpp in the build tree), so that the library writes a self-contained page
# without reading any file at run time, while the web code stays in plain .html/.css/.js files.
#
#   cmake -DOUT=<assets.cpp> -DASSET_DIR=<dir> -DSCRIPTS="a.js|b.js" -P embed_assets.cmake
#
# The scripts are joined in the given order into one <script>. The raw-string delimiter must not
# occur in an asset, and "</script" / "</style" must not occur in the code they would cut short.
set(delim "mha_asset")

function(read_asset var file)
  file(READ "${ASSET_DIR}/${file}" text)
  string(FIND "${text}" ")${delim}\"" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )${delim}\"")
  endif()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

function(forbid text file needle)
  string(TOLOWER "${text}" lower)
  string(FIND "${lower}" "${needle}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${file} contains '${needle}', which would end its HTML element early")
  endif()
endfunction()

read_asset(page page.html)
read_asset(style style.css)
forbid("${style}" style.css "</style")
string(REPLACE "|" ";" scripts "${SCRIPTS}")
set(script "")
foreach(js IN LISTS scripts)
  read_asset(text ${js})
  forbid("${text}" ${js} "</script")
  string(APPEND script "// ---- ${js} ----\n${text}\n")
endforeach()

set(cpp "// Generated from src/viz/assets/ by src/viz/embed_assets.cmake: edit those files instead.\n")
string(APPEND cpp "#include \"viz/assets.hpp\"\n\nnamespace mha::viz::detail {\n\n")
string(APPEND cpp "const std::string_view kPageTemplate = R\"${delim}(${page})${delim}\";\n\n")
string(APPEND cpp "const std::string_view kStyle = R\"${delim}(${style})${delim}\";\n\n")
string(APPEND cpp "const std::string_view kScript = R\"${delim}(${script})${delim}\";\n\n")
string(APPEND cpp "}  // namespace mha::viz::detail\n")
# Rewrite only on change, so that an unchanged asset set does not recompile.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL cpp)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${cpp}")
