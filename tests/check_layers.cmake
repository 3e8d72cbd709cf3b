# check_layers.cmake -- fails when a file includes a header of a layer above its own
#   cmake -DROOT=<source dir> -P tests/check_layers.cmake
#
# Layers (cmake/UdpchatSources.cmake): core (src/core, src/charset) <- net (src/net) and
# console (src/console), siblings that may use only the core <- app (src/app), which may
# use all. A public header belongs to the layer listed below; a file may include headers of
# its own layer and of the layers below it. Private headers ("relay_internal.h") are not
# checked here: they live next to their only users.
cmake_minimum_required(VERSION 3.20)
set(core_headers addr buf charset core event ipmsg ipmsg_file lan lan_file link mem msg nick relay session token utf8 wire version)
set(net_headers net queue ifaddr tcp)
set(console_headers console input lineedit)
set(app_headers app cli frontend model runner fs transfer)

function(header_layer name out)
  foreach(layer core net console app)
    if(name IN_LIST ${layer}_headers)
      set(${out} ${layer} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} unknown PARENT_SCOPE)
endfunction()

function(may_use layer other out) # may a file of `layer` include a header of `other`?
  if(other STREQUAL layer OR other STREQUAL "core" OR layer STREQUAL "app")
    set(${out} 1 PARENT_SCOPE)
  else()
    set(${out} 0 PARENT_SCOPE)
  endif()
endfunction()

set(errors 0)
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/src/*.c ${ROOT}/src/*.h ${ROOT}/include/udpchat/*.h
     ${ROOT}/include/udpchat/*.h.in)
foreach(f ${files})
  if(f MATCHES "^src/(core|charset)/")
    set(layer core)
  elseif(f MATCHES "^src/(net|console|app)/")
    set(layer ${CMAKE_MATCH_1})
  else()
    get_filename_component(h ${f} NAME_WE)
    header_layer(${h} layer)
    if(layer STREQUAL "unknown")
      message(SEND_ERROR "${f}: a public header in no layer: add it to tests/check_layers.cmake")
      math(EXPR errors "${errors} + 1")
      continue()
    endif()
  endif()
  file(STRINGS ${ROOT}/${f} includes REGEX "^#include \"udpchat/[a-z_0-9]+\\.h\"")
  foreach(line ${includes})
    string(REGEX REPLACE "^#include \"udpchat/([a-z_0-9]+)\\.h\".*" "\\1" h "${line}")
    header_layer(${h} other)
    may_use(${layer} ${other} ok)
    if(NOT ok)
      message(SEND_ERROR "${f} (${layer}) includes udpchat/${h}.h (${other}): a layer may use only the ones below it")
      math(EXPR errors "${errors} + 1")
    endif()
  endforeach()
endforeach()
list(LENGTH files n)
if(errors)
  message(FATAL_ERROR "${errors} include(s) against the layers, in ${n} files")
endif()
message(STATUS "layers: ${n} files, every include downward")
