// How one side of the ring takes positions from its counter, and how the producers' side closes;
// the ring's claim body is the same for every strategy (docs/design.md, Claiming and close()).
// shared_claim: any number of threads; take() is a compare-exchange of the counter. Bit 63 of the
// producers' counter is the closed flag, set by one fetch_or, so claims and the close fall into one
// total order of read-modify-writes: a claim before it is delivered, every claim after it fails.
// lone_claim: one thread at a time (producers::single, consumers::single); take() is a plain
// store, so a lone producer and close() run a Dekker handshake over a gate byte and the asymmetric
// fence instead; docs/design.md (A lone producer and close()) draws it.
#pragma once

#include <mpmc/backend/asymmetric_fence.hpp>
#include <mpmc/backend/cpu.hpp>

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace mpmc::detail {

enum class take_result { taken, lost, refused };

// What close() leaves for everyone who must know where the producers stopped.
template <template <class> class Atom>
struct closing_state {
  Atom<bool> closing{false};          // set (release) after final_tail
  Atom<std::uint64_t> final_tail{0};  // the tail at the close
  Atom<bool> discarding{false};       // no consumer is left (sequence_ring::discard)
};

template <template <class> class Atom>
struct shared_claim {
  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;

  // Takes the positions from pos up to `next` if the counter still reads pos; on `lost`, pos is now
  // the counter.
  take_result take(Atom<std::uint64_t>& counter, std::uint64_t& pos, std::uint64_t next,
                   closing_state<Atom>&) noexcept {
    if ((pos & closed_bit) != 0) return take_result::refused;
    // (3) relaxed: the exchange only hands out positions; the turn words, (1) and (2), order slots.
    return counter.compare_exchange_weak(pos, next, std::memory_order_relaxed,
                                         std::memory_order_relaxed)
               ? take_result::taken
               : take_result::lost;
  }

  // A ticket: the next position, whatever its slot holds; false when closed. One fetch_add when
  // positions are contiguous (a position taken after the close is void), else a compare-exchange
  // loop, as the map's after(p) skips to the next lap.
  template <class Map>
  bool ticket(Atom<std::uint64_t>& counter, std::uint64_t& pos, const Map& map) noexcept {
    if (map.contiguous()) {
      // (4) relaxed: hands out the position only; the holder's acquire (1) orders the slot.
      const std::uint64_t got = counter.fetch_add(1, std::memory_order_relaxed);
      pos = got & ~closed_bit;
      return (got & closed_bit) == 0;
    }
    // relaxed (all): as (4).
    pos = counter.load(std::memory_order_relaxed);
    do {
      if ((pos & closed_bit) != 0) return false;
    } while (!counter.compare_exchange_weak(pos, map.after(pos), std::memory_order_relaxed,
                                            std::memory_order_relaxed));
    return true;
  }

  // Sets the closed bit; false if it was set already. `final` gets the tail.
  bool close(Atom<std::uint64_t>& counter, std::uint64_t& final) noexcept {
    // seq_cst: one total order of the close and the claims decides which pushes got in.
    const std::uint64_t was = counter.fetch_or(closed_bit, std::memory_order_seq_cst);
    final = was & ~closed_bit;
    return (was & closed_bit) == 0;
  }

  // Pushes are refused from the fetch_or on.
  bool closed(const Atom<std::uint64_t>& counter, const closing_state<Atom>&) const noexcept {
    // acquire: pairs with the fetch_or in close(); only the bit is used.
    return (counter.load(std::memory_order_acquire) & closed_bit) != 0;
  }

  static std::uint64_t position(std::uint64_t raw) noexcept { return raw & ~closed_bit; }
};

// Fence: the wait backend's (backend::fence_of), so that a close() from another process is seen.
template <template <class> class Atom, bool Producer, class Fence>
class lone_claim {
  static constexpr std::uint8_t shut = 1;         // close() has begun
  static constexpr std::uint8_t full_fences = 2;  // membarrier() refused

 public:
  lone_claim() noexcept {
    if constexpr (Producer)
      // relaxed: the ring is not yet shared.
      gate_.store(Fence::prepare() ? 0 : full_fences, std::memory_order_relaxed);
  }

  // Always inlined: as a call, the position goes through memory (bench/compare, pair, spsc).
  [[gnu::always_inline]] take_result take(Atom<std::uint64_t>& counter, std::uint64_t& pos,
                                          std::uint64_t next,
                                          closing_state<Atom>& closing) noexcept {
    // (5) relaxed: the slots are handed over by the turn words, not by the counter; the other side
    // reads it only in size() and close(), which the handshake orders.
    counter.store(next, std::memory_order_relaxed);
    if constexpr (Producer) {
      Fence::light();
      // relaxed: the fence pair, not this load, orders it against close().
      if (gate_.load(std::memory_order_relaxed) != 0 && !admitted(counter, pos, closing))
        return take_result::refused;
    }
    return take_result::taken;
  }

  bool close(Atom<std::uint64_t>& counter, std::uint64_t& final) noexcept {
    // seq_cst: of two closers, exactly one finds the bit clear.
    const std::uint8_t was = gate_.fetch_or(shut, std::memory_order_seq_cst);
    if ((was & shut) != 0) return false;
    if ((was & full_fences) != 0)
      Fence::full();
    else
      Fence::heavy();
    // relaxed: ordered by the fence pair; published by the caller's release of `closing`.
    final = counter.load(std::memory_order_relaxed);
    return true;
  }

  // Not the gate's bit: a push racing close() may still get in until the final tail is known.
  bool closed(const Atom<std::uint64_t>&, const closing_state<Atom>& closing) const noexcept {
    // acquire: pairs with the release store of `closing`, made once the final tail is known.
    return closing.closing.load(std::memory_order_acquire);
  }

  static std::uint64_t position(std::uint64_t raw) noexcept { return raw; }

 private:
  // The gate is not clear: the fence must be a full one, or close() has begun.
  bool admitted(Atom<std::uint64_t>& counter, std::uint64_t pos,
                closing_state<Atom>& closing) noexcept {
    // relaxed (all gate loads): the fence pair orders them against close().
    if ((gate_.load(std::memory_order_relaxed) & full_fences) != 0) {
      Fence::full();
      if ((gate_.load(std::memory_order_relaxed) & shut) == 0) return true;
    }
    // acquire: pairs with the release store of `closing` after final_tail.
    while (!closing.closing.load(std::memory_order_acquire)) backend::cpu_relax();
    // relaxed: ordered by the acquire above.
    if (pos < closing.final_tail.load(std::memory_order_relaxed)) return true;
    // relaxed: the counter has no other writer, and close() is done with it.
    counter.store(pos, std::memory_order_relaxed);
    return false;
  }

  Atom<std::uint8_t> gate_{0};
};

// The strategy for a side policy (producers::*, consumers::*).
template <class SidePolicy, template <class> class Atom, bool Producer, class Fence>
using claim_strategy_for =
    std::conditional_t<SidePolicy::exclusive, lone_claim<Atom, Producer, Fence>,
                       shared_claim<Atom>>;

}  // namespace mpmc::detail
