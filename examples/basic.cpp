// The seed's basic usage: make a queue, push a message, pop it.
#include <mpmc/mpmc.hpp>

#include <iostream>
#include <string>

int main() {
  // Room for exactly 1000 messages.
  mpmc::queue<std::string> queue(1000);
  std::cout << "capacity: " << queue.capacity() << '\n';

  if (!queue.try_push("Hello, World!")) {
    std::cerr << "queue full\n";
    return 1;
  }
  std::cout << "size after push: " << queue.size() << '\n';

  if (std::optional<std::string> message = queue.try_pop()) {
    std::cout << "received: " << *message << '\n';
  }
  std::cout << "empty: " << std::boolalpha << queue.empty() << '\n';
}
