// The sequence ring: Dmitry Vyukov's bounded MPMC queue, with turn numbers that make every capacity
// (1 included) work; docs/design.md (The ring) gives the long form. n slots, and two 64-bit
// counters of lap-encoded positions (slot_map.hpp; L is n rounded up to a power of two): `tail_`,
// the next position a producer claims, and `head_`, the next a consumer claims. A slot's 32-bit
// turn word says whose move it is:
//
//     turn == 2*p              free for the producer of position p
//     turn == 2*p + 1          holds p's element, for p's consumer
//     turn == 2*(p + L)        free for the producer of p + L, the same slot's next lap
//
// Doubled, an element's turn is odd and a free slot's even, so p and p + 1 never collide in one
// slot. Turns are compared by signed 32-bit difference, so they may wrap (a lap is 2*L turns, hence
// L <= 2^30): a stale position may misread a wrapped turn, but take() fails for it.
//
// claim: read the counter (p); if the slot shows this side's turn for p, take p (claim_strategy).
// push:  construct the element; store turn 2*p + 1 (release: the turn alone publishes the data).
// pop:   move the element out, destroy it; store turn 2*(p + L) (release).
// A ticket (claim::ticket) takes p first and waits for the turn after. close() fixes the final
// tail; consumers are done when head_ reaches it. Neither lock-free nor wait-free: a partner
// preempted between its claim and its turn store holds up the other side (docs/design.md).
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/detail/claim_strategy.hpp>
#include <mpmc/detail/slot_map.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace mpmc::detail {

// Producers take the even turns, consumers the odd ones.
enum class side : std::uint32_t { producers = 0, consumers = 1 };

// How many positions lie before a ring's first one: lets a test start near a wrap of the turn
// words or the end of the positions' range. Explicit, so `queue(n, {})` still means an allocator.
struct first_position {
  explicit first_position(std::uint64_t c) noexcept : count(c) {}
  std::uint64_t count;
};

template <class T, class Config, template <class> class Atom = std::atomic>
class sequence_ring {
  using capacity_type = typename Config::capacity;

 public:
  using slot_type = slot<T, Config::padding::alignment, Atom>;
  using storage_type = typename capacity_type::template storage<slot_type>;
  using map_type = slot_map<slot_type, fixed_extent<capacity_type>,
                            interleaves<typename Config::padding>, pointer_of<storage_type>>;
  using fence = backend::fence_of_t<typename Config::wait>;  // the event counts', for close() too
  using push_claim = claim_strategy_for<typename Config::producers, Atom, true, fence>;
  using pop_claim = claim_strategy_for<typename Config::consumers, Atom, false, fence>;

  static constexpr std::size_t max_capacity = std::size_t{1} << 30;  // a lap, 2*L turns, < 2^31

  template <class Allocator>
  requires(!capacity_type::is_fixed) sequence_ring(std::size_t capacity, const Allocator& allocator,
                                                   first_position first = first_position(0))
      : storage_(checked(capacity), allocator) {
    bind_storage(first.count);
  }
  sequence_ring() noexcept requires capacity_type::is_fixed { bind_storage(0); }
  sequence_ring(const sequence_ring&) = delete;
  sequence_ring& operator=(const sequence_ring&) = delete;

  // Destroys the elements still queued, found by their odd turns, not by counting the positions.
  ~sequence_ring() {
    for (std::size_t i = 0; i != storage_.size(); ++i)
      // relaxed: the owner joined every thread that used the ring; joining synchronizes.
      if ((map_.slots[i].turn.load(std::memory_order_relaxed) & 1) != 0)
        std::destroy_at(map_.slots[i].value());
  }

  std::size_t capacity() const noexcept { return map_.size; }

  // Elements claimed by producers and not yet by consumers, clamped to [0, capacity()].
  std::size_t size() const noexcept {
    // relaxed (both): a snapshot of two counters is not atomic anyway; nothing is read through it.
    const std::uint64_t head = pop_claim::position(head_.load(std::memory_order_relaxed));
    std::uint64_t tail = push_claim::position(tail_.load(std::memory_order_relaxed));
    // relaxed: ordered by abandoned()'s acquire; tickets taken in vain move tail_ past final_tail.
    if (abandoned(tail)) tail = closing_.final_tail.load(std::memory_order_relaxed);
    if (tail <= head) return 0;
    return static_cast<std::size_t>(smaller(map_.count(tail) - map_.count(head), map_.size));
  }

  // A claimed position, its slot and the turn that hands the slot on, worked out before the take:
  // after a compare-exchange the map would be reloaded, and a locked instruction holds back loads.
  struct claimed {
    std::uint64_t pos;
    slot_type* slot;
    std::uint32_t done;
  };

  // Claims up to `max` consecutive positions whose slots all show side S's turn, the first in `c`;
  // returns how many: 0 when full (producers), closed or empty (consumers) at some instant of the
  // call, or, unless `strong`, when the slot in front is not yet handed on. Always inlined: out of
  // line, the claimed position comes back through memory (bench/compare, pair).
  template <side S>
  [[gnu::always_inline]] std::size_t claim(claimed& c, std::size_t max = 1,
                                           bool strong = true) noexcept {
    auto& counter = counter_of<S>();
    const map_type& m = map_;  // reloads cost less than the registers a copy holds
    // relaxed: only a guess at the position; the turn check and take() reject a stale one.
    std::uint64_t pos = counter.load(std::memory_order_relaxed);
    for (;;) {
      const std::size_t first = m.index(pos);
      // A run stays within pos's lap, where positions and slots are consecutive.
      const std::size_t most = max > 1 ? smaller<std::size_t>(max, m.slot_count() - first) : max;
      std::size_t n = 0;
      std::int32_t behind = 0;
      if (!interleaves<typename Config::padding> && most >= 4) {
        // A batch: test four turns per branch while all match (bench/compare, bulk64); a group with
        // a mismatch is read again below.
        const slot_type* run = m.slots + first;
        for (std::uint32_t want = turn_of<S>(pos); n + 4 <= most; n += 4, want += 8) {
          // (1) acquire (all four), as below.
          if (((run[n].turn.load(std::memory_order_acquire) ^ want) |
               (run[n + 1].turn.load(std::memory_order_acquire) ^ (want + 2)) |
               (run[n + 2].turn.load(std::memory_order_acquire) ^ (want + 4)) |
               (run[n + 3].turn.load(std::memory_order_acquire) ^ (want + 6))) != 0)
            break;
        }
      }
      for (; n < most; ++n) {
        // (1) acquire: pairs with release (2) in publish() by the slot's previous owner: a producer
        // sees the last lap's consumer done with the bytes, a consumer sees the element built.
        const std::uint32_t turn = m.slot(first + n).turn.load(std::memory_order_acquire);
        behind = static_cast<std::int32_t>(turn - turn_of<S>(pos + n));
        if (behind != 0) break;
      }
      if (n != 0) {
        c = {pos, &m.slot(first), done_of<S>(pos)};
        // after() only where the run ends a lap: in a large translation unit gcc may leave it out
        // of line, a call on every claim (bench/compare, pair).
        const std::uint64_t next = first + n < m.slot_count() ? pos + n : m.after(pos, n);
        switch (claim_of<S>().take(counter, pos, next, closing_)) {
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
      if (now != pos) {
        pos = now;  // another thread of this side took pos
      } else if (behind < 0) {
        // pos is current, so the turn read was of this lap: the slot's previous owner has not
        // finished. Full or empty, unless the other side has claimed that owner's position.
        if (!strong || !await_partner<S>(pos)) return 0;
      }
    }
  }

  // A ticket (claim::ticket): the next position, whatever its slot holds; false for producers once
  // closed. The holder waits for ready<S>(c).
  template <side S>
  bool take_ticket(claimed& c) noexcept {
    std::uint64_t pos;
    if (!claim_of<S>().ticket(counter_of<S>(), pos, map_)) return false;
    c = {pos, &map_.at(pos), done_of<S>(pos)};
    return true;
  }

  template <side S>
  bool ready(const claimed& c) noexcept {
    // (1) acquire, as in claim().
    return c.slot->turn.load(std::memory_order_acquire) == turn_of<S>(c.pos);
  }

  static void publish(const claimed& c) noexcept {  // hands c's slot to the other side
    // (2) release: pairs with acquire (1) by the slot's next owner, after our construct or destroy.
    c.slot->turn.store(c.done, std::memory_order_release);
  }

  // Runs `each(slot)` on the n slots of a batch claimed from pos, in order, handing each on as soon
  // as it is done. `each` goes by value so that its state (an iterator) stays in registers.
  template <side S, class Each>
  Each publish_n(std::uint64_t pos, std::size_t n, Each each) noexcept {
    const map_type m = map_;
    const std::size_t first = m.index(pos);  // the run is within pos's lap (claim())
    for (std::size_t i = 0; i != n; ++i) {
      slot_type& s = m.slot(first + i);
      each(s);
      // (2) release, as in publish().
      s.turn.store(done_of<S>(pos + i), std::memory_order_release);
    }
    return each;
  }

  // Closes the producers' side; false if it was closed already.
  bool close() noexcept {
    std::uint64_t final = 0;
    if (!push_claim_.close(tail_, final)) return false;
    // relaxed: published by the release store below.
    closing_.final_tail.store(final, std::memory_order_relaxed);
    // release: pairs with the acquires in stopping(), abandoned() and size(); publishes final_tail.
    closing_.closing.store(true, std::memory_order_release);
    return true;
  }
  bool closed() const noexcept { return push_claim_.closed(tail_, closing_); }

  // Whether a blocked call of side S should give up: closed (producers), or closed and drained
  // (consumers). Polls the read-mostly closing flag, not tail_, which every push writes.
  template <side S>
  bool stopping() const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.closing.load(std::memory_order_acquire)) return false;
    // relaxed: head_ is only compared; abandoned() orders the final tail.
    return S == side::producers ||
           abandoned(pop_claim::position(head_.load(std::memory_order_relaxed)));
  }

  // Whether position pos will never be filled: closed, and not claimed before the close.
  bool abandoned(std::uint64_t pos) const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.closing.load(std::memory_order_acquire)) return false;
    // relaxed: ordered by the acquire above.
    return pos >= closing_.final_tail.load(std::memory_order_relaxed);
  }

  // A channel's last receiver is gone: a producer ticket whose turn comes now writes nothing.
  void begin_discard() noexcept {
    // release: pairs with the acquire in holds_discarded().
    closing_.discarding.store(true, std::memory_order_release);
  }

  // After begin_discard() and close(), with no consumer left: destroys every element claimed before
  // the close, waiting for those still being written, and calls freed() after each slot it frees.
  template <class Freed>
  void discard(Freed freed) noexcept {
    partner_pause pause;
    // relaxed: no other consumer is left to move head_.
    std::uint64_t pos = pop_claim::position(head_.load(std::memory_order_relaxed));
    while (!abandoned(pos)) {
      const claimed c{pos, &map_.at(pos), done_of<side::consumers>(pos)};
      // (1) acquire, as in claim().
      const std::uint32_t turn = c.slot->turn.load(std::memory_order_acquire);
      if (turn == turn_of<side::consumers>(pos)) {
        std::destroy_at(c.slot->value());
        publish(c);
        freed();
      } else if (static_cast<std::int32_t>(turn - c.done) < 0) {
        pause();  // claimed before the close, still being written
        continue;
      }  // else passed up by its ticket holder, and maybe by later laps' holders too
      pos = map_.after(pos);
    }
    // relaxed: for size() only; no consumer is left.
    head_.store(pos, std::memory_order_relaxed);
  }

  // For a producer ticket whose turn came: once discarding, leaves the slot to the next lap with
  // nothing written, for discard() to skip, and returns true.
  bool holds_discarded(const claimed& c) noexcept {
    // acquire: pairs with the release store in begin_discard().
    if (!closing_.discarding.load(std::memory_order_acquire)) return false;
    // (2) release, as in publish().
    c.slot->turn.store(done_of<side::consumers>(c.pos), std::memory_order_release);
    return true;
  }

  const storage_type& storage() const noexcept { return storage_; }

 private:
  // Side S's turn for position p: 2*p + S, truncated to 32 bits on purpose.
  template <side S>
  static std::uint32_t turn_of(std::uint64_t pos) noexcept {
    return (static_cast<std::uint32_t>(pos) << 1) + static_cast<std::uint32_t>(S);
  }
  // The turn side S leaves when done with pos's slot: the consumer's after a push, the next lap's
  // producer's after a pop.
  template <side S>
  std::uint32_t done_of(std::uint64_t pos) const noexcept {
    return S == side::producers ? turn_of<S>(pos) + 1
                                : turn_of<side::producers>(pos + map_.lap_length());
  }

  // pos is current and its slot not yet handed on. Waits while the other side has claimed the
  // position holding the slot; true once it is handed on or pos taken, false if nobody holds it.
  template <side S>
  bool await_partner(std::uint64_t pos) noexcept {
    partner_pause pause;
    const auto& turn = map_.at(pos).turn;
    while (partner_busy<S>(pos)) {
      pause();
      // relaxed (both): hints; claim() reads the turn again with acquire (1).
      if (static_cast<std::int32_t>(turn.load(std::memory_order_relaxed) - turn_of<S>(pos)) >= 0 ||
          counter_of<S>().load(std::memory_order_relaxed) != pos)
        return true;
    }
    return false;
  }

  // Whether the other side has claimed the position whose owner holds pos's slot.
  template <side S>
  bool partner_busy(std::uint64_t pos) const noexcept {
    // relaxed (both): a claim made before this call began is visible by coherence; one made since
    // may be missed, and then the ring was full or empty at that instant.
    if constexpr (S == side::producers)
      return pop_claim::position(head_.load(std::memory_order_relaxed)) + map_.lap_length() > pos;
    else
      return push_claim::position(tail_.load(std::memory_order_relaxed)) > pos && !abandoned(pos);
  }

  // Waiting for a partner: backoff rounds for the spin budget, then yields to a preempted partner.
  struct partner_pause {
    typename Config::backoff backoff{};
    std::uint32_t rounds = 0;
    void operator()() noexcept {
      if (rounds++ < Config::wait::spin_limit)
        backoff();
      else
        backend::thread_yield();
    }
  };

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

  void bind_storage(std::uint64_t first) noexcept {
    map_ = map_type(storage_.data(), storage_.size());
    // relaxed (all): the ring is not yet shared; publishing the queue orders these stores first.
    tail_.store(map_.position(first), std::memory_order_relaxed);
    head_.store(map_.position(first), std::memory_order_relaxed);
    for (std::uint64_t k = first; k != first + map_.size; ++k)
      map_.at(map_.position(k))
          .turn.store(turn_of<side::producers>(map_.position(k)), std::memory_order_relaxed);
  }

  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpmc::queue: capacity must be at least 1");
    if (capacity > max_capacity) throw std::length_error("mpmc::queue: capacity is too large");
    return capacity;
  }

  map_type map_;  // read-only after construction; shares no line with the counters
  closing_state<Atom> closing_;
  [[no_unique_address]] push_claim push_claim_;
  [[no_unique_address]] pop_claim pop_claim_;

  // Each counter on its own line pair (x86 prefetches lines in pairs): each side hammers its own.
  alignas(backend::false_sharing_range) Atom<std::uint64_t> tail_{0};
  alignas(backend::false_sharing_range) Atom<std::uint64_t> head_{0};
  // Fixed-capacity slots live here, inside the object, off head_'s line.
  alignas(backend::false_sharing_range) storage_type storage_;
};

}  // namespace mpmc::detail
