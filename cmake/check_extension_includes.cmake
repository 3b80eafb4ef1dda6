# cmake -DROOT=<extensions folder> -P check_extension_includes.cmake
#
# Fails when code in an extension folder (every folder under ROOT but kit/) includes
# any of the project's headers other than the kit's (extensions/kit/), core/ and its
# own folder's: extensions build on the kit alone, so the layers below can change
# without breaking them. Third-party and standard headers (<caf/...>, <vector>) are
# fine. Prints one line per violation.
cmake_minimum_required(VERSION 3.22)

if(NOT ROOT OR NOT IS_DIRECTORY "${ROOT}")
  message(FATAL_ERROR "usage: cmake -DROOT=<extensions folder> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

# The project's top-level folders: an include starting with one of them is ours.
set(project_folders actors app bench core docker extensions http scripts storage tests
    twitch)

function(check_include folder file line)
  if(NOT line MATCHES "#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
    return()
  endif()
  set(path "${CMAKE_MATCH_1}")
  string(REGEX REPLACE "/.*" "" top "${path}")
  if(path MATCHES "^(core|extensions/kit|extensions/${folder})/")
    return()
  endif()
  if(path MATCHES "\\.\\./" OR top IN_LIST project_folders)
    message("${file}: includes \"${path}\": an extension includes only "
            "extensions/kit/, core/ and its own folder")
    set(violations TRUE PARENT_SCOPE)
  endif()
endfunction()

set(violations FALSE)
file(GLOB folders LIST_DIRECTORIES true RELATIVE "${ROOT}" "${ROOT}/*")
foreach(folder IN LISTS folders)
  if(folder STREQUAL "kit" OR NOT IS_DIRECTORY "${ROOT}/${folder}")
    continue()
  endif()
  file(GLOB_RECURSE files "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp"
       "${ROOT}/${folder}/*.h")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      check_include("${folder}" "${file}" "${line}")
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "extensions include what they must not (see above)")
endif()
message("extension includes: ok")
