# UdpchatWindows.cmake -- Windows specifics of udpchat.exe and udpchatw.exe: self-contained link, subsystem, icon, version, font
# Included by CMakeLists.txt after the udpchat target exists, when WIN32.

# Icon + VERSIONINFO (FileVersion/ProductVersion from project(VERSION)); windres or rc.exe.
enable_language(RC)
set(UDPCHAT_ICON_FILE "${PROJECT_SOURCE_DIR}/packaging/windows/udpchat.ico")
set(_udpchat_exes udpchat)
if(TARGET udpchatw)
  list(APPEND _udpchat_exes udpchatw)
endif()
foreach(UDPCHAT_RC_NAME IN LISTS _udpchat_exes)
  configure_file("${PROJECT_SOURCE_DIR}/packaging/windows/udpchat.rc.in"
                 "${PROJECT_BINARY_DIR}/generated/${UDPCHAT_RC_NAME}.rc" @ONLY)
  target_sources(${UDPCHAT_RC_NAME} PRIVATE "${PROJECT_BINARY_DIR}/generated/${UDPCHAT_RC_NAME}.rc")
  set_source_files_properties("${PROJECT_BINARY_DIR}/generated/${UDPCHAT_RC_NAME}.rc" PROPERTIES
    OBJECT_DEPENDS "${UDPCHAT_ICON_FILE}")
endforeach()

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
  if(TARGET udpchatw) # the GUI subsystem (WIN32_EXECUTABLE gives -mwindows): never a console
    target_link_options(udpchatw PRIVATE -static -static-libgcc)
  endif()
  if(NOT UDPCHAT_STATIC_SDL)
    message(WARNING "udpchat: UDPCHAT_STATIC_SDL is OFF, so udpchat.exe will need SDL2.dll and "
                    "SDL2_net.dll next to it (the 'windows' preset turns it ON)")
  endif()
endif()

# The window's fallback CJK face, for a Windows without Microsoft YaHei or SimSun (and for
# Wine, which has neither): WenQuanYi Micro Hei from Debian's fonts-wqy-microhei, next to the
# exe in the build tree (tests, a run from the build) and in the installer and the zip, with
# its licence (gui_font_win32.c looks for it in the exe's folder).
if(TARGET udpchatw)
  set(UDPCHAT_WQY_FONT "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" CACHE FILEPATH
      "WenQuanYi Micro Hei, shipped next to udpchatw.exe (Debian: fonts-wqy-microhei)")
  set(UDPCHAT_WQY_COPYRIGHT "/usr/share/doc/fonts-wqy-microhei/copyright" CACHE FILEPATH
      "The licence of UDPCHAT_WQY_FONT")
  if(EXISTS "${UDPCHAT_WQY_FONT}" AND EXISTS "${UDPCHAT_WQY_COPYRIGHT}")
    configure_file("${UDPCHAT_WQY_FONT}" "${PROJECT_BINARY_DIR}/wqy-microhei.ttc" COPYONLY)
    configure_file("${UDPCHAT_WQY_COPYRIGHT}" "${PROJECT_BINARY_DIR}/wqy-microhei-LICENSE.txt" COPYONLY)
    install(FILES "${PROJECT_BINARY_DIR}/wqy-microhei.ttc" "${PROJECT_BINARY_DIR}/wqy-microhei-LICENSE.txt"
            DESTINATION bin)
  else()
    message(WARNING "udpchat: ${UDPCHAT_WQY_FONT} not found (apt-get install fonts-wqy-microhei): "
                    "the packages will carry no Chinese font for a Windows that has none")
  endif()
endif()
