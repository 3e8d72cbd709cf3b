# UdpchatWindows.cmake -- Windows specifics of udpchat.exe: self-contained link, console subsystem, icon, version
# Included by CMakeLists.txt after the udpchat target exists, when WIN32.

# Icon + VERSIONINFO (FileVersion/ProductVersion from project(VERSION)); windres or rc.exe.
enable_language(RC)
set(UDPCHAT_ICON_FILE "${PROJECT_SOURCE_DIR}/packaging/windows/udpchat.ico")
configure_file("${PROJECT_SOURCE_DIR}/packaging/windows/udpchat.rc.in"
               "${PROJECT_BINARY_DIR}/generated/udpchat.rc" @ONLY)
target_sources(udpchat PRIVATE "${PROJECT_BINARY_DIR}/generated/udpchat.rc")
set_source_files_properties("${PROJECT_BINARY_DIR}/generated/udpchat.rc" PROPERTIES
  OBJECT_DEPENDS "${UDPCHAT_ICON_FILE}")

# A console program (stdin/stdout are the user's terminal), not a GUI one.
set_target_properties(udpchat PROPERTIES WIN32_EXECUTABLE OFF)

# Every udpchat program has its own main(); on Windows SDL.h would otherwise rename main to
# SDL_main and expect SDL2main. The empty value matches main.c's own "#define SDL_MAIN_HANDLED",
# so the two definitions do not clash. PUBLIC: everything linking the layers gets it too.
target_compile_definitions(udpchat_core PUBLIC "SDL_MAIN_HANDLED=")

if(MINGW)
  # No libgcc/libwinpthread/SDL2 DLLs next to the exe: link the mingw runtime statically too.
  # udpchat was created before this file ran, so it gets the options directly; the
  # executables created afterwards (tests) get them from the directory property.
  set(_udpchat_static_link -static -static-libgcc -mconsole)
  target_link_options(udpchat PRIVATE ${_udpchat_static_link})
  add_link_options(${_udpchat_static_link})
  if(NOT UDPCHAT_STATIC_SDL)
    message(WARNING "udpchat: UDPCHAT_STATIC_SDL is OFF, so udpchat.exe will need SDL2.dll and "
                    "SDL2_net.dll next to it (the 'windows' preset turns it ON)")
  endif()
endif()
