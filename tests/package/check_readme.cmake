# Checks that README.md shows tests/package/readme_example.cpp verbatim, so that the example a
# reader copies is the one the package tests compile and run.
#
#   cmake -DREADME=<README.md> -DEXAMPLE=<readme_example.cpp> -DOUT=<dir> -P check_readme.cmake
#
# In README.md the example sits between two marker lines, inside a ```cpp fence:
#   <!-- begin tests/package/readme_example.cpp -->
#   ```cpp
#   ...the file, byte for byte...
#   ```
#   <!-- end tests/package/readme_example.cpp -->
cmake_minimum_required(VERSION 3.25)

set(begin_marker "<!-- begin tests/package/readme_example.cpp -->\n```cpp\n")
set(end_marker "```\n<!-- end tests/package/readme_example.cpp -->")

file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "${begin_marker}" begin)
string(FIND "${readme}" "${end_marker}" end)
if(begin EQUAL -1 OR end EQUAL -1)
  string(REPLACE "\n" "\\n" b "${begin_marker}")
  string(REPLACE "\n" "\\n" e "${end_marker}")
  message(FATAL_ERROR "${README}: markers not found; the example must sit between\n  ${b}\nand\n  ${e}")
endif()
string(LENGTH "${begin_marker}" begin_len)
math(EXPR first "${begin} + ${begin_len}")
math(EXPR len "${end} - ${first}")
if(len LESS 0)
  message(FATAL_ERROR "${README}: the end marker comes before the begin marker")
endif()
string(SUBSTRING "${readme}" ${first} ${len} shown)

if(NOT shown STREQUAL example)
  file(MAKE_DIRECTORY "${OUT}")
  file(WRITE "${OUT}/readme_example.from_readme.cpp" "${shown}")
  find_program(DIFF diff)
  if(DIFF)
    execute_process(COMMAND "${DIFF}" -u "${EXAMPLE}" "${OUT}/readme_example.from_readme.cpp")
  endif()
  message(FATAL_ERROR "README.md's example differs from ${EXAMPLE} (the README copy is in "
    "${OUT}/readme_example.from_readme.cpp). Edit the .cpp file and paste it into README.md verbatim.")
endif()
message(STATUS "README.md shows ${EXAMPLE} verbatim")
