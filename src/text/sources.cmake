# Sources of src/text/ (the WordPiece tokenizer) in the mha library.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unicode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unicode_reference.cpp
  ${CMAKE_CURRENT_LIST_DIR}/normalizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pre_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vocab.cpp
  ${CMAKE_CURRENT_LIST_DIR}/word_pieces.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wordpiece.cpp
)

# utf8proc (Unicode categories, decompositions, case): Debian's libutf8proc-dev. pkg-config
# (libutf8proc.pc) gives the directories when it is there; find_path/find_library do the finding,
# so that the library is linked by its full path. A static libmha then exports
# "$<LINK_ONLY:/path/libutf8proc.so>" and consumers of the installed package need no utf8proc
# target of their own; the header stays private (no public mha header includes it).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_UTF8PROC QUIET libutf8proc)
endif()
find_path(UTF8PROC_INCLUDE_DIR utf8proc.h HINTS ${PC_UTF8PROC_INCLUDE_DIRS})
find_library(UTF8PROC_LIBRARY NAMES utf8proc HINTS ${PC_UTF8PROC_LIBRARY_DIRS})
if(NOT UTF8PROC_INCLUDE_DIR OR NOT UTF8PROC_LIBRARY)
  message(FATAL_ERROR "mha needs utf8proc for its tokenizer: install libutf8proc-dev "
                      "(or set UTF8PROC_INCLUDE_DIR and UTF8PROC_LIBRARY)")
endif()
target_include_directories(mha PRIVATE ${UTF8PROC_INCLUDE_DIR})
target_link_libraries(mha PRIVATE ${UTF8PROC_LIBRARY})
