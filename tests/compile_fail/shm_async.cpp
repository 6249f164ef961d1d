// An asynchronous pop on a queue in shared memory, through a consumer handle.
#include <mpmc/asio.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/shm.hpp>

#include <asio/bind_executor.hpp>
#include <asio/io_context.hpp>

#include <memory>
#include <optional>
#include <system_error>

int main() {
  using queue = mpmc::shm::queue<int>;
  mpmc::consumer<queue> c(std::make_shared<queue>(queue::open("/mpmc_compile_fail")));
  asio::io_context io;
  mpmc::async_pop(c, asio::bind_executor(io, [](std::error_code, std::optional<int>) {}));
  io.run();
}
