# UdpchatSources.cmake -- udpchat's layers as libraries that link only downward, and their
# sources; one platform per file, chosen here.
#
#   udpchat_app      src/app      commands, front end, runner threads   -> store, console, net, core
#   udpchat_store    src/store    the user's files: history (SQLite)    -> core
#   udpchat_console  src/console  the terminal and stdin lines          -> core
#   udpchat_gui      src/gui      the window (SDL2_ttf)                 -> core
#   udpchat_net      src/net      sockets, interfaces, randomness       -> core
#   udpchat_core     src/core     wire, link, session, relay, lan, ...  (no I/O)
#                    src/charset  the charset layer (UTF-8 inside, GBK / GB18030 at the edges; on
#                                 Windows also UTF-16 for the wide API, which every layer uses)
#
# A core unit test links udpchat_core alone, so a call upward fails to link; the layers
# test (tests/check_layers.cmake) fails when a file includes a header of a layer above its own.
function(udpchat_layer name)
  add_library(${name} STATIC)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/generated)
  udpchat_target_flags(${name})
endfunction()

# --- core + charset ---
udpchat_layer(udpchat_core)
target_sources(udpchat_core PRIVATE
  src/core/mem.c
  src/core/buf.c
  src/core/addr.c
  src/core/core.c
  src/core/utf8.c
  src/core/utf8_width.c
  src/core/linebreak.c
  src/charset/charset.c
  src/charset/gb18030.c
  src/core/wire.c
  src/core/card.c
  src/core/token.c
  src/core/msg.c
  src/core/link.c
  src/core/event.c
  src/core/nick.c
  src/core/session.c
  src/core/session_plain.c
  src/core/relay.c
  src/core/relay_hello.c
  src/core/relay_room.c
  src/core/relay_legacy.c
  src/core/relay_plain.c
  src/core/relay_table.c
  src/core/ipmsg.c
  src/core/ipmsg_file.c
  src/core/lan.c
  src/core/lan_away.c
  src/core/lan_compat.c
  src/core/lan_probe.c
  src/core/lan_seal.c
  src/core/ini.c
  src/core/lan_file.c
)
target_link_libraries(udpchat_core PUBLIC udpchat::sdl2) # SDL's spinlock guards the charset caches

# --- edges: network (SDL_net), console ---
udpchat_layer(udpchat_net)
target_sources(udpchat_net PRIVATE src/net/net.c src/net/queue.c src/net/tcp.c)
target_link_libraries(udpchat_net PUBLIC udpchat_core udpchat::sdl2_net udpchat::sdl2)

udpchat_layer(udpchat_console)
target_sources(udpchat_console PRIVATE
  src/console/input_lines.c
  src/console/lineedit.c
  src/console/lineedit_search.c
  src/console/histfile.c
  src/console/attention.c
  src/console/console.c
)
target_link_libraries(udpchat_console PUBLIC udpchat_core udpchat::sdl2)

# --- edge: the user's files (SQLite history, the folders they live in) ---
find_package(SQLite3 REQUIRED) # Debian's libsqlite3-dev; for Windows built by cmake/build-windows-deps.sh
udpchat_layer(udpchat_store)
target_sources(udpchat_store PRIVATE src/store/history.c src/store/history_find.c)
target_link_libraries(udpchat_store PUBLIC udpchat_core PRIVATE SQLite::SQLite3)

# --- the program: commands, front end, runner ---
udpchat_layer(udpchat_app)
target_sources(udpchat_app PRIVATE
  src/app/cli.c
  src/app/cmd_convert.c
  src/app/runner.c
  src/app/json.c
  src/app/model.c
  src/app/model_files.c
  src/app/frontend.c
  src/app/notify.c
  src/app/frontend_files.c
  src/app/cmd_files.c
  src/app/commands.c
  src/app/signals.c
  src/app/chat_loop.c
  src/app/record.c
  src/app/cmd_history.c
  src/app/completion.c
  src/app/endpoint.c
  src/app/cmd_peer.c
  src/app/cmd_join.c
  src/app/cmd_server.c
  src/app/cmd_lan.c
  src/app/settings.c
  src/app/settings_nick.c
  src/app/set_command.c
  src/app/transfer.c
  src/app/transfer_io.c
  src/app/transfer_serve.c
  src/app/transfer_recv.c
)
target_link_libraries(udpchat_app PUBLIC udpchat_store udpchat_console udpchat_net udpchat_core)

# --- one platform per file: the same names on both sides ---
if(WIN32)
  target_sources(udpchat_core PRIVATE src/charset/charset_win32.c src/charset/utf16_win32.c)
  target_sources(udpchat_net PRIVATE src/net/ifaddr_win32.c src/net/entropy_win32.c)
  target_sources(udpchat_console PRIVATE src/console/console_win32.c)
  target_sources(udpchat_store PRIVATE src/store/paths_win32.c)
  target_link_libraries(udpchat_store PRIVATE shell32)
  target_sources(udpchat_app PRIVATE src/app/settings_win32.c)
  target_sources(udpchat_app PRIVATE src/app/fs_win32.c)
  target_link_libraries(udpchat_app PRIVATE shell32 ole32)
  target_link_libraries(udpchat_net PRIVATE iphlpapi ws2_32 advapi32)
else()
  target_sources(udpchat_core PRIVATE src/charset/charset_iconv.c)
  target_sources(udpchat_net PRIVATE src/net/ifaddr_posix.c src/net/entropy_posix.c)
  target_sources(udpchat_console PRIVATE src/console/console_posix.c)
  target_sources(udpchat_store PRIVATE src/store/paths_posix.c)
  target_sources(udpchat_app PRIVATE src/app/settings_posix.c)
  target_sources(udpchat_app PRIVATE src/app/fs_posix.c)
  find_package(Iconv REQUIRED)   # in libc on glibc; libiconv on macOS and the BSDs
  target_link_libraries(udpchat_core PRIVATE Iconv::Iconv)
endif()

# --- edge: the window (SDL2 + SDL2_ttf; fontconfig on Linux, the Fonts folder on Windows).
# The app's `udpchat gui` comes with it (UDPCHAT_GUI); on Windows also udpchatw.exe
# (CMakeLists.txt, cmake/UdpchatWindows.cmake).
if(UDPCHAT_GUI)
  udpchat_layer(udpchat_gui)
  target_sources(udpchat_gui PRIVATE
    src/gui/gui.c
    src/gui/gui_font.c
    src/gui/gui_edit.c
    src/gui/gui_input.c
    src/gui/gui_draw.c
    src/gui/gui_logic.c
    src/gui/gui_stats.c
  )
  target_link_libraries(udpchat_gui PUBLIC udpchat_core udpchat::sdl2)
  if(WIN32)
    # SDL2_ttf and FreeType, static, from the deps prefix (cmake/build-windows-deps.sh)
    find_package(SDL2_ttf CONFIG REQUIRED)
    if(TARGET SDL2_ttf::SDL2_ttf-static)
      target_link_libraries(udpchat_gui PRIVATE SDL2_ttf::SDL2_ttf-static)
    else()
      target_link_libraries(udpchat_gui PRIVATE SDL2_ttf::SDL2_ttf)
    endif()
    target_sources(udpchat_gui PRIVATE src/gui/gui_font_win32.c)
    target_link_libraries(udpchat_gui PRIVATE shell32 ole32 uuid)
  else()
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(UDPCHAT_SDL2_TTF REQUIRED IMPORTED_TARGET SDL2_ttf)
    pkg_check_modules(UDPCHAT_FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
    target_sources(udpchat_gui PRIVATE src/gui/gui_font_fc.c)
    target_link_libraries(udpchat_gui PRIVATE PkgConfig::UDPCHAT_SDL2_TTF PkgConfig::UDPCHAT_FONTCONFIG)
    # SDL_ttf.h is included by src/gui's private header only
    target_include_directories(udpchat_gui PRIVATE ${UDPCHAT_SDL2_TTF_INCLUDE_DIRS})
  endif()
  target_sources(udpchat_app PRIVATE src/app/cmd_gui.c src/app/gui_app.c src/app/gui_convs.c src/app/gui_files.c
    src/app/gui_log.c src/app/gui_pages.c src/app/gui_stderr.c)
  target_link_libraries(udpchat_app PUBLIC udpchat_gui)
  target_compile_definitions(udpchat_app PUBLIC UDPCHAT_GUI=1)
endif()

# Everything, for the program and the tests that need more than the core.
add_library(udpchat_lib INTERFACE)
target_link_libraries(udpchat_lib INTERFACE udpchat_app)
set(UDPCHAT_LAYERS udpchat_core udpchat_net udpchat_console udpchat_store udpchat_app)
if(TARGET udpchat_gui)
  list(APPEND UDPCHAT_LAYERS udpchat_gui)
endif()
