# UdpchatSources.cmake -- the source files of udpchat_lib; one platform per file, chosen here
# --- app & shared utilities ---
target_sources(udpchat_lib PRIVATE
  src/core/mem.c
  src/core/buf.c
  src/app/cli.c
)
# --- charset layer ---
target_sources(udpchat_lib PRIVATE
  src/core/utf8.c
  src/core/utf8_width.c
  src/charset/charset.c
  src/charset/gb18030.c
  src/app/cmd_convert.c
)
# --- wire protocol, reliability, sessions, relay (core, no I/O) ---
target_sources(udpchat_lib PRIVATE
  src/core/wire.c
  src/core/card.c
  src/core/msg.c
  src/core/link.c
  src/core/event.c
  src/core/nick.c
  src/core/session.c
  src/core/session_plain.c
  src/core/token.c
  src/core/relay.c
  src/core/relay_hello.c
  src/core/relay_room.c
  src/core/relay_legacy.c
  src/core/ipmsg.c
  src/core/lan.c
)
# --- edges: network (SDL_net + SDL threads), console, front end ---
target_sources(udpchat_lib PRIVATE
  src/net/net.c
  src/net/queue.c
  src/console/input_lines.c
  src/console/lineedit.c
  src/console/console.c
  src/app/runner.c
  src/app/json.c
  src/app/frontend.c
  src/app/commands.c
  src/app/signals.c
  src/app/chat_loop.c
  src/app/session_core.c
  src/app/cmd_peer.c
  src/app/cmd_join.c
  src/app/cmd_server.c
  src/app/cmd_lan.c
)
# --- one platform per file: the same names on both sides ---
if(WIN32)
  target_sources(udpchat_lib PRIVATE
    src/charset/charset_win32.c
    src/net/ifaddr_win32.c
    src/net/entropy_win32.c
    src/console/console_win32.c)
  target_link_libraries(udpchat_lib PRIVATE iphlpapi ws2_32 advapi32)
else()
  target_sources(udpchat_lib PRIVATE
    src/charset/charset_iconv.c
    src/net/ifaddr_posix.c
    src/net/entropy_posix.c
    src/console/console_posix.c)
  find_package(Iconv REQUIRED)   # in libc on glibc; libiconv on macOS and the BSDs
  target_link_libraries(udpchat_lib PRIVATE Iconv::Iconv)
endif()
