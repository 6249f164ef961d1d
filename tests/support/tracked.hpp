// A test element that counts its constructions and destructions and notices
// being destroyed twice, so tests can assert the queue's lifetime handling.
#pragma once

#include <atomic>
#include <cstdint>

namespace mpmc::test {

struct lifetime_counts {
  long constructed;
  long destroyed;
  long live;
  long double_destroys;
};

class tracked {
 public:
  static void reset() noexcept {
    constructed_ = 0;
    destroyed_ = 0;
    double_destroys_ = 0;
  }
  static lifetime_counts counts() noexcept {
    const long c = constructed_.load();
    const long d = destroyed_.load();
    return {c, d, c - d, double_destroys_.load()};
  }

  explicit tracked(int value) noexcept : value_(value) { ++constructed_; }
  tracked(const tracked& other) noexcept : value_(other.value_) { ++constructed_; }
  tracked(tracked&& other) noexcept : value_(other.value_) {
    other.value_ = -1;
    ++constructed_;
  }
  tracked& operator=(const tracked&) noexcept = default;
  tracked& operator=(tracked&& other) noexcept {
    value_ = other.value_;
    other.value_ = -1;
    return *this;
  }
  ~tracked() {
    // The queue destroys elements in raw slot storage that stays allocated,
    // so reading the tag of a destroyed object stays within live memory.
    if (tag_ != alive_tag) ++double_destroys_;
    tag_ = dead_tag;
    ++destroyed_;
  }

  int value() const noexcept { return value_; }

 private:
  static constexpr std::uint32_t alive_tag = 0xA11CE5ED;
  static constexpr std::uint32_t dead_tag = 0xDEADBEEF;
  static inline std::atomic<long> constructed_{0};
  static inline std::atomic<long> destroyed_{0};
  static inline std::atomic<long> double_destroys_{0};

  int value_;
  std::uint32_t tag_ = alive_tag;
};

}  // namespace mpmc::test
