// A named POSIX shared-memory segment: a header that says what the segment holds, then a payload.
// A process creates it, constructs the payload and publishes it; others open it by name, wait for
// that publication, and check the header against what they expect, so two builds that disagree on
// the layout fail with layout_error instead of reading each other's bytes wrongly. The payload type
// (the queue in shared memory) is not here: the header only records what identifies it.
//
// Creation, step by step, and what each step prevents:
//   shm_open(O_CREAT | O_EXCL)   of racing creators exactly one creates; the others open
//   fchmod(mode)                 the umask does not narrow the mode asked for
//   posix_fallocate(size)        the pages exist now: a full /dev/shm is ENOSPC here, not a
//                                SIGBUS at some later first touch; the size is set in one step
//   header, payload, publish()   `initialised` set with release once the payload is constructed
// An opener waits (up to options::timeout) for the size to be non-zero, then for `initialised`,
// unless the creator the header names has ended first (errc::owner_dead: remove the name).
// Linux first; any POSIX system with shm_open and posix_fallocate should do.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mpmc::shm {

// The segment exists but was made for another layout; what() names the field and both values:
// `mpmc::shm: "/name": sizeof(T): segment 24, this process 32`.
class layout_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 64-bit FNV-1a: a hash every compiler and run computes alike (std::hash promises neither).
constexpr std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325u;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3u;
  }
  return hash;
}

// The compiler's spelling of T, cut from the name of a function instantiated for it. The same
// compiler (and standard library) spells a type the same in every process it builds; gcc and clang
// do not always agree (`std::__cxx11::basic_string<char>` against `std::basic_string<char>`,
// `long unsigned int` against `unsigned long`), so processes built by different compilers give
// options::type_name instead.
template <class T>
constexpr std::string_view type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  constexpr std::string_view whole = __PRETTY_FUNCTION__;  // "... type_name() [with T = int; ...]"
  constexpr std::string_view key = "T = ";
  constexpr std::size_t from = whole.find(key) + key.size();
  constexpr std::size_t to = whole.find_first_of(";]", from);
  return whole.substr(from, to - from);
#else
  static_assert(sizeof(T*) == 0, "mpmc::shm::type_name: unknown compiler; give options::type_name");
  return {};
#endif
}

enum class creation {
  exclusive,       // create() fails with EEXIST where the name exists
  open_or_create,  // create() opens the segment where the name exists
};

struct options {
  mode_t mode = 0600;  // the segment's mode, set with fchmod whatever the umask
  creation how = creation::exclusive;
  // Names the element type in the header's type tag (its FNV-1a hash); empty: type_name<T>().
  std::string_view type_name = {};
  // How long open() waits for a creator to finish; then std::system_error with errc::timed_out.
  std::chrono::milliseconds timeout{5000};
};

// What the payload is, beyond T: the header records all of it.
struct payload_spec {
  std::uint64_t capacity = 0;     // open(): 0 takes the segment's
  std::uint64_t policy_hash = 0;  // of the queue's policy list
  std::size_t size = 0;           // bytes; create() only (open() takes the segment's)
  std::size_t align = alignof(std::max_align_t);
};

// At offset 0 of every segment. Fixed-width fields only, so that a 32-bit and a 64-bit build read
// the same offsets and fail on `pointer width` rather than on garbage.
struct header {
  static constexpr std::uint64_t magic_value = 0x6d706d632d73686dull;  // "mpmc-shm"
  static constexpr std::uint32_t version = 1;

  std::uint64_t magic;
  std::uint32_t format_version;
  std::uint32_t pointer_width;  // bits
  std::uint64_t element_size;
  std::uint64_t element_align;
  std::uint64_t type_tag;
  std::uint64_t capacity;
  std::uint64_t policy_hash;
  std::uint64_t payload_offset;
  std::uint64_t payload_size;
  std::atomic<std::uint32_t> initialised;  // 0 until publish()
  // Written first: an opener that finds it gone while `initialised` is 0 stops waiting. A pid in
  // the creator's PID namespace; in another namespace the check may see a stranger or nobody.
  std::atomic<std::int32_t> creator;
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free,
              "mpmc::shm: the header's flag must be lock-free to be shared between processes");

namespace detail {
inline constexpr std::uint32_t published = 1;

[[noreturn]] inline void fail(int error, std::string_view name, const char* call) {
  throw std::system_error(error, std::generic_category(),
                          "mpmc::shm: \"" + std::string(name) + "\": " + call);
}

inline std::string hex(std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) text += digits[(value >> shift) & 0xf];
  return text;
}

// The header this process would write; `initialised` stays 0.
template <class T>
void fill(header& h, const payload_spec& spec, std::string_view type_name,
          std::uint64_t payload_offset) noexcept {
  h.magic = header::magic_value;
  h.format_version = header::version;
  h.pointer_width = sizeof(void*) * CHAR_BIT;
  h.element_size = sizeof(T);
  h.element_align = alignof(T);
  h.type_tag = fnv1a(type_name);
  h.capacity = spec.capacity;
  h.policy_hash = spec.policy_hash;
  h.payload_offset = payload_offset;
  h.payload_size = spec.size;
}

// Field by field, in the order a reader trusts them: a wrong magic makes the rest meaningless.
inline void check(const header& segment, const header& expected, std::uint64_t align,
                  std::string_view name) {
  const auto mismatch = [&](const char* field, const std::string& ours, const std::string& theirs) {
    throw layout_error("mpmc::shm: \"" + std::string(name) + "\": " + field + ": segment " +
                       theirs + ", this process " + ours);
  };
  const auto number = [](std::uint64_t v) { return std::to_string(v); };
  if (segment.magic != expected.magic) mismatch("magic", hex(expected.magic), hex(segment.magic));
  if (segment.format_version != expected.format_version)
    mismatch("format version", number(expected.format_version), number(segment.format_version));
  if (segment.pointer_width != expected.pointer_width)
    mismatch("pointer width", number(expected.pointer_width), number(segment.pointer_width));
  if (segment.element_size != expected.element_size)
    mismatch("sizeof(T)", number(expected.element_size), number(segment.element_size));
  if (segment.element_align != expected.element_align)
    mismatch("alignof(T)", number(expected.element_align), number(segment.element_align));
  if (segment.type_tag != expected.type_tag)
    mismatch("type tag", hex(expected.type_tag), hex(segment.type_tag));
  if (expected.capacity != 0 && segment.capacity != expected.capacity)
    mismatch("capacity", number(expected.capacity), number(segment.capacity));
  if (segment.policy_hash != expected.policy_hash)
    mismatch("policy hash", hex(expected.policy_hash), hex(segment.policy_hash));
  if (segment.payload_offset % align != 0)
    mismatch("payload offset", "a multiple of " + number(align), number(segment.payload_offset));
}

// Polls `ready` with a growing pause until it holds or `deadline` passes.
template <class Ready>
bool poll_until(std::chrono::steady_clock::time_point deadline, Ready ready) {
  std::chrono::microseconds pause{20};
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds{5});
  }
  return true;
}
}  // namespace detail

class segment {
 public:
  segment() noexcept = default;
  segment(segment&& other) noexcept { swap(other); }
  segment& operator=(segment other) noexcept {
    swap(other);
    return *this;
  }
  ~segment() { reset(); }

  // Creates the segment `name` (as shm_open(3) takes it: "/" then a name without "/") for
  // payload_spec elements of T; options::how decides what an existing name does. created() says
  // which happened: if this call created it, construct the payload, then publish().
  // Throws std::system_error (EEXIST, EACCES, ENOSPC, ...) or, opening, as open() does.
  template <class T>
  static segment create(std::string_view name, const payload_spec& spec, const options& opts = {}) {
    const std::string path(name);
    const std::uint64_t align = std::max<std::uint64_t>(spec.align, alignof(header));
    const std::uint64_t offset = (sizeof(header) + align - 1) / align * align;
    // off_t is signed: a size beyond its range is refused here, not wrapped.
    if (spec.size > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()) - offset)
      detail::fail(EFBIG, name, "payload size");
    const auto deadline = std::chrono::steady_clock::now() + opts.timeout;
    for (;;) {
      const int fd = ::shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, opts.mode);
      if (fd >= 0) {
        segment s;
        s.name_ = path;
        s.fd_ = fd;
        s.created_ = s.unpublished_ = true;  // from here on, an early exit removes the name
        if (::fchmod(fd, opts.mode) != 0) detail::fail(errno, name, "fchmod");
        // Returns the error number; errno is left alone.
        if (const int error = ::posix_fallocate(fd, 0, static_cast<off_t>(offset + spec.size)))
          detail::fail(error, name, "posix_fallocate");
        s.map(static_cast<std::size_t>(offset + spec.size));
        header& h = *::new (s.base_) header{};
        // relaxed: a hint; an opener that reads 0 (not yet stored) simply waits.
        h.creator.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
        detail::fill<T>(h, spec, tag_name<T>(opts), offset);
        return s;
      }
      if (errno != EEXIST || opts.how != creation::open_or_create)
        detail::fail(errno, name, "shm_open");
      // The name exists: open it, unless it went between the two calls; then try again.
      try {
        return open_until<T>(name, spec, opts, deadline);
      } catch (const std::system_error& e) {
        if (e.code() != std::errc::no_such_file_or_directory) throw;
      }
    }
  }

  // Opens the segment `name`, waits for its creator to publish it, and checks its header.
  // Throws std::system_error (ENOENT, EACCES; errc::timed_out after options::timeout without the
  // payload published; errc::owner_dead once its creator has ended without publishing it) or
  // layout_error.
  template <class T>
  static segment open(std::string_view name, const payload_spec& spec, const options& opts = {}) {
    return open_until<T>(name, spec, opts, std::chrono::steady_clock::now() + opts.timeout);
  }

  // Removes the name; processes that map the segment keep it until they unmap it. False if there
  // was no such name.
  static bool remove(std::string_view name) {
    const std::string path(name);
    if (::shm_unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    detail::fail(errno, name, "shm_unlink");
  }

  // Marks the payload constructed; openers waiting in open() go on.
  void publish() noexcept {
    // (S1) release: pairs with acquire (S2) in open(); the header and payload are written.
    head().initialised.store(detail::published, std::memory_order_release);
    unpublished_ = false;
  }

  bool created() const noexcept { return created_; }
  const header& info() const noexcept { return head(); }
  void* payload() const noexcept { return static_cast<char*>(base_) + head().payload_offset; }
  std::size_t payload_size() const noexcept { return head().payload_size; }
  const std::string& name() const noexcept { return name_; }
  explicit operator bool() const noexcept { return base_ != nullptr; }

  void swap(segment& other) noexcept {
    std::swap(name_, other.name_);
    std::swap(fd_, other.fd_);
    std::swap(base_, other.base_);
    std::swap(size_, other.size_);
    std::swap(created_, other.created_);
    std::swap(unpublished_, other.unpublished_);
  }

 private:
  header& head() const noexcept { return *static_cast<header*>(base_); }

  template <class T>
  static std::string_view tag_name(const options& opts) noexcept {
    return opts.type_name.empty() ? shm::type_name<T>() : opts.type_name;
  }

  template <class T>
  static segment open_until(std::string_view name, const payload_spec& spec, const options& opts,
                            std::chrono::steady_clock::time_point deadline) {
    segment s;
    s.name_ = std::string(name);
    s.fd_ = ::shm_open(s.name_.c_str(), O_RDWR, 0);
    if (s.fd_ < 0) detail::fail(errno, name, "shm_open");
    // A creator between shm_open and posix_fallocate leaves the size 0; fallocate sets all of it.
    struct stat st {};
    const bool sized = detail::poll_until(deadline, [&] {
      if (::fstat(s.fd_, &st) != 0) detail::fail(errno, name, "fstat");
      return static_cast<std::uint64_t>(st.st_size) >= sizeof(header);
    });
    if (!sized) detail::fail(ETIMEDOUT, name, "waiting for the creator to size the segment");
    s.map(static_cast<std::size_t>(st.st_size));
    bool orphaned = false;
    const auto published = [&] {
      // (S2) acquire: pairs with release (S1) in publish(); the header and payload are then ours.
      return s.head().initialised.load(std::memory_order_acquire) == detail::published;
    };
    const bool ready = detail::poll_until(deadline, [&] {
      if (published()) return true;
      // relaxed: see header::creator. Gone, it can publish no more: one last look, then give up.
      const std::int32_t creator = s.head().creator.load(std::memory_order_relaxed);
      orphaned = creator > 0 && ::kill(creator, 0) != 0 && errno == ESRCH && !published();
      return orphaned;
    });
    if (orphaned)
      detail::fail(EOWNERDEAD, name, "its creator ended before publishing it (remove the name)");
    if (!ready) detail::fail(ETIMEDOUT, name, "waiting for the creator to publish the segment");
    header expected{};
    const std::uint64_t align = std::max<std::uint64_t>(spec.align, alignof(header));
    detail::fill<T>(expected, spec, tag_name<T>(opts), 0);
    detail::check(s.head(), expected, align, name);
    // A header that claims more than the file holds would fault on first touch.
    if (s.head().payload_offset + s.head().payload_size > s.size_)
      throw layout_error("mpmc::shm: \"" + std::string(name) + "\": segment size: segment " +
                         std::to_string(s.size_) + ", header " +
                         std::to_string(s.head().payload_offset + s.head().payload_size));
    return s;
  }

  void map(std::size_t size) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) detail::fail(errno, name_, "mmap");
    base_ = p;
    size_ = size;
    // The mapping keeps the segment; the descriptor is no longer needed.
    (void)::close(fd_);
    fd_ = -1;
  }

  // A creator that never published (it threw, or was destroyed first) removes the name, so that
  // a later create() does not meet a segment nobody will finish; openers waiting on it time out.
  void reset() noexcept {
    if (unpublished_) (void)::shm_unlink(name_.c_str());
    if (base_ != nullptr) (void)::munmap(base_, size_);
    if (fd_ >= 0) (void)::close(fd_);
    base_ = nullptr;
    fd_ = -1;
    created_ = unpublished_ = false;
  }

  std::string name_;
  int fd_ = -1;
  void* base_ = nullptr;
  std::size_t size_ = 0;
  bool created_ = false;
  bool unpublished_ = false;  // created by this object, publish() not yet called
};

// Removes the name `name` (segment::remove).
inline bool remove(std::string_view name) { return segment::remove(name); }
}  // namespace mpmc::shm
