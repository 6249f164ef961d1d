// An event count, the one way anything waits here; a queue has one per side. A waiter takes
// `k = prepare_wait()`, re-checks its condition, then cancel_wait() or commit_wait(k); a notifier
// publishes, then notify(n), which makes no system call while nobody waits. The fence pair that
// prevents a lost wake-up: docs/design.md and docs/memory_ordering.md (Waiting).
#pragma once

#include <mpmc/backend/asymmetric_fence.hpp>
#include <mpmc/backend/cpu.hpp>

#include <atomic>
#include <concepts>
#include <cstdint>
#include <limits>

namespace mpmc::detail {
// The deadline of a call that waits as long as it takes.
struct no_deadline {};

// Run when notified, in the notifier's thread, instead of a thread being woken: it must be short
// and must not throw (an asynchronous layer posts a handler from it).
struct waiter {
  void (*on_notify)(waiter&) noexcept = nullptr;
  waiter* next = nullptr;
  waiter* prev = nullptr;
  bool linked = false;
};

template <class Backend, template <class> class Atom = std::atomic>
class alignas(backend::false_sharing_range) event_count {
  using fence = backend::fence_of_t<Backend>;  // asymmetric_fence unless Backend names one
  static constexpr std::uint32_t all = std::numeric_limits<std::uint32_t>::max();
  // Where membarrier() is refused, keeps the count non-zero, so every notify issues the full fence.
  static constexpr std::uint32_t fence_bias = 1u << 31;

 public:
  using key = std::uint32_t;

  event_count() noexcept {
    // relaxed: the queue is not yet shared; publishing it orders this store before other threads.
    if (!fence::prepare()) waiters_.store(fence_bias, std::memory_order_relaxed);
  }

  key prepare_wait() noexcept {
    // relaxed: ordered before the re-check by the heavy fence, which pairs with notify()'s light.
    waiters_.fetch_add(1, std::memory_order_relaxed);
    fence::heavy();
    // (E1) acquire: pairs with release (E2) in wake(), so the re-check sees that publish.
    return epoch_.load(std::memory_order_acquire);
  }
  // relaxed: a notifier that still counts us makes one needless wake.
  void cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_relaxed); }
  // Sleeps unless the epoch moved since prepare_wait(), until notified (or spuriously) or until
  // `deadline`. The caller re-checks.
  template <class Deadline>
  void commit_wait(key k, const Deadline& deadline) noexcept {
    if constexpr (!std::same_as<Deadline, no_deadline>) {
      if (deadline != Deadline::max()) {  // max() is none, and no timeout the kernel takes
        (void)backend_.wait_until(epoch_, k, deadline);
        cancel_wait();
        return;
      }
    }
    backend_.wait(epoch_, k);
    cancel_wait();
  }

  // After a publish that lets `count` waiters on. Inlined: every parking push and pop runs it
  // (bench/compare, pair).
  [[gnu::always_inline]] void notify(std::uint32_t count) noexcept {
    fence::light();
    // relaxed: ordered after the publish by the fence pair (docs/memory_ordering.md, Waiting).
    if (waiters_.load(std::memory_order_relaxed) != 0) wake(count);
  }
  void notify_all() noexcept { notify(all); }

  // How many halvings asynchronous waiters apply to their yields before they link a record
  // (asio.hpp): a hint any waiter updates, so a racing update may be lost.
  // relaxed (both): a hint; nothing is read through it.
  std::uint32_t yield_cut() const noexcept { return yield_cut_.load(std::memory_order_relaxed); }
  void set_yield_cut(std::uint32_t cut) noexcept {
    yield_cut_.store(cut, std::memory_order_relaxed);
  }

  // Links a record; the caller re-checks its condition, then waits for on_notify or remove()s it.
  void add(waiter& w) noexcept {
    // relaxed: as in prepare_wait(). Counted before it is linked, so no wake uncounts it first.
    waiters_.fetch_add(1, std::memory_order_relaxed);
    lock();
    w.prev = tail_;
    w.next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = &w;
    tail_ = &w;
    w.linked = true;
    // relaxed: under the lock.
    records_.store(records_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    unlock();
    fence::heavy();
  }
  // Unlinks a record that has not run; false if it has (or runs now): its owner must then use the
  // notification or pass it on (notify(1)), or a thread meant to be woken sleeps on.
  bool remove(waiter& w) noexcept {
    lock();
    const bool was_linked = w.linked;
    if (was_linked) unlink(w);
    unlock();
    if (was_linked) cancel_wait();
    return was_linked;
  }

 private:
  void wake(std::uint32_t count) noexcept {
    // relaxed: as in notify().
    if ((waiters_.load(std::memory_order_relaxed) & fence_bias) != 0) {
      fence::full();
      // relaxed: ordered after the publish by the full fence just issued.
      if ((waiters_.load(std::memory_order_relaxed) & ~fence_bias) == 0) return;
    }
    // (E2) release: pairs with acquire (E1) in prepare_wait().
    epoch_.fetch_add(1, std::memory_order_release);
    // Records first, each unlinked before it runs, so that it runs once.
    // relaxed: ordered by the fence pair as the count is; a record it misses sees the publish.
    if (records_.load(std::memory_order_relaxed) != 0)
      while (count != 0) {
        lock();
        waiter* w = head_;
        if (w != nullptr) unlink(*w);
        unlock();
        if (w == nullptr) break;
        cancel_wait();
        w->on_notify(*w);
        if (count != all) --count;
      }
    // relaxed: only decides whether to call the kernel; a sleeper it misses finds the epoch moved.
    if (count != 0 && (waiters_.load(std::memory_order_relaxed) & ~fence_bias) != 0)
      count == all ? backend_.wake_all(epoch_) : backend_.wake(epoch_, count);
  }

  void unlink(waiter& w) noexcept {
    (w.prev != nullptr ? w.prev->next : head_) = w.next;
    (w.next != nullptr ? w.next->prev : tail_) = w.prev;
    w.linked = false;
    // relaxed: under the lock.
    records_.store(records_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }

  // A spin lock: list changes are a few instructions, made only on the way to sleep or out of it.
  void lock() noexcept {
    // acquire: pairs with the release in unlock(); the list is then ours.
    while (lock_.exchange(true, std::memory_order_acquire)) backend::cpu_relax();
  }
  // release: pairs with the acquire in lock().
  void unlock() noexcept { lock_.store(false, std::memory_order_release); }

  Atom<std::uint32_t> waiters_{0};  // threads and records between prepare and wake-up
  Atom<std::uint32_t> epoch_{0};
  Atom<std::uint32_t> records_{0};  // linked records, written under the lock
  Atom<bool> lock_{false};
  waiter* head_ = nullptr;
  waiter* tail_ = nullptr;
  [[no_unique_address]] Backend backend_;
  Atom<std::uint32_t> yield_cut_{0};  // last, in the alignment's slack: no other member moves
};
}  // namespace mpmc::detail
