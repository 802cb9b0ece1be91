#include "compiler/map/graphviz.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace journey::map {
namespace {

bool executable(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

void closeFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Ignores SIGPIPE while it lives: `dot` may exit before reading all its input.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &previous_);
  }
  ~IgnoreSigpipe() { sigaction(SIGPIPE, &previous_, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace

std::optional<std::string> findProgram(std::string_view program, std::string_view path) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string_view::npos) {
    std::string candidate(program);
    if (executable(candidate)) return candidate;
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    std::string directory(path.substr(start, end - start));
    if (directory.empty()) directory = ".";
    std::string candidate = directory + "/" + std::string(program);
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

GraphvizResult runGraphviz(const std::string& dotPath, std::string_view format,
                           std::string_view input, std::chrono::milliseconds timeout) {
  GraphvizResult result;
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    result.error = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    for (int* fds : {in, out, err}) {
      closeFd(fds[0]);
      closeFd(fds[1]);
    }
    return result;
  }
  std::string formatArgument = "-T" + std::string(format);
  IgnoreSigpipe ignoreSigpipe;
  pid_t pid = fork();
  if (pid < 0) {
    result.error = fmt::format("cannot start `{}`: {}", dotPath, std::strerror(errno));
    for (int* fds : {in, out, err}) {
      closeFd(fds[0]);
      closeFd(fds[1]);
    }
    return result;
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec. Its own process group, so that a
    // timeout stops whatever it started too.
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    char* argv[] = {const_cast<char*>(dotPath.c_str()), const_cast<char*>(formatArgument.c_str()),
                    nullptr};
    execv(dotPath.c_str(), argv);
    const char message[] = "cannot run the program\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  closeFd(in[0]);
  closeFd(out[1]);
  closeFd(err[1]);
  fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);

  std::string errors;
  std::size_t written = 0;
  if (input.empty()) closeFd(in[1]);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timedOut = false;
  char buffer[65536];
  while (out[0] >= 0 || err[0] >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    std::vector<pollfd> fds;
    if (in[1] >= 0) fds.push_back({in[1], POLLOUT, 0});
    if (out[0] >= 0) fds.push_back({out[0], POLLIN, 0});
    if (err[0] >= 0) fds.push_back({err[0], POLLIN, 0});
    int ready =
        poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      result.error = fmt::format("waiting for `{}` failed: {}", dotPath, std::strerror(errno));
      break;
    }
    for (const auto& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == in[1]) {
        ssize_t n = write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) closeFd(in[1]);
        continue;
      }
      ssize_t n = read(fd.fd, buffer, sizeof buffer);
      if (n > 0) {
        (fd.fd == out[0] ? result.output : errors).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (fd.fd == out[0]) {
          closeFd(out[0]);
        } else {
          closeFd(err[0]);
        }
      }
    }
  }
  closeFd(in[1]);
  closeFd(out[0]);
  closeFd(err[0]);
  if (timedOut) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r'))
    errors.pop_back();
  if (timedOut) {
    result.error = fmt::format("`{}` did not finish within {} s and was stopped", dotPath,
                               (timeout.count() + 999) / 1000);
    return result;
  }
  if (!result.error.empty()) return result;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.ok = true;
    result.error = errors;
    return result;
  }
  std::string how = WIFEXITED(status) ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                      : fmt::format("was killed by signal {}", WTERMSIG(status));
  result.error = fmt::format("`{}` {}{}{}", dotPath, how, errors.empty() ? "" : ": ", errors);
  return result;
}

}  // namespace journey::map
