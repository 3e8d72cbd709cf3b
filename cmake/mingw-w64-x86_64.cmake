# mingw-w64-x86_64.cmake -- toolchain: 64-bit Windows with mingw-w64, static SDL from a cache, tests under Wine
#
# SDL2, SDL2_net, SQLite, FreeType and SDL2_ttf come from the prefix UDPCHAT_WINDEPS (cache variable, else the environment
# variable of that name, else ${XDG_CACHE_HOME:-$HOME/.cache}/udpchat/win64-deps-rRECIPE). If its stamp
# is missing or stale, cmake/build-windows-deps.sh builds them there first (once, ~3-6 minutes).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(UDPCHAT_MINGW_HOST x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${UDPCHAT_MINGW_HOST}-gcc)
set(CMAKE_CXX_COMPILER ${UDPCHAT_MINGW_HOST}-g++) # SDL2's own project() enables C++
set(CMAKE_RC_COMPILER ${UDPCHAT_MINGW_HOST}-windres)

# The recipe of cmake/build-windows-deps.sh names the default prefix (one per recipe).
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/build-windows-deps.sh" _udpchat_recipe REGEX "^RECIPE=[0-9]+" LIMIT_COUNT 1)
string(REGEX MATCH "[0-9]+" _udpchat_recipe "${_udpchat_recipe}")
if(NOT UDPCHAT_WINDEPS)
  if(DEFINED ENV{UDPCHAT_WINDEPS} AND NOT "$ENV{UDPCHAT_WINDEPS}" STREQUAL "")
    set(UDPCHAT_WINDEPS "$ENV{UDPCHAT_WINDEPS}")
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(UDPCHAT_WINDEPS "$ENV{XDG_CACHE_HOME}/udpchat/win64-deps-r${_udpchat_recipe}")
  else()
    set(UDPCHAT_WINDEPS "$ENV{HOME}/.cache/udpchat/win64-deps-r${_udpchat_recipe}")
  endif()
  set(UDPCHAT_WINDEPS "${UDPCHAT_WINDEPS}" CACHE PATH "Prefix holding static SDL2, SDL2_net, SQLite, FreeType and SDL2_ttf for Windows")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES UDPCHAT_WINDEPS)

# Build the deps when the stamp does not carry the script's current RECIPE. The script sets
# UDPCHAT_WINDEPS_BUILDING while it runs CMake on SDL with this same toolchain file.
if(NOT DEFINED ENV{UDPCHAT_WINDEPS_BUILDING})
  set(_udpchat_script "${CMAKE_CURRENT_LIST_DIR}/build-windows-deps.sh")
  set(_udpchat_stamp_line "")
  if(EXISTS "${UDPCHAT_WINDEPS}/udpchat-windeps.stamp")
    file(STRINGS "${UDPCHAT_WINDEPS}/udpchat-windeps.stamp" _udpchat_stamp_line LIMIT_COUNT 1)
  endif()
  if(NOT _udpchat_stamp_line STREQUAL "recipe=${_udpchat_recipe}")
    message(STATUS "udpchat: building static SDL2, SDL2_net, SQLite, FreeType and SDL2_ttf for Windows into ${UDPCHAT_WINDEPS} "
                   "(once; progress below)")
    execute_process(
      COMMAND ${CMAKE_COMMAND} -E env "UDPCHAT_WINDEPS=${UDPCHAT_WINDEPS}" bash "${_udpchat_script}"
      RESULT_VARIABLE _udpchat_rc)
    if(NOT _udpchat_rc EQUAL 0)
      message(FATAL_ERROR "udpchat: ${_udpchat_script} failed (${_udpchat_rc}); see the messages above")
    endif()
  endif()
endif()

# Headers, libraries and CMake packages come only from the deps prefix and the mingw sysroot;
# never from the Linux host (which may have its own SDL2 installed), pkg-config included.
set(CMAKE_FIND_ROOT_PATH "${UDPCHAT_WINDEPS}" "/usr/${UDPCHAT_MINGW_HOST}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${UDPCHAT_WINDEPS}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# add_test() commands of Windows executables run through Wine (quiet, private WINEPREFIX).
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh"
    "--default-prefix" "${CMAKE_BINARY_DIR}/wineprefix")
