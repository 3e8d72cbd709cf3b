# UdpchatSources.cmake -- the source files of udpchat_lib; one platform per file, chosen here
# --- app & shared utilities ---
target_sources(udpchat_lib PRIVATE
  src/core/buf.c
  src/app/cli.c
  src/app/cmd_stubs.c
)
# --- charset layer ---
target_sources(udpchat_lib PRIVATE
)
# --- wire protocol, reliability, sessions (core, no I/O) ---
target_sources(udpchat_lib PRIVATE
)
