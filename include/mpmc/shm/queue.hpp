// mpmc::shm::queue<T, Policies...>: the ordinary queue, placed in a named shared-memory segment
// (segment.hpp) so that processes push and pop on one queue. The segment's payload is the queue
// object, then its slots:
//
//     [header][basic_queue<T, Config>: counters, closing state, event counts][slot 0]...[slot n-1]
//
// Nothing in the payload is a pointer into one process: the ring finds its slots through a
// relative_ptr, and the event counts' waiter records (for asynchronous operations, which are not
// offered here) stay empty. What crosses processes, and why it holds (docs/design.md, Across
// processes):
//   - positions and turns are 64- and 32-bit atomics, lock-free and so address-free;
//   - parking is wait::shared_futex: a futex keyed by the page, not by the process, with a full
//     fence on both sides of the wake-up race instead of membarrier(), which reaches one process;
//   - the header records T, the capacity and a hash of what the processes' policies must agree on,
//     so that two builds that disagree fail in open() with layout_error.
#pragma once

#include <mpmc/backend/shared_futex.hpp>
#include <mpmc/backend/symmetric_fence.hpp>
#include <mpmc/queue.hpp>
#include <mpmc/shm/relative_ptr.hpp>
#include <mpmc/shm/segment.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mpmc::shm {

// Whether T may travel between processes: each reads the bytes another wrote, so they must mean
// the same in both. The default admits trivially copyable types that are not pointers. A struct
// holding a pointer passes that test and is still wrong (the address is another process's):
// specialize this to false_type for it. Specialize it to true_type for a type that is safe byte for
// byte without being trivially copyable; its elements still queued when the last process unmaps
// the segment are never destroyed.
template <class T>
struct is_shareable : std::bool_constant<std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> &&
                                         !std::is_member_pointer_v<T>> {};

namespace detail {
// The capacity policy of a queue in a segment: the slots follow the queue object, where the
// creator puts them, and the ring reaches them through a relative_ptr.
struct in_segment {
  using category = mpmc::tag::capacity;
  static constexpr bool is_fixed = false;
  struct allocator_type {
    void* slots = nullptr;  // where the creator placed the slot array
  };

  template <class Slot>
  class storage {
   public:
    using pointer = relative_ptr<Slot>;

    storage(std::size_t count, const allocator_type& where) noexcept
        : slots_(static_cast<Slot*>(where.slots)), count_(count) {
      for (std::size_t i = 0; i != count; ++i) ::new (static_cast<void*>(slots_.get() + i)) Slot{};
    }
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;

    Slot* data() noexcept { return slots_; }
    std::size_t size() const noexcept { return static_cast<std::size_t>(count_); }
    allocator_type get_allocator() const noexcept { return {slots_.get()}; }

   private:
    pointer slots_;
    std::uint64_t count_;
  };
};

using shared_config = config<in_segment, padding::none, backoff::pause, wait::shared_futex>;

// A parking policy whose backend reaches other processes (backend::shared_futex).
template <class W>
concept parks_across_processes = requires {
  requires W::backend::process_shared;
};

// What processes sharing a queue must agree on: the layout of the queue object and its slots, and
// the protocol (parking or not, tickets, lone sides). Backoff and spin limits are each process's
// own business and are left out.
template <class Config, class Queue, class Slot>
constexpr std::uint64_t policy_hash() noexcept {
  const std::uint64_t fields[] = {sizeof(Queue),
                                  alignof(Queue),
                                  sizeof(Slot),
                                  alignof(Slot),
                                  mpmc::detail::interleaves<typename Config::padding>,
                                  mpmc::detail::parking_wait<typename Config::wait>,
                                  Config::claim::tickets,
                                  Config::producers::exclusive,
                                  Config::consumers::exclusive};
  std::uint64_t hash = fnv1a("mpmc::shm::queue");
  for (const std::uint64_t field : fields)
    for (int byte = 0; byte != 8; ++byte) {
      hash ^= (field >> (8 * byte)) & 0xff;
      hash *= 0x100000001b3u;
    }
  return hash;
}
}  // namespace detail

template <class T, class... Policies>
class queue {
  static_assert(is_shareable<T>::value,
                "mpmc::shm::queue<T>: T must be trivially copyable and hold no pointer (each "
                "process maps the segment at its own address); specialize "
                "mpmc::shm::is_shareable<T> for a type known to be safe byte for byte");

 public:
  using config_type = typename mpmc::detail::compose<detail::shared_config, Policies...>::type;
  using queue_type = basic_queue<T, config_type>;
  using value_type = T;
  using size_type = std::size_t;
  static constexpr bool in_shared_memory = true;  // no asynchronous operations (asio.hpp)

 private:
  using wait_type = typename config_type::wait;
  static constexpr bool parks = mpmc::detail::parking_wait<wait_type>;
  static_assert(std::same_as<typename config_type::capacity, detail::in_segment>,
                "mpmc::shm::queue: the capacity is create()'s argument; leave out the capacity "
                "policy");
  static_assert(!parks || detail::parks_across_processes<wait_type>,
                "mpmc::shm::queue: wait::futex, wait::atomic_wait and wait::condvar park the "
                "threads of one process only; use wait::shared_futex (the default here), "
                "wait::yield or wait::spin");
  static_assert(parks || !config_type::producers::exclusive ||
                    std::same_as<backend::fence_of_t<wait_type>, backend::symmetric_fence>,
                "mpmc::shm::queue: producers::single with wait::spin or wait::yield: the "
                "handshake with close() needs a fence that reaches other processes; use "
                "wait::shared_futex");

  using slot_type = typename mpmc::detail::sequence_ring<T, config_type>::slot_type;
  static constexpr std::size_t slots_offset =
      (sizeof(queue_type) + alignof(slot_type) - 1) / alignof(slot_type) * alignof(slot_type);

  static payload_spec spec(std::uint64_t capacity) noexcept {
    return {capacity, detail::policy_hash<config_type, queue_type, slot_type>(),
            static_cast<std::size_t>(slots_offset + capacity * sizeof(slot_type)),
            std::max(alignof(queue_type), alignof(slot_type))};
  }

 public:
  // Creates the segment `name` (shm_open(3)'s form: "/" and a name without "/") holding an empty
  // queue of `capacity` elements. With options::how = creation::open_or_create, an existing
  // segment is opened instead (as open(), its capacity checked too). Throws
  // std::invalid_argument (capacity 0), std::length_error (above 2^30), std::system_error
  // (EEXIST, EACCES, ENOSPC, ...) or layout_error.
  static queue create(std::string_view name, size_type capacity, const options& opts = {}) {
    if (capacity == 0) throw std::invalid_argument("mpmc::shm::queue: capacity must be at least 1");
    if (capacity > std::size_t{1} << 30)
      throw std::length_error("mpmc::shm::queue: capacity is too large");
    queue q(segment::create<T>(name, spec(capacity), opts));
    if (!q.segment_.created()) return attach(std::move(q.segment_));
    auto* payload = static_cast<std::byte*>(q.segment_.payload());
    q.queue_ = ::new (static_cast<void*>(payload))
        queue_type(capacity, typename queue_type::allocator_type{payload + slots_offset});
    q.segment_.publish();
    return q;
  }

  // Opens the segment `name`, waiting up to options::timeout for its creator to publish it.
  // Throws std::system_error (ENOENT, EACCES, errc::timed_out, errc::owner_dead) or layout_error.
  static queue open(std::string_view name, const options& opts = {}) {
    return attach(segment::open<T>(name, spec(0), opts));
  }

  // Removes the name; processes that have the queue open keep using it. False if there was none.
  static bool remove(std::string_view name) { return segment::remove(name); }

  // Unmaps the segment; the queue lives on in the other processes. A moved-from queue may only be
  // assigned to or destroyed.
  queue(queue&& other) noexcept
      : segment_(std::move(other.segment_)), queue_(std::exchange(other.queue_, nullptr)) {}
  queue& operator=(queue&& other) noexcept {
    segment_ = std::move(other.segment_);
    queue_ = std::exchange(other.queue_, nullptr);
    return *this;
  }

  const std::string& name() const noexcept { return segment_.name(); }
  bool created() const noexcept { return segment_.created(); }  // by this process's create()

  // The ordinary queue interface (queue.hpp says what each does).
  size_type capacity() const noexcept { return queue_->capacity(); }
  size_type size() const noexcept { return queue_->size(); }
  bool empty() const noexcept { return queue_->empty(); }
  bool full() const noexcept { return queue_->full(); }
  void close() noexcept { queue_->close(); }  // wakes the waiters of every process
  bool closed() const noexcept { return queue_->closed(); }

  bool try_push(const T& value) noexcept(nothrow<const T&>) { return queue_->try_push(value); }
  bool try_push(T&& value) noexcept { return queue_->try_push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool try_emplace(Args&&... args) noexcept(nothrow<Args...>) {
    return queue_->try_emplace(std::forward<Args>(args)...);
  }
  std::optional<T> try_pop() noexcept { return queue_->try_pop(); }
  bool try_pop(T& out) noexcept { return queue_->try_pop(out); }

  bool push(const T& value) noexcept(nothrow<const T&>) { return queue_->push(value); }
  bool push(T&& value) noexcept { return queue_->push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) noexcept(nothrow<Args...>) {
    return queue_->emplace(std::forward<Args>(args)...);
  }
  std::optional<T> pop() noexcept { return queue_->pop(); }

  template <class U = T, class Rep, class Period>
  requires std::convertible_to<U, T>
  bool try_push_for(U&& value,
                    const std::chrono::duration<Rep, Period>& timeout) noexcept(nothrow<U>) {
    return queue_->try_push_for(std::forward<U>(value), timeout);
  }
  template <class U = T, class Clock, class Duration>
  requires std::convertible_to<U, T>
  bool try_push_until(U&& value, const std::chrono::time_point<Clock, Duration>& deadline) noexcept(
      nothrow<U>) {
    return queue_->try_push_until(std::forward<U>(value), deadline);
  }
  template <class Rep, class Period>
  std::optional<T> try_pop_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return queue_->try_pop_for(timeout);
  }
  template <class Clock, class Duration>
  std::optional<T> try_pop_until(
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return queue_->try_pop_until(deadline);
  }

  template <class R>
  requires requires(queue_type& q, R&& r) { q.try_push_range(std::forward<R>(r)); }
  size_type try_push_range(R&& r) { return queue_->try_push_range(std::forward<R>(r)); }
  template <class R>
  requires requires(queue_type& q, R&& r) { q.push_range(std::forward<R>(r)); }
  size_type push_range(R&& r) { return queue_->push_range(std::forward<R>(r)); }
  template <class OutIt>
  requires requires(queue_type& q, OutIt out) { q.try_pop_n(out, size_type{}); }
  size_type try_pop_n(OutIt out, size_type n) noexcept(
      noexcept(std::declval<queue_type&>().try_pop_n(std::move(out), n))) {
    return queue_->try_pop_n(std::move(out), n);
  }

 private:
  template <class... Args>
  static constexpr bool nothrow = std::is_nothrow_constructible_v<T, Args...>;

  explicit queue(segment s) noexcept : segment_(std::move(s)) {}

  // A published segment: checks that its payload is the size this process's layout needs for the
  // segment's capacity, which the policy hash alone cannot promise across compilers.
  static queue attach(segment s) {
    const std::uint64_t capacity = s.info().capacity;
    const std::size_t expected = spec(capacity).size;
    if (s.payload_size() != expected)
      throw layout_error("mpmc::shm: \"" + s.name() + "\": payload size: segment " +
                         std::to_string(s.payload_size()) + ", this process " +
                         std::to_string(expected));
    queue q(std::move(s));
    q.queue_ = std::launder(static_cast<queue_type*>(q.segment_.payload()));
    return q;
  }

  segment segment_;
  queue_type* queue_ = nullptr;
};
}  // namespace mpmc::shm
