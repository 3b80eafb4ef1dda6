# Extension registration (see extensions/CMakeLists.txt and README "Writing an
# extension").

# eventsubd_extension(<name> [TEST_ONLY])
#   Registers the extension in the folder <name>/ beside the calling CMakeLists.txt:
#   its sources (every .cpp but *_test.cpp) become the library eventsubd_ext_<name>,
#   its *_test.cpp files join the extensions_tests binary, and it must have a README.md.
#   TEST_ONLY: built only with the tests and registered only in the tests' server
#   (eventsubd_with_test_extensions), never in eventsubd.
function(eventsubd_extension name)
  cmake_parse_arguments(arg "TEST_ONLY" "" "" ${ARGN})
  if(arg_TEST_ONLY AND NOT EVENTSUBD_BUILD_TESTS)
    return()
  endif()
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "extension '${name}': a lowercase letter, then a-z, 0-9 and _")
  endif()
  set(dir "${CMAKE_CURRENT_SOURCE_DIR}/${name}")
  if(NOT EXISTS "${dir}/${name}.cpp" OR NOT EXISTS "${dir}/README.md")
    message(FATAL_ERROR "extension '${name}': ${dir} needs ${name}.cpp and README.md")
  endif()
  file(GLOB sources CONFIGURE_DEPENDS "${dir}/*.cpp")
  file(GLOB tests CONFIGURE_DEPENDS "${dir}/*_test.cpp")
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  add_library(eventsubd_ext_${name} STATIC ${sources})
  target_link_libraries(eventsubd_ext_${name} PUBLIC eventsubd_extension_kit
                        PRIVATE eventsubd_warnings)
  set_property(GLOBAL APPEND PROPERTY EVENTSUBD_EXTENSIONS_ALL ${name})
  if(NOT arg_TEST_ONLY)
    set_property(GLOBAL APPEND PROPERTY EVENTSUBD_EXTENSIONS_SHIPPED ${name})
  endif()
  set_property(GLOBAL APPEND PROPERTY EVENTSUBD_EXTENSION_TESTS ${tests})
endfunction()

# eventsubd_extension_registry(<target> <name>...)
#   The library <target>: the registry of these extensions (registered_extensions(),
#   generated from cmake/extension_registry.cpp.in), linking each of them.
function(eventsubd_extension_registry target)
  set(EVENTSUBD_REGISTRY_DECLARATIONS "")
  set(EVENTSUBD_REGISTRY_ENTRIES "")
  foreach(name IN LISTS ARGN)
    string(APPEND EVENTSUBD_REGISTRY_DECLARATIONS
           "::eventsubd::ext::extension_info eventsubd_extension_${name}();\n")
    string(APPEND EVENTSUBD_REGISTRY_ENTRIES "      eventsubd_extension_${name}(),\n")
  endforeach()
  set(source "${CMAKE_CURRENT_BINARY_DIR}/${target}_registry.cpp")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/extension_registry.cpp.in" "${source}" @ONLY)
  add_library(${target} STATIC "${source}")
  target_link_libraries(${target} PUBLIC eventsubd_extension_kit PRIVATE eventsubd_warnings)
  foreach(name IN LISTS ARGN)
    target_link_libraries(${target} PUBLIC eventsubd_ext_${name})
  endforeach()
endfunction()
