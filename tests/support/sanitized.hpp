// Whether this build runs under ThreadSanitizer or AddressSanitizer, which slow threaded code
// several times over: tests that run long loops scale them down by `sanitized_scale`.
#pragma once

#include <cstdint>

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define MPMC_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define MPMC_TEST_SANITIZED 1
#endif
#endif
#ifndef MPMC_TEST_SANITIZED
#define MPMC_TEST_SANITIZED 0  // for #if; code uses `sanitized`
#endif

namespace mpmc::test {
inline constexpr bool sanitized = MPMC_TEST_SANITIZED != 0;
inline constexpr std::uint32_t sanitized_scale = sanitized ? 10 : 1;
}  // namespace mpmc::test
