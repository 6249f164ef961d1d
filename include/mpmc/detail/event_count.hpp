// An event count: the one way anything waits in this library. A queue has
// two, "not empty" for consumers and "not full" for producers; whatever a
// waiter waits for (any element, room, its ticket's turn, the close) is a
// condition it re-checks itself, and the event count only makes sure it is
// told when to re-check.
//
//   waiter                                 notifier
//   key = prepare_wait()                   make the condition true (publish)
//   if (condition()) cancel_wait()         notify(n)
//   else commit_wait(key[, deadline])
//
// prepare_wait() counts the waiter in `waiters_` and reads the epoch;
// commit_wait() sleeps unless the epoch has moved since. notify() moves the
// epoch and wakes, but only when the count is non-zero: a notify with
// nobody waiting is a compiler barrier, one load of a line that stays in
// every reader's cache, and a branch; no system call.
//
// The lost wake-up, and why the fences
// ------------------------------------
// The waiter stores (its count) and then loads (the condition); the notifier
// stores (the publish) and then loads (the count). A CPU may let each load
// pass the earlier store (x86's store buffer does), and then both read old
// values: the notifier sees nobody and skips the wake, the waiter sees no
// element and sleeps, though one is there. A store-load fence on each side
// forbids that: either the waiter's re-check sees the publish, or the
// notifier sees the count, moves the epoch and wakes; and if that happens
// between the waiter's reading of the key and its sleep, the backend's own
// check (atomic with going to sleep) sees the epoch differ from the key and
// returns at once. The epoch is moved by a release read-modify-write and the
// key read with acquire, so a waiter that reads the new epoch also sees the
// publish that came before it.
//
// The fence pair is asymmetric (backend/asymmetric_fence.hpp): the
// notifier's half, on every push and pop, is a compiler barrier; the
// waiter's half, paid only on the way to sleep, is a membarrier() that makes
// every CPU running this process's threads execute a full barrier. Where
// membarrier() is refused, both halves must be full fences: the count then
// carries a bias (`fence_bias`) that keeps it non-zero, so every notify
// takes its slow path, which issues the full fence and reads the count
// again. The fast path stays one load and one branch either way.
//
// Waiters that are not threads
// ----------------------------
// A `waiter` record holds what to do when notified instead of a thread to
// wake: an asynchronous operation registers one (add), re-checks its
// condition, and on success takes it back (remove). notify() runs records
// before it wakes threads; a record is unlinked before it runs, so it runs
// at most once, and remove() reports whether it was still linked. A record
// that was run but whose owner did not need it (its re-check succeeded
// first) must pass the notification on (notify(1)), or a thread meant to be
// woken by it would sleep on. Records hold no thread identity and the list
// is guarded by a spin lock, because list changes are a few instructions
// and happen only on the way to sleep or out of it.
#pragma once

#include <mpmc/backend/asymmetric_fence.hpp>
#include <mpmc/backend/cpu.hpp>
#include <mpmc/detail/deadline.hpp>

#include <atomic>
#include <concepts>
#include <cstdint>
#include <limits>

namespace mpmc::detail {

// A waiter that is run when notified, in the notifier's thread: it must be
// short and must not throw (an asynchronous layer posts a handler from it).
struct waiter {
  void (*on_notify)(waiter&) noexcept = nullptr;
  waiter* next = nullptr;
  waiter* prev = nullptr;
  bool linked = false;
};

template <class Backend, template <class> class Atom = std::atomic>
class alignas(backend::false_sharing_range) event_count {
 public:
  using key = std::uint32_t;

  event_count() noexcept {
    if (!backend::asymmetric_fence::prepare())
      // relaxed: the queue is not yet shared; publishing it to other threads
      // orders this store before their first access.
      waiters_.store(fence_bias, std::memory_order_relaxed);
  }

  // Announces a waiter; the caller re-checks its condition next, then calls
  // cancel_wait() or commit_wait().
  key prepare_wait() noexcept {
    // relaxed: ordered before the re-check by the heavy fence below, which
    // pairs with the light fence in notify().
    waiters_.fetch_add(1, std::memory_order_relaxed);
    backend::asymmetric_fence::heavy();
    // (E1) acquire: pairs with release (E2) in wake(): whoever moved the
    // epoch published first, and the re-check will see it.
    return epoch_.load(std::memory_order_acquire);
  }

  void cancel_wait() noexcept {
    // relaxed: a notifier that still counts us makes one needless wake.
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }

  // Sleeps until notified (or spuriously) unless the epoch moved since
  // prepare_wait(), or until `deadline` (a steady_clock or system_clock
  // time point; max() is no deadline). The caller re-checks on return.
  template <class Deadline>
  void commit_wait(key k, const Deadline& deadline) noexcept {
    if constexpr (std::same_as<Deadline, no_deadline>) {
      backend_.wait(epoch_, k);
    } else {
      if (deadline == Deadline::max())
        backend_.wait(epoch_, k);
      else
        (void)backend_.wait_until(epoch_, k, deadline);
    }
    cancel_wait();
  }

  // After a publish that lets `count` waiters proceed. Always inlined, as
  // the queue's non-blocking calls are (bench/compare, pair): it is on every
  // push and pop of a parking queue.
  [[gnu::always_inline]] void notify(std::uint32_t count) noexcept {
    backend::asymmetric_fence::light();
    // relaxed: ordered after the publish by the fence pair (see top).
    if (waiters_.load(std::memory_order_relaxed) != 0) wake(count);
  }
  void notify_all() noexcept { notify(std::numeric_limits<std::uint32_t>::max()); }

  // Links a record (see Waiters that are not threads); the caller re-checks
  // its condition next, then waits for on_notify or calls remove().
  void add(waiter& w) noexcept {
    // relaxed, then the heavy fence below: as in prepare_wait(). Counted
    // before it is linked, so that a wake that runs it never uncounts it
    // first.
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
    backend::asymmetric_fence::heavy();
  }

  // Unlinks a record that has not run; false if it already has (or runs
  // now), in which case its owner must pass the notification on unless it
  // uses it.
  bool remove(waiter& w) noexcept {
    lock();
    const bool was_linked = w.linked;
    if (was_linked) unlink(w);
    unlock();
    if (was_linked) cancel_wait();
    return was_linked;
  }

 private:
  static constexpr std::uint32_t fence_bias = 1u << 31;

  void wake(std::uint32_t count) noexcept {
    // relaxed: as in notify().
    std::uint32_t waiting = waiters_.load(std::memory_order_relaxed);
    if ((waiting & fence_bias) != 0) {
      backend::asymmetric_fence::full();
      // relaxed: ordered after the publish by the full fence just issued.
      waiting = waiters_.load(std::memory_order_relaxed) & ~fence_bias;
      if (waiting == 0) return;
    }
    // (E2) release: pairs with acquire (E1) in prepare_wait().
    epoch_.fetch_add(1, std::memory_order_release);
    // Records first: each one run is one waiter served.
    // relaxed: the fence pair orders it as it does the count: a record linked
    // too late to be seen here is one whose owner's re-check sees the publish.
    if (records_.load(std::memory_order_relaxed) != 0) {
      while (count != 0) {
        lock();
        waiter* w = head_;
        if (w != nullptr) unlink(*w);
        unlock();
        if (w == nullptr) break;
        cancel_wait();
        w->on_notify(*w);
        if (count != std::numeric_limits<std::uint32_t>::max()) --count;
      }
    }
    // relaxed: the count only decides whether to call the kernel; a sleeper
    // counted after it read the key is woken by the epoch check.
    if (count != 0 && (waiters_.load(std::memory_order_relaxed) & ~fence_bias) != 0) {
      if (count == std::numeric_limits<std::uint32_t>::max())
        backend_.wake_all(epoch_);
      else
        backend_.wake(epoch_, count);
    }
  }

  void unlink(waiter& w) noexcept {
    (w.prev != nullptr ? w.prev->next : head_) = w.next;
    (w.next != nullptr ? w.next->prev : tail_) = w.prev;
    w.linked = false;
    // relaxed: under the lock.
    records_.store(records_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }

  void lock() noexcept {
    // acquire: pairs with the release in unlock(); the list is then ours.
    while (lock_.exchange(true, std::memory_order_acquire)) backend::cpu_relax();
  }
  void unlock() noexcept {
    // release: pairs with the acquire in lock().
    lock_.store(false, std::memory_order_release);
  }

  Atom<std::uint32_t> waiters_{0};  // threads and records between prepare and wake-up
  Atom<std::uint32_t> epoch_{0};
  Atom<std::uint32_t> records_{0};  // linked records, written under the lock
  Atom<bool> lock_{false};
  waiter* head_ = nullptr;
  waiter* tail_ = nullptr;
  [[no_unique_address]] Backend backend_;
};

}  // namespace mpmc::detail
