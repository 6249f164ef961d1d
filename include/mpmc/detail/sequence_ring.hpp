// The sequence ring: Dmitry Vyukov's bounded MPMC queue, with turn numbers
// that make every capacity (1 included) work.
//
// Layout
// ------
// A power-of-two array of slots and two 64-bit counters: `tail_`, the next
// position a producer will claim, and `head_`, the next position a consumer
// will claim. Position p lives in slot p & mask. Each slot holds the
// element's raw bytes and a 32-bit `turn` word that says whose move it is:
//
//     turn == 2*p                  free for the producer of position p
//     turn == 2*p + 1              holds p's element, for p's consumer
//     turn == 2*(p + capacity)     free for the producer of p + capacity
//
// Vyukov's original stores p and p + 1; with one slot those collide (the
// element written for position 0 reads as "free for position 1"). Doubling
// keeps them apart for every capacity: an element's turn is odd, a free
// slot's even. Slot i starts at 2*i.
//
// Turns are compared by signed 32-bit difference, so they may wrap. A thread
// holding a current position finds its slot's turn at most one lap behind
// what it expects, 2*capacity, hence capacity <= 2^30. A thread holding a
// stale position may misread a wrapped turn, but it acts on the reading only
// through take(), which fails for a stale position; and before reporting
// "full" or "empty" it re-reads the counter to prove its position current.
//
// Protocol
// --------
// claim: read the counter (p); if the slot's turn is this side's for p, take
//        p (claim_strategy.hpp: compare-exchange, or a store for a lone side).
// push:  construct the element; store turn 2*p + 1 (release).
// pop:   move the element out, destroy it; store turn 2*(p + capacity)
//        (release).
// The counters only hand out positions; element data is published through
// the slot's turn word alone, by a release store that the next owner's
// acquire load of the same word synchronizes with. A ticket (claim::ticket)
// takes the position first and waits for the turn afterwards.
//
// Closing
// -------
// The producers' strategy closes the tail (claim_strategy.hpp) and reports
// the tail at that moment, the final tail, kept in closing_state. Consumers
// are done when head_ reaches it (drained()); a consumer holding a ticket at
// or past it gives up (abandoned()).
//
// Progress
// --------
// Neither lock-free nor wait-free: between its claim and its turn store a
// producer owns its slot, and if it is preempted there the consumer of that
// position cannot proceed (try_pop reports "empty", pop waits), even though
// later positions may hold elements; likewise a preempted consumer and the
// producer one lap later. Claims themselves are lock-free.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/detail/claim_strategy.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>

namespace mpmc::detail {

// One cell of the ring. The turn word comes first so that with padding both
// share one cache line; the element's bytes are raw storage, so T needs no
// default constructor.
template <class T, std::size_t Alignment, template <class> class Atom = std::atomic>
struct slot {
  static constexpr std::size_t alignment =
      std::max({Alignment, alignof(Atom<std::uint32_t>), alignof(T)});

  alignas(alignment) Atom<std::uint32_t> turn{0};
  alignas(T) std::byte bytes[sizeof(T)];

  T* value() noexcept { return std::launder(reinterpret_cast<T*>(bytes)); }
};

// padding::interleaved's permutation of slot indices: swaps the lowest
// `spread` bits with the next `spread`, a transpose of each block of
// 2^spread lines of 2^spread slots. Consecutive indices land 2^spread slots
// (one line) apart. A bijection on [0, 2^k) whenever 2*spread <= k.
constexpr std::size_t interleave_index(std::size_t index, unsigned spread) noexcept {
  const std::size_t low = (std::size_t{1} << spread) - 1;
  return (index & ~(low | (low << spread))) | ((index & low) << spread) | ((index >> spread) & low);
}

template <class P>
inline constexpr bool interleaves = false;
template <class P>
requires requires { P::interleave; }
inline constexpr bool interleaves<P> = P::interleave;

// Producers take the even turns, consumers the odd ones.
enum class side : std::uint32_t { producers = 0, consumers = 1 };

template <class T, class Config, template <class> class Atom = std::atomic>
class sequence_ring {
  using capacity_type = typename Config::capacity;
  static constexpr bool interleave = interleaves<typename Config::padding>;

 public:
  using slot_type = slot<T, Config::padding::alignment, Atom>;
  using storage_type = typename capacity_type::template storage<slot_type>;
  using push_claim = claim_strategy_for<typename Config::producers, Atom, true>;
  using pop_claim = claim_strategy_for<typename Config::consumers, Atom, false>;

  // A turn may lag its claimer by one lap, 2*capacity, within 2^31 (Layout).
  static constexpr std::size_t max_capacity = std::size_t{1} << 30;

  template <class Allocator>
  requires(!capacity_type::is_fixed) sequence_ring(std::size_t capacity, const Allocator& allocator)
      : storage_(slot_count(capacity), allocator) {
    bind_storage();
  }
  sequence_ring() noexcept requires capacity_type::is_fixed { bind_storage(); }
  sequence_ring(const sequence_ring&) = delete;
  sequence_ring& operator=(const sequence_ring&) = delete;

  // Destroys the elements still queued (an odd turn holds one: tickets taken
  // in vain after a close move the counters past empty positions).
  ~sequence_ring() {
    for (std::size_t i = 0; i <= mask_; ++i)
      // relaxed: the owner joined every thread that used the ring, and
      // joining synchronizes.
      if ((slots_[i].turn.load(std::memory_order_relaxed) & 1) != 0)
        std::destroy_at(slots_[i].value());
  }

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Elements claimed by producers and not yet by consumers, clamped to
  // [0, capacity()]: exact when no operation is in flight.
  std::size_t size() const noexcept {
    // relaxed (both): a snapshot of two counters cannot be atomic anyway; a
    // reading outside [0, capacity] is clamped, and nothing is accessed on
    // the strength of it.
    const std::uint64_t head = pop_claim::position(head_.load(std::memory_order_relaxed));
    std::uint64_t tail = push_claim::position(tail_.load(std::memory_order_relaxed));
    // acquire: pairs with the release store of `closing` in close(): tickets
    // taken in vain after it moved tail_ past the final tail.
    if (closing_.closing.load(std::memory_order_acquire))
      // relaxed: ordered by the acquire above.
      tail = std::min(tail, closing_.final_tail.load(std::memory_order_relaxed));
    if (tail <= head) return 0;
    return static_cast<std::size_t>(std::min<std::uint64_t>(tail - head, capacity()));
  }

  // A claimed position, with its slot and the turn that hands the slot on,
  // worked out before the take: after a compare-exchange, a compiler barrier,
  // the geometry would be reloaded, and a locked instruction holds back loads.
  struct claimed {
    std::uint64_t pos;
    slot_type* slot;
    std::uint32_t done;
  };

  // Claims up to `max` consecutive positions whose slots all show side S's
  // turn, the first in `c`; returns how many (0: full or closed for
  // producers, empty for consumers). Slots are released out of order (the
  // consumer of p + 1 may finish before that of p), so the run is the
  // longest such prefix; the take() succeeding proves the counter stayed at
  // pos while the turns were read, so no other thread of the side took any
  // of them.
  //
  // Always inlined: out of line, the claimed position comes back through
  // memory, on the critical path of every push and pop (bench/compare, pair).
  template <side S>
  [[gnu::always_inline]] std::size_t claim(claimed& c, std::size_t max = 1) noexcept {
    auto& counter = counter_of<S>();
    const geometry g = shape();
    max = std::min<std::size_t>(max, g.mask + 1);
    // relaxed: only a guess at the position; the turn check and take()
    // reject a stale one.
    std::uint64_t pos = counter.load(std::memory_order_relaxed);
    for (;;) {
      std::size_t n = 0;
      std::int32_t behind = 0;
      if (!interleave && max >= 4) {
        // A batch: within a lap its slots are contiguous, so test their
        // turns four at a time while all match, one branch per four slots
        // (bench/compare, bulk64); a group with a mismatch is read again
        // below, slot by slot.
        const slot_type* first = &g.at(pos);
        const std::size_t in_lap = std::min<std::size_t>(max, g.mask + 1 - (pos & g.mask));
        for (std::uint32_t want = turn_of<S>(pos); n + 4 <= in_lap; n += 4, want += 8) {
          // (1) acquire (all four), as below.
          if (((first[n].turn.load(std::memory_order_acquire) ^ want) |
               (first[n + 1].turn.load(std::memory_order_acquire) ^ (want + 2)) |
               (first[n + 2].turn.load(std::memory_order_acquire) ^ (want + 4)) |
               (first[n + 3].turn.load(std::memory_order_acquire) ^ (want + 6))) != 0)
            break;
        }
      }
      for (; n < max; ++n) {
        // (1) acquire: pairs with release (2) in publish() by the slot's
        // previous owner: a producer sees the last lap's consumer done with
        // the bytes, a consumer sees the element fully constructed.
        const std::uint32_t turn = g.at(pos + n).turn.load(std::memory_order_acquire);
        behind = static_cast<std::int32_t>(turn - turn_of<S>(pos + n));
        if (behind != 0) break;
      }
      if (n != 0) {
        c = {pos, &g.at(pos), g.template done_of<S>(pos)};
        switch (claim_of<S>().take(counter, pos, n, closing_)) {
          case take_result::taken:
            return n;
          case take_result::refused:
            return 0;
          case take_result::lost:
            continue;  // pos holds the counter now
        }
      }
      // relaxed: compared with pos only; nothing is read through it.
      const std::uint64_t now = counter.load(std::memory_order_relaxed);
      // behind < 0: the slot's previous owner has not finished: full
      // (producers) or empty (consumers), if pos is still current, which
      // proves the turn read was of this lap and not a wrapped one.
      if (behind < 0 && now == pos) return 0;
      pos = now;  // behind > 0: another thread of this side took pos
    }
  }

  // A ticket (claim::ticket, untimed blocking calls): the next position,
  // whatever its slot holds. False for producers once closed. The holder
  // waits until ready<S>(c) before touching the slot.
  template <side S>
  bool take_ticket(claimed& c) noexcept {
    std::uint64_t pos;
    if (!claim_of<S>().ticket(counter_of<S>(), pos)) return false;
    const geometry g = shape();
    c = {pos, &g.at(pos), g.template done_of<S>(pos)};
    return true;
  }

  // Whether c's slot shows side S's turn.
  template <side S>
  bool ready(const claimed& c) noexcept {
    // (1) acquire, as in claim().
    return c.slot->turn.load(std::memory_order_acquire) == turn_of<S>(c.pos);
  }

  // Hands c's slot to the other side: this side is done with it.
  static void publish(const claimed& c) noexcept {
    // (2) release: pairs with acquire (1) by the slot's next owner: the
    // element is fully constructed (after a push) or moved out and destroyed
    // (after a pop) before the next owner touches the bytes.
    c.slot->turn.store(c.done, std::memory_order_release);
  }

  // Runs `each(slot)` on the n slots of a batch claimed from pos, in order,
  // handing each to the other side as soon as it is done, so that they can
  // start on the first while the rest are written. `each` is taken and
  // returned by value, so that its state (an iterator) stays in registers.
  template <side S, class Each>
  Each publish_n(std::uint64_t pos, std::size_t n, Each each) noexcept {
    const geometry g = shape();
    for (std::size_t i = 0; i != n; ++i) {
      slot_type& s = g.at(pos + i);
      each(s);
      // (2) release, as in publish(c).
      s.turn.store(g.template done_of<S>(pos + i), std::memory_order_release);
    }
    return each;
  }

  // Closes the producers' side; false if it was closed already.
  bool close() noexcept {
    std::uint64_t final = 0;
    if (!push_claim_.close(tail_, final)) return false;
    // relaxed: published by the release store below.
    closing_.final_tail.store(final, std::memory_order_relaxed);
    // release: pairs with the acquires in stopping(), drained(), abandoned()
    // and size(): who sees the flag sees the final tail.
    closing_.closing.store(true, std::memory_order_release);
    return true;
  }
  bool closed() const noexcept { return push_claim_.closed(tail_); }

  // Closed, and consumers have claimed every position claimed before the
  // close (one still being filled counts, so its element is waited for).
  bool drained() const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.closing.load(std::memory_order_acquire)) return false;
    // relaxed (both): final_tail is ordered by the acquire; head_ is compared.
    return pop_claim::position(head_.load(std::memory_order_relaxed)) >=
           closing_.final_tail.load(std::memory_order_relaxed);
  }

  // Whether a blocked call of side S should give up: closed (producers), or
  // drained (consumers). Reads the read-mostly closing flag, not tail_, which
  // every push writes: a consumer polling tail_ would pull that line away
  // from the producer it waits for.
  template <side S>
  bool stopping() const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.closing.load(std::memory_order_acquire)) return false;
    return S == side::producers || drained();
  }

  // Whether a consumer holding ticket pos should give up: no producer
  // claimed pos before the close.
  bool abandoned(std::uint64_t pos) const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.closing.load(std::memory_order_acquire)) return false;
    // relaxed: ordered by the acquire above.
    return pos >= closing_.final_tail.load(std::memory_order_relaxed);
  }

  const storage_type& storage() const noexcept { return storage_; }

 private:
  // Side S's turn for position p: 2*p + S. Truncation to 32 bits is
  // intended: turns are compared by signed difference.
  template <side S>
  static std::uint32_t turn_of(std::uint64_t pos) noexcept {
    return (static_cast<std::uint32_t>(pos) << 1) + static_cast<std::uint32_t>(S);
  }

  // The ring's shape, copied into locals by the loops: an acquire load is a
  // barrier to the compiler, which would reload the members after each one.
  struct geometry {
    slot_type* slots;
    std::uint64_t mask;
    unsigned spread;

    slot_type& at(std::uint64_t pos) const noexcept {
      auto index = static_cast<std::size_t>(pos & mask);
      if constexpr (interleave) index = interleave_index(index, spread);
      return slots[index];
    }
    // The turn side S leaves in pos's slot when done with it: the consumer's
    // (2*pos + 1) after a push, the next lap's producer's (2*(pos +
    // capacity)) after a pop.
    template <side S>
    std::uint32_t done_of(std::uint64_t pos) const noexcept {
      if constexpr (S == side::producers)
        return turn_of<S>(pos) + 1;
      else
        return turn_of<S>(pos) + 1 + 2 * static_cast<std::uint32_t>(mask);
    }
  };
  geometry shape() const noexcept { return {slots_, mask_, spread_}; }

  template <side S>
  Atom<std::uint64_t>& counter_of() noexcept {
    return S == side::producers ? tail_ : head_;
  }
  template <side S>
  auto& claim_of() noexcept {
    if constexpr (S == side::producers)
      return push_claim_;
    else
      return pop_claim_;
  }

  void bind_storage() noexcept {
    slots_ = storage_.data();
    mask_ = storage_.size() - 1;
    // padding::interleaved: k slots per line and k lines to a block; a ring
    // of fewer than k*k slots uses the largest square block it holds.
    if constexpr (interleave) {
      constexpr auto per_line =
          std::bit_floor(std::max<std::size_t>(1, backend::cache_line_size / sizeof(slot_type)));
      spread_ = std::min(static_cast<unsigned>(std::countr_zero(per_line)),
                         static_cast<unsigned>(std::countr_zero(storage_.size())) / 2);
    }
    for (std::uint64_t p = 0; p <= mask_; ++p)
      // relaxed: the ring is not yet shared; publishing the queue to other
      // threads orders these stores before their first access.
      shape().at(p).turn.store(turn_of<side::producers>(p), std::memory_order_relaxed);
  }

  static std::size_t slot_count(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpmc::queue: capacity must be at least 1");
    if (capacity > max_capacity) throw std::length_error("mpmc::queue: capacity is too large");
    return std::bit_ceil(capacity);
  }

  // Read-only after construction; shares no line with the counters.
  slot_type* slots_ = nullptr;
  std::uint64_t mask_ = 0;
  unsigned spread_ = 0;
  closing_state<Atom> closing_;
  [[no_unique_address]] push_claim push_claim_;
  [[no_unique_address]] pop_claim pop_claim_;

  // Each counter on its own line (two on x86, against adjacent-line
  // prefetch): producers hammer one, consumers the other.
  alignas(backend::false_sharing_range) Atom<std::uint64_t> tail_{0};
  alignas(backend::false_sharing_range) Atom<std::uint64_t> head_{0};
  // Fixed-capacity slots live here, inside the object, off head_'s line.
  alignas(backend::false_sharing_range) storage_type storage_;
};

}  // namespace mpmc::detail
