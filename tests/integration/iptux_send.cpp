// iptux_send.cpp -- drives iptux's own protocol core (libiptux-core, Debian package iptux)
// for test_lan_iptux.py and test_lan_files_iptux.py: the iptux GUI cannot act without clicks.
//   iptux_send CONFIG.json PEER_IP TEXT           exit 0: sent and acknowledged (RECVMSG)
//   iptux_send CONFIG.json PEER_IP --send PATH... offers files/folders, serves them (exit 0
//                                                 when every one was fetched, 1 after 60 s)
//   iptux_send CONFIG.json PEER_IP --recv DIR N   waits for N offered files/folders from the
//                                                 peer and downloads each into DIR
// CONFIG is an iptux config (nick_name, belong_group, preference_encode, ...). Bounded:
// gives up after ~10 s without the peer, and iptux itself retries a message a few times.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <glib.h>

#include "iptux-core/CoreThread.h"
#include "iptux-core/IptuxConfig.h"
#include "iptux-core/ProgramData.h"

using namespace iptux;

// Debian's libiptux-core 0.8.3 has AnalogFS::mkdir call itself instead of ::mkdir, so it
// recurses until the stack overflows whenever a received folder holds a folder that does
// not exist yet. This definition replaces the library's (the executable's symbol wins; the
// object's only member is its current path): the same function, calling the system's mkdir.
extern "C" __attribute__((visibility("default"), used)) int analogfs_mkdir(char* cwd, const char* dir,
                                                                           unsigned int mode)
    __asm__("_ZN5iptux8AnalogFS5mkdirEPKcj");
extern "C" int analogfs_mkdir(char* cwd, const char* dir, unsigned int mode) {
  std::string p = dir[0] == '/' ? std::string(dir) : std::string(cwd) + (cwd[1] ? "/" : "") + dir;
  if (access(p.c_str(), F_OK) == 0) return 0;
  return ::mkdir(p.c_str(), mode);
}

static PPalInfo wait_pal(CoreThread& core, const char* ip) {
  for (int i = 0; i < 100; i++) {
    auto pal = core.GetPal(std::string(ip));
    if (pal) return pal;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("peer %s never seen\n", ip);
  return PPalInfo();
}

// Offers paths to the peer and waits until each was sent (SEND_FILE_FINISHED).
static int send_files(CoreThread& core, const char* ip, char** paths, int n) {
  std::atomic<int> finished(0);
  core.signalEvent.connect([&](std::shared_ptr<const Event> e) {
    if (e->getType() == EventType::SEND_FILE_FINISHED) finished++;
  });
  auto pal = wait_pal(core, ip);
  if (!pal) return 3;
  std::vector<FileInfo*> files;
  for (int i = 0; i < n; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) return 2;
    auto f = std::make_shared<FileInfo>();
    f->fileid = 20000 + i;  // private files start at MAX_SHAREDFILE (10000)
    f->fileattr = S_ISDIR(st.st_mode) ? FileAttr::DIRECTORY : FileAttr::REGULAR;
    f->filepath = g_strdup(paths[i]);
    f->filectime = uint32_t(st.st_ctime);
    f->fileown = pal;
    core.AddPrivateFile(f);
    files.push_back(f.get());
  }
  core.BcstFileInfoEntry({pal.get()}, files);
  std::printf("offered %d to %s\n", n, ip);
  std::fflush(stdout);
  for (int k = 0; k < 600 && finished < n; k++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::printf("sent %d of %d\n", int(finished), n);
  return finished >= n ? 0 : 1;
}

// Waits for n offered files from the peer; downloads each into dir (a folder's target
// folder made first: libiptux-core 0.8.3 loops when it has to make it itself).
static int recv_files(CoreThread& core, const char* ip, const char* dir, int n) {
  std::mutex lock;
  std::vector<FileInfo> offered;
  core.signalEvent.connect([&](std::shared_ptr<const Event> e) {
    if (e->getType() != EventType::NEW_SHARE_FILE_FROM_FRIEND) return;
    auto ev = std::dynamic_pointer_cast<const NewShareFileFromFriendEvent>(e);
    std::lock_guard<std::mutex> g(lock);
    offered.push_back(ev->GetFileInfo());
  });
  if (!wait_pal(core, ip)) return 3;
  std::printf("ready\n");
  std::fflush(stdout);
  for (int got = 0, k = 0; got < n && k < 600; k++) {
    std::vector<FileInfo> todo;
    {
      std::lock_guard<std::mutex> g(lock);
      todo.swap(offered);
    }
    for (auto& f : todo) {
      std::string target = std::string(dir) + "/" + f.filepath;
      if (f.fileattr == FileAttr::DIRECTORY) g_mkdir_with_parents(target.c_str(), 0777);
      g_free(f.filepath);
      f.filepath = g_strdup(target.c_str());
      core.RecvFile(&f);
      std::printf("received %s (%lld bytes offered)\n", target.c_str(), (long long)f.filesize);
      std::fflush(stdout);
      got++;
      if (got == n) return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("not all %d offers came\n", n);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 4 || (std::strcmp(argv[3], "--recv") == 0 && argc != 6)) {
    std::fprintf(stderr, "usage: %s CONFIG.json PEER_IP TEXT|--send PATH...|--recv DIR N\n", argv[0]);
    return 2;
  }
  auto config = std::make_shared<IptuxConfig>(std::string(argv[1]));
  auto data = std::make_shared<ProgramData>(config);
  CoreThread core(data);
  core.start();  // binds UDP/TCP 2425 and broadcasts BR_ENTRY
  if (std::strcmp(argv[3], "--send") == 0 || std::strcmp(argv[3], "--recv") == 0) {
    int rc = argv[3][2] == 's' ? send_files(core, argv[2], argv + 4, argc - 4)
                               : recv_files(core, argv[2], argv[4], std::atoi(argv[5]));
    std::fflush(stdout);
    core.stop();
    return rc;
  }
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
