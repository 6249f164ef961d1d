// Runs this program again in a child process and collects what it writes to standard output: the
// runners measure each case in a process of its own (compare.cpp, The method), and a child that
// hangs is killed at a deadline instead of stalling the whole run. Also the small helpers the
// runners share: splitting a comma list, taking a median.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {
struct child_result {
  bool ok = false;  // exited with status 0 before the deadline
  bool timed_out = false;
  std::string out;
};

// `self` is argv[0]; `args` follow it. The child's standard output is read until it closes it.
inline child_result run_child(const char* self, const std::vector<std::string>& args,
                              int timeout_s) {
  child_result r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return r;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv{const_cast<char*>(self)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(self, argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buffer[256];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t got = read(fds[0], buffer, sizeof buffer);
    if (got <= 0) break;  // the child closed its end: done
    r.out.append(buffer, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  if (r.timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  r.ok = !r.timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

// "a,b,,c" -> {"a", "b", "c"}
inline std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) parts.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// The upper median; 0 for no samples.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace bench
