// Whether this build runs under ThreadSanitizer or AddressSanitizer, which slow threaded code
// several times over: tests that run long loops scale them down by `sanitized_scale`.
#pragma once

#include <cstdint>

namespace mpmc::test {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
#else
inline constexpr bool sanitized = false;
#endif
inline constexpr std::uint32_t sanitized_scale = sanitized ? 10 : 1;
}  // namespace mpmc::test
