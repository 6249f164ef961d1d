// mpmc::errc: the error codes this library reports through std::error_code, as its asynchronous
// operations do (<mpmc/asio.hpp>). Registered with std::is_error_code_enum, so `ec ==
// mpmc::errc::closed` compares an error code with the enumerator.
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace mpmc {
enum class errc {
  // A push found the queue closed (its value is handed back), or a pop found it closed and drained.
  closed = 1,
};

namespace detail {
class errc_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mpmc"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::closed:
        return "queue closed";
    }
    return "unknown mpmc error";
  }
};
}  // namespace detail

// One object for the whole program: error codes compare their categories by address.
inline const std::error_category& error_category() noexcept {
  static const detail::errc_category category;
  return category;
}

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}
}  // namespace mpmc

template <>
struct std::is_error_code_enum<mpmc::errc> : std::true_type {};
