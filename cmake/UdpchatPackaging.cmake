# UdpchatPackaging.cmake -- install rules for the docs and the man page, and the CPack packages
#
#   Linux   (preset default, then `cpack --preset linux`):   udpchat_<version>_amd64.deb,
#           udpchat-<version>-Linux.tar.gz
#   Windows (preset windows, then `cpack --preset windows`): udpchat-<version>-win64.exe (NSIS
#           installer, built on Linux with Debian's makensis), udpchat-<version>-win64.zip
#
# Every package is made from the same install tree (`cmake --install`), next to its .sha256 file,
# in the build directory. tests/packaging/ installs, runs and removes each of them.
include(GNUInstallDirs)

if(WIN32)
  # Windows: the docs go next to bin\ in the install folder (and at the top of the zip).
  install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/README.zh-CN.md"
                "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION .)
else()
  install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/README.zh-CN.md" "${PROJECT_SOURCE_DIR}/LICENSE"
          DESTINATION "${CMAKE_INSTALL_DOCDIR}")

  # The man page: version from project(VERSION), date from SOURCE_DATE_EPOCH if set (reproducible),
  # gzipped with -n (no name, no time stamp) as Debian wants it.
  string(TIMESTAMP UDPCHAT_MAN_DATE "%Y-%m-%d" UTC)
  configure_file("${PROJECT_SOURCE_DIR}/packaging/udpchat.1.in"
                 "${PROJECT_BINARY_DIR}/man/udpchat.1" @ONLY)
  find_program(UDPCHAT_GZIP gzip)
  if(UDPCHAT_GZIP)
    add_custom_command(
      OUTPUT "${PROJECT_BINARY_DIR}/man/udpchat.1.gz"
      COMMAND "${UDPCHAT_GZIP}" -9nkf udpchat.1
      WORKING_DIRECTORY "${PROJECT_BINARY_DIR}/man"
      DEPENDS "${PROJECT_BINARY_DIR}/man/udpchat.1"
      COMMENT "Compressing the man page udpchat.1.gz"
      VERBATIM)
    add_custom_target(udpchat_manpage ALL DEPENDS "${PROJECT_BINARY_DIR}/man/udpchat.1.gz")
    install(FILES "${PROJECT_BINARY_DIR}/man/udpchat.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  else()
    install(FILES "${PROJECT_BINARY_DIR}/man/udpchat.1" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  endif()
  # The window (`udpchat gui`): a menu entry and its icon (the Windows icon's 256 px image).
  if(TARGET udpchat_gui)
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/linux/udpchat.desktop"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
    install(FILES "${PROJECT_SOURCE_DIR}/packaging/linux/udpchat.png"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps")
  endif()
endif()

# ---- common ----
set(CPACK_PACKAGE_NAME "udpchat")
set(CPACK_PACKAGE_VENDOR "udpchat developers")
set(CPACK_PACKAGE_CONTACT "udpchat developers <udpchat@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LAN chat over UDP for Windows and Linux, with GBK/GB18030 conversion")
set(CPACK_PACKAGE_DESCRIPTION
  "udpchat is a console chat program for people on one LAN, some on Windows\n"
  "and some on Linux. It chats with everyone on the LAN (IP Messenger\n"
  "compatible), with one peer directly, or in a room through a relay server,\n"
  "acknowledging and retransmitting every message. It speaks UTF-8 inside and\n"
  "converts GBK and GB18030 at the edges, so everyone reads everyone's\n"
  "Chinese, and it stays compatible with plain-text UDP chat programs.\n"
  "udpchat convert converts text files between utf-8, gbk and gb18030.")
string(CONCAT CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}")   # packages land in the build directory
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_STRIP_FILES ON)                              # RelWithDebInfo builds ship stripped
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build/" "/build-[^/]*/" "/out/" "__pycache__")

if(WIN32)
  # ---- Windows: NSIS installer + portable zip ----
  set(CPACK_GENERATOR "NSIS;ZIP")
  set(CPACK_PACKAGE_INSTALL_DIRECTORY "udpchat")        # C:\Program Files\udpchat
  set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "udpchat")     # ...\CurrentVersion\Uninstall\udpchat
  set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
  set(CPACK_NSIS_PACKAGE_NAME "udpchat")                # "udpchat Setup"; the Start-menu folder
  set(CPACK_NSIS_DISPLAY_NAME "udpchat")                # Add/Remove Programs (plus DisplayVersion)
  set(CPACK_NSIS_CONTACT "udpchat@localhost")
  set(CPACK_NSIS_MODIFY_PATH ON)                        # optional: "add to PATH" page (off by default)
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)    # an upgrade replaces the old version
  set(CPACK_NSIS_UNINSTALL_NAME "Uninstall")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\udpchat.exe")  # Add/Remove Programs icon
  set(_udpchat_ico "${PROJECT_SOURCE_DIR}/packaging/windows/udpchat.ico")
  if(EXISTS "${_udpchat_ico}")
    set(CPACK_NSIS_MUI_ICON "${_udpchat_ico}")
    set(CPACK_NSIS_MUI_UNIICON "${_udpchat_ico}")
  endif()
  # A double-click opens the window: the Start-menu entry "udpchat" and the desktop shortcut
  # start udpchatw.exe (the GUI-subsystem exe: no console). "udpchat (console)" opens a
  # console running 'udpchat lan' that stays open afterwards (cmd /k), for the next command.
  if(TARGET udpchatw)
    set(CPACK_NSIS_CREATE_ICONS_EXTRA
      "  CreateShortCut '$SMPROGRAMS\\$STARTMENU_FOLDER\\udpchat.lnk' '$INSTDIR\\bin\\udpchatw.exe' '' '$INSTDIR\\bin\\udpchatw.exe' 0\n"
      "  CreateShortCut '$SMPROGRAMS\\$STARTMENU_FOLDER\\udpchat (console).lnk' '$SYSDIR\\cmd.exe' '/k \"\"$INSTDIR\\bin\\udpchat.exe\" lan\"' '$INSTDIR\\bin\\udpchat.exe' 0\n"
      "  CreateShortCut '$DESKTOP\\udpchat.lnk' '$INSTDIR\\bin\\udpchatw.exe' '' '$INSTDIR\\bin\\udpchatw.exe' 0")
    set(CPACK_NSIS_DELETE_ICONS_EXTRA
      "  Delete '$SMPROGRAMS\\$MUI_TEMP\\udpchat.lnk'\n"
      "  Delete '$SMPROGRAMS\\$MUI_TEMP\\udpchat (console).lnk'\n"
      "  Delete '$DESKTOP\\udpchat.lnk'")
    string(CONCAT CPACK_NSIS_CREATE_ICONS_EXTRA ${CPACK_NSIS_CREATE_ICONS_EXTRA})
    string(CONCAT CPACK_NSIS_DELETE_ICONS_EXTRA ${CPACK_NSIS_DELETE_ICONS_EXTRA})
  else()
    set(CPACK_NSIS_CREATE_ICONS_EXTRA
      "  CreateShortCut '$SMPROGRAMS\\$STARTMENU_FOLDER\\udpchat.lnk' '$SYSDIR\\cmd.exe' '/k \"\"$INSTDIR\\bin\\udpchat.exe\" lan\"' '$INSTDIR\\bin\\udpchat.exe' 0")
    set(CPACK_NSIS_DELETE_ICONS_EXTRA
      "  Delete '$SMPROGRAMS\\$MUI_TEMP\\udpchat.lnk'")
  endif()
  # CPack leaves the empty "Software\<vendor>" key behind; the uninstaller removes it too.
  set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS
    "  DeleteRegKey SHCTX 'Software\\${CPACK_PACKAGE_VENDOR}\\${CPACK_PACKAGE_INSTALL_REGISTRY_KEY}'\n"
    "  DeleteRegKey /ifempty SHCTX 'Software\\${CPACK_PACKAGE_VENDOR}'")
  string(CONCAT CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS ${CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS})
  # A 64-bit installer (Debian's nsis ships the amd64-unicode stubs and plugins): it runs under
  # wine64 without 32-bit Wine, and writes the native (not the WOW6432Node) registry view.
  # (CPack overwrites CPACK_NSIS_DEFINES only in component mode, which udpchat does not use.)
  set(CPACK_NSIS_DEFINES "Target amd64-unicode")
  # The portable zip is flat: udpchat-<version>-win64\{udpchat.exe, udpchatw.exe, wqy-microhei.ttc,
  # wqy-microhei-LICENSE.txt, README.md, LICENSE}. The install tree has bin\udpchat.exe (the
  # installer's "add to PATH" adds $INSTDIR\bin), so a pre-build script moves bin\* up in the
  # zip's staging copy only.
  set(_udpchat_flatten "${PROJECT_BINARY_DIR}/cpack/udpchat-zip-flatten.cmake")
  file(WRITE "${_udpchat_flatten}" [=[
# Generated by cmake/UdpchatPackaging.cmake: run by CPack for each generator before it packs.
if(CPACK_GENERATOR STREQUAL "ZIP")
  file(GLOB _files "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/bin/*")
  foreach(_f IN LISTS _files)
    get_filename_component(_n "${_f}" NAME)
    file(RENAME "${_f}" "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/${_n}")
  endforeach()
  file(REMOVE_RECURSE "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/bin")
endif()
]=])
  set(CPACK_PRE_BUILD_SCRIPTS "${_udpchat_flatten}")
else()
  # ---- Linux: .deb + .tar.gz ----
  set(CPACK_GENERATOR "DEB;TGZ")
  set(CPACK_DEBIAN_PACKAGE_NAME "udpchat")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)               # udpchat_<version>_<arch>.deb
  set(CPACK_DEBIAN_PACKAGE_MAINTAINER "udpchat developers <udpchat@localhost>")
  set(CPACK_DEBIAN_PACKAGE_SECTION "net")
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  # Debian policy wants the licence as /usr/share/doc/<package>/copyright: the .deb's staging copy
  # gets LICENSE under that name too (the .tar.gz keeps just LICENSE).
  set(_udpchat_debcopy "${PROJECT_BINARY_DIR}/cpack/udpchat-deb-copyright.cmake")
  file(CONFIGURE OUTPUT "${_udpchat_debcopy}" @ONLY CONTENT [=[
# Generated by cmake/UdpchatPackaging.cmake: run by CPack for each generator before it packs.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(_doc "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}/@CMAKE_INSTALL_DOCDIR@")
  configure_file("${_doc}/LICENSE" "${_doc}/copyright" COPYONLY)
endif()
]=])
  set(CPACK_PRE_BUILD_SCRIPTS "${_udpchat_debcopy}")
  # Depends: computed from the binary by dpkg-shlibdeps (package dpkg-dev, which build-essential
  # pulls in); without it, the same list written out.
  find_program(UDPCHAT_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(UDPCHAT_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libsdl2-2.0-0 (>= 2.0.18), libsdl2-net-2.0-0 (>= 2.0.1), libsqlite3-0 (>= 3.34)")
    if(TARGET udpchat_gui)
      string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libsdl2-ttf-2.0-0 (>= 2.0.18), libfontconfig1")
    endif()
  endif()
  if(TARGET udpchat_gui) # the window draws Chinese with a CJK font from fontconfig (the
    # shared libraries dpkg-shlibdeps finds are added to this list)
    if(CPACK_DEBIAN_PACKAGE_DEPENDS)
      string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", fonts-wqy-microhei | fonts-noto-cjk")
    else()
      set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-wqy-microhei | fonts-noto-cjk")
    endif()
  endif()
endif()

include(CPack)
