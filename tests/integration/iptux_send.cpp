// iptux_send.cpp -- sends one chat message with iptux's own protocol core (libiptux-core,
// Debian package iptux), for test_lan_iptux.py: the iptux GUI cannot send without clicks.
//   iptux_send CONFIG.json PEER_IP TEXT      exit 0: sent and acknowledged (RECVMSG)
// CONFIG is an iptux config (nick_name, belong_group, preference_encode, ...). Bounded:
// gives up after ~10 s without the peer, and iptux itself retries a message a few times.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "iptux-core/CoreThread.h"
#include "iptux-core/IptuxConfig.h"
#include "iptux-core/ProgramData.h"

using namespace iptux;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s CONFIG.json PEER_IP TEXT\n", argv[0]);
    return 2;
  }
  auto config = std::make_shared<IptuxConfig>(std::string(argv[1]));
  auto data = std::make_shared<ProgramData>(config);
  CoreThread core(data);
  core.start();  // binds UDP/TCP 2425 and broadcasts BR_ENTRY
  int rc = 3;
  for (int i = 0; i < 100; i++) {
    auto pal = core.GetPal(std::string(argv[2]));
    if (pal) {
      std::printf("peer %s: name '%s' group '%s' encode '%s'\n", argv[2], pal->getName().c_str(),
                  pal->getGroup().c_str(), pal->getEncode().c_str());
      std::fflush(stdout);
      bool ok = core.SendMessage(pal, std::string(argv[3]));
      // SendMessage returns once sent; the acknowledgement clears rpacketn
      for (int k = 0; k < 50 && pal->rpacketn != 0; k++)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::printf("sent %s, %s\n", ok ? "ok" : "FAILED", pal->rpacketn == 0 ? "acknowledged" : "NOT acknowledged");
      rc = ok && pal->rpacketn == 0 ? 0 : 1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (rc == 3) std::printf("peer %s never seen\n", argv[2]);
  std::fflush(stdout);
  core.stop();
  return rc;
}
