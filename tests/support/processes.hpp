// Child processes for the shared-memory tests, each bounded in time: a child that hangs (a lost
// wake-up, an open that never returns) is killed and reported as a failure, not a stuck ctest.
// A child reports through its exit status (0: passed) and, where a test wants text, a pipe; it
// never uses GoogleTest's assertions, which would only fail the child's copy of the test.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mpmc::test {

inline constexpr int child_skipped = 77;  // the child could not set up what the test needs

// A name no other test or run uses: the pid and a per-process count.
inline std::string unique_shm_name(const char* what) {
  static int count = 0;
  return "/mpmc_test_" + std::string(what) + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(++count);
}

// Forks; the child runs `body` (returning its exit status) under an alarm of `limit` seconds and
// exits without running the parent's destructors or atexit handlers.
template <class Body>
pid_t spawn(Body body, unsigned limit = 20) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) ADD_FAILURE() << "fork failed";
  if (pid != 0) return pid;
  ::alarm(limit);  // the default action of SIGALRM ends the child: bounded even if `body` hangs
  int status = 98;
  try {
    status = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child: unexpected exception: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "child: unexpected exception\n");
  }
  ::_exit(status);
}

// The child's exit status; -1 (and a failure) if it did not exit normally or outlived `limit`,
// in which case it is killed.
inline int join(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds{30}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) {
      ADD_FAILURE() << "waitpid failed";
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "child " << pid << " killed after " << limit.count() << " ms";
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  ADD_FAILURE() << "child " << pid << " ended by signal " << WTERMSIG(status);
  return -1;
}

// The state letter of /proc/<pid>/stat: 'S' once the process sleeps (in futex_wait, for a child
// parked on a queue); '?' if it cannot be read.
inline char state_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}

// Waits up to `limit` for the process to sleep; false if it never did.
inline bool sleeps_soon(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (state_of(pid) != 'S') {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

// An object of type T in memory that a fork shares (MAP_SHARED | MAP_ANONYMOUS), constructed
// before the fork so that both processes see it at the same address.
template <class T>
class shared_object {
 public:
  shared_object() {
    void* p = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    object_ = ::new (p) T{};
  }
  shared_object(const shared_object&) = delete;
  shared_object& operator=(const shared_object&) = delete;
  ~shared_object() {
    object_->~T();
    ::munmap(object_, sizeof(T));
  }
  T& operator*() const noexcept { return *object_; }
  T* operator->() const noexcept { return object_; }

 private:
  T* object_;
};

// Runs body(i) in eight child processes released at once (each waits at a start line until all
// eight are there), and checks that each returned 0.
template <class Body>
void in_eight_racing_children(Body body) {
  struct start_line {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
  };
  shared_object<start_line> line;
  std::array<pid_t, 8> pids{};
  for (int i = 0; i < 8; ++i)
    pids[i] = spawn([&, i] {
      // seq_cst (both): a test's start line; it needs nothing less.
      line->ready.fetch_add(1);
      while (!line->go.load()) {
      }
      return body(i);
    });
  while (line->ready.load() < 8) std::this_thread::yield();
  line->go.store(true);
  for (int i = 0; i < 8; ++i) ASSERT_EQ(join(pids[i]), 0) << "child " << i;
}

}  // namespace mpmc::test
