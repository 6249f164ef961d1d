// The sequence ring: Dmitry Vyukov's bounded MPMC queue, with turn numbers
// that make every capacity (1 included) work.
//
// Layout
// ------
// A power-of-two array of slots and two 64-bit counters: `tail_`, the next
// position a producer will claim, and `head_`, the next position a consumer
// will claim. Position `p` lives in slot `p & mask`. Each slot holds the
// element's raw bytes and a 32-bit `turn` word that says whose move it is:
//
//     turn == 2*p                  free for the producer of position p
//     turn == 2*p + 1              holds p's element, for p's consumer
//     turn == 2*(p + capacity)     free for the producer of p + capacity
//
// Vyukov's original stores `p` and `p + 1`; with one slot those collide (the
// element written for position 0 reads as "free for position 1"), which is
// why the seed's capacity 1 was broken. Doubling the numbers keeps them
// apart for every capacity: an element's turn is odd, a free slot's even.
// (Until 2026-11-27 the word counted laps, 2*lap and 2*lap + 1, which cost a
// shift by log2(capacity) and a load of the shift count in every claim;
// docs/design.md has what dropping it measured.) Slot i starts at 2*i.
//
// Turns are compared by signed 32-bit difference, so they may wrap. A thread
// holding a current position finds its slot's turn at most one lap behind
// what it expects, 2*capacity, hence capacity <= 2^30 (max_capacity). A
// thread holding a stale position may misread a wrapped turn, but it can
// only act on the reading through a compare-exchange of the 64-bit counter,
// which fails for a stale position; and before reporting "full" or "empty"
// it re-reads the counter to prove its position current.
//
// Protocol
// --------
// push: read tail (p); if slot's turn is 2*p, claim p by compare-exchanging
//       tail p -> p+1; construct the element; store turn 2*p+1 (release).
// pop:  read head (p); if slot's turn is 2*p+1, claim p by compare-exchanging
//       head p -> p+1; move the element out, destroy it; store turn
//       2*(p+capacity) (release).
// The counters only hand out positions; element data is published through the
// slot's turn word alone, by a release store that the next owner's acquire
// load of the same word synchronizes with.
//
// Tickets
// -------
// With claim::ticket, blocking calls without a deadline claim by fetch_add
// instead: they take the next position unconditionally and wait on that
// position's slot until its turn comes (folly's and atomic_queue's way). A
// fetch_add never fails, and each waiter watches a slot no other waiter
// watches, where compare-exchange claimers all poll the same counter and
// slot and all but one fail when it changes. Measured on 16 cores with a
// core per thread, that is 2.7x the throughput (docs/benchmarks.md).
// The price: a ticket is a promise. Its holder must fill or empty that slot,
// so a preempted or sleeping holder stalls the position's partner, and with
// more threads than cores that collapses throughput; and timed calls never
// take one (a timeout cannot be honoured while holding a position).
//
// Closing
// -------
// close() sets bits 63 and 62 of tail_ with one fetch_or. Producer claims are
// read-modify-writes of tail_, so claims and the close are totally ordered: a
// claim before it completes and its element is delivered; every claim after
// it sees the bit and fails (a fetch_add after it bumps the counter's low
// bits, harmlessly: nobody will fill those positions). The tail at the close,
// the final tail, is kept; consumers are done when head_ reaches it
// (drained()), and a consumer holding a ticket at or past it gives up
// (abandoned()).
//
// Parked flags
// ------------
// Above their 61-bit positions the counters carry flags (parked_flags.hpp):
//
//     tail_  bit 63: set while bit 62 or bit 61 is, so that a push tests
//                    one bit (the sign) for both
//            bit 62: closed
//            bit 61: consumers are parked (or about to be)
//     head_  bit 63: producers are parked (or about to be)
//
// A claim that finds the top bit set fails if the ring is closed, and
// otherwise goes ahead and reports the flag, so that its caller wakes a
// sleeper after publishing. Positions never come near 2^61 (at 10^9 claims a
// second, several times what one counter takes, 73 years). Every reader of
// a position masks the flags off (position_mask).
//
// Lone sides
// ----------
// With producers::single (consumers::single) at most one thread pushes
// (pops) at a time, so tail_ (head_) has one writer: a claim reads its own
// counter, checks the slot's turn and stores pos+1, with no locked
// instruction and nothing to retry. Such a side never takes tickets: a
// blocked lone caller waits on the slot it will claim, which no one else
// can take. The other side never reads the counter to claim (only size()
// and close() do), so a relaxed store does.
//
// A lone producer cannot take part in close()'s total order: a plain store
// of tail_ would wipe a closed bit set by fetch_or. So close() raises a flag
// (a bit in gate_) instead, and the two run a Dekker handshake:
//
//     push: store tail_ = pos+1; [light fence]; load gate_
//     close: set gate_'s bit; [heavy fence]; load tail_ -> final tail
//
// The asymmetric fence (backend/asymmetric_fence.hpp) guarantees that at
// least one of them sees the other's store, while the push's half costs a
// compiler barrier. A push that sees the bit waits for close() to publish the
// final tail: if that counted its position, it completes and is delivered;
// if not, it stores tail_ = pos back and fails. Either way the final tail
// is exact. Where membarrier() is refused, both halves are full fences: a
// second bit in gate_ sends every push to its slow path for its fence, so
// the fast path tests one byte for both cases.
//
// Progress
// --------
// Not lock-free, let alone wait-free: between its claim and its turn store a
// producer owns its slot exclusively. If it is preempted there, the consumer
// of that position cannot proceed (try_pop reports "empty", pop waits) until
// the producer runs again, even though later positions may already hold
// elements. The same holds for a preempted consumer and the producer one lap
// later. Claims themselves are lock-free: a failed compare-exchange means
// another thread's claim succeeded.
#pragma once

#include <mpmc/backend/asymmetric_fence.hpp>
#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/detail/parked_flags.hpp>

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
template <class T, std::size_t Alignment>
struct slot {
  static constexpr std::size_t alignment =
      std::max({Alignment, alignof(std::atomic<std::uint32_t>), alignof(T)});

  alignas(alignment) std::atomic<std::uint32_t> turn{0};
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

// Whether a padding policy asks for padding::interleaved's layout.
template <class P>
inline constexpr bool interleaves = false;
template <class P>
requires requires { P::interleave; }
inline constexpr bool interleaves<P> = P::interleave;

template <class T, class Config>
class sequence_ring {
  using capacity_type = typename Config::capacity;
  static constexpr bool interleave = interleaves<typename Config::padding>;
  // producers::single / consumers::single (see Lone sides above).
  static constexpr bool lone_producer = Config::producers::exclusive;
  static constexpr bool lone_consumer = Config::consumers::exclusive;

 public:
  using slot_type = slot<T, Config::padding::alignment>;
  using storage_type = typename capacity_type::template storage<slot_type>;

  // The most slots a run-time capacity may ask for: 2^30. Turns are 2*pos
  // in 32 bits, compared by signed difference; a slot's turn may lag what a
  // current claimer expects by one lap, 2*capacity, which must stay within
  // 2^31 (see Layout).
  static constexpr std::size_t max_capacity = std::size_t{1} << 30;

  template <class Allocator>
  requires(!capacity_type::is_fixed) sequence_ring(std::size_t capacity, const Allocator& allocator)
      : storage_(slot_count(capacity), allocator) {
    bind_storage();
  }

  sequence_ring() noexcept requires capacity_type::is_fixed { bind_storage(); }

  sequence_ring(const sequence_ring&) = delete;
  sequence_ring& operator=(const sequence_ring&) = delete;

  // Destroys the elements still queued. No operation may be in flight.
  // Slots are read, not counters: after a close, tickets taken in vain move
  // the counters past positions that hold nothing; an odd turn is a slot
  // holding an element.
  // Whether head_ carries the producers' parked flag (parked_flags.hpp);
  // tail_ has its top bit tested on every push anyway, for close().
  static constexpr bool head_flagged = producers_flag_head<Config>;

  ~sequence_ring() {
    for (std::size_t i = 0; i <= mask_; ++i) {
      // relaxed: the owner joined every thread that used the ring before
      // destroying it, and joining synchronizes.
      if ((slots_[i].turn.load(std::memory_order_relaxed) & 1) != 0)
        std::destroy_at(slots_[i].value());
    }
  }

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Elements claimed by producers and not yet claimed by consumers, clamped
  // to [0, capacity()]: exact when no operation is in flight.
  std::size_t size() const noexcept {
    // relaxed (both): a snapshot of two counters cannot be atomic anyway; a
    // reading outside [0, capacity] that the interleaving of the two loads may
    // produce is clamped. No element is accessed on the strength of it.
    const std::uint64_t head = head_.load(std::memory_order_relaxed) & position_mask;
    std::uint64_t tail = tail_.load(std::memory_order_relaxed) & position_mask;
    // After a close, producer tickets taken in vain have moved tail_ past
    // the last position that will ever be filled; the final tail has not.
    // acquire: pairs with the release store in close(), after final_tail_.
    if (closing_.load(std::memory_order_acquire))
      // relaxed: ordered by the acquire above.
      tail = std::min(tail, final_tail_.load(std::memory_order_relaxed));
    if (tail <= head) return 0;
    return static_cast<std::size_t>(std::min<std::uint64_t>(tail - head, capacity()));
  }

  // Whether a producer would find a run of about `n` free slots: the slot n
  // positions past tail_ is free for its position, or already claimed. A
  // hint for a producer blocked on a full ring (waiting.hpp, Refill), which
  // claims nothing; n is clamped to half the capacity so that the slot read
  // is within a lap of the counter. May be stale either way: the claim that
  // follows is what decides.
  bool has_room_for(std::size_t n) const noexcept {
    const std::uint64_t ahead = std::min<std::uint64_t>(n, (mask_ + 1) / 2);
    // relaxed (both): a hint only; nothing is read through them, and the
    // claim that acts on the answer re-reads both with its own ordering.
    const std::uint64_t pos = (tail_.load(std::memory_order_relaxed) & position_mask) + ahead;
    const std::uint32_t turn = slot_at(pos).turn.load(std::memory_order_relaxed);
    return static_cast<std::int32_t>(turn - turn_of(pos)) >= 0;
  }

  // Claims the next position for a producer: returns its slot, with `pos`
  // set, or nullptr when the queue is full. The caller constructs the element
  // in the slot and then calls publish_push(slot, pos). `parked` is set to
  // whether the claim found consumers' parked flag (see Parked flags): the
  // caller then wakes one after publishing.
  slot_type* claim_push(std::uint64_t& pos, bool& parked) noexcept {
    return claim<producer_side>(tail_, pos, parked);
  }

  // Claims the oldest position for a consumer: returns its slot, with `pos`
  // set, or nullptr when that position holds no element yet (the queue is
  // empty, or its oldest element's producer has claimed but not finished).
  // The caller moves the element out, destroys it, and calls publish_pop.
  // `parked`: as for claim_push, producers' flag.
  slot_type* claim_pop(std::uint64_t& pos, bool& parked) noexcept {
    return claim<consumer_side>(head_, pos, parked);
  }

  // claim_push / claim_pop inlined into the caller, for try_push and
  // try_pop: a single-thread push+pop spent a third of its time in the
  // calls. The blocking calls keep the calls: inlined into their retry
  // loops as well, the threaded runs fell into lock-step (docs/benchmarks.md).
  // They report success as a bool and hand back the slot and the turn that
  // marks it done (for publish_claimed): after the exchange the caller then
  // neither tests the pointer nor recomputes the turn from pos, which the
  // exchange, a compiler barrier, would make it reload the geometry for.
  // They claim nothing when the counter's top bit is set (closed, or the
  // other side has sleepers: Parked flags) and say so (`flagged`): the
  // caller then takes its out-of-line path through claim_push / claim_pop,
  // which handle both. So the inline path, which runs when nobody sleeps,
  // has nothing to wake and no test for it after the publish: with a
  // parking wait policy a push is the same code as with a spinning one, and
  // a pop adds the top-bit test.
  struct claimed {
    slot_type* slot;
    std::uint32_t done_turn;
    bool parked;  // the claim found the other side's parked flag
  };
  enum class claim_result { failed, claimed, flagged };
  [[gnu::always_inline]] claim_result claim_push_inline(claimed& c) noexcept {
    return claim_body<true>(tail_, producer_side, c);
  }
  [[gnu::always_inline]] claim_result claim_pop_inline(claimed& c) noexcept {
    return claim_body<true>(head_, consumer_side, c);
  }

  // Ticket claims (see Tickets above): take the next position whatever its
  // slot shows. Returns its slot, with `pos` set, or nullptr when the ring
  // is closed (producers; the position taken is then void). The caller must
  // wait until turn_word(pos) reads push_turn(pos) / pop_turn(pos) before
  // touching the slot, and must then fill (empty) it and publish.
  slot_type* ticket_push(std::uint64_t& pos) noexcept { return take_ticket(tail_, pos); }
  slot_type* ticket_pop(std::uint64_t& pos) noexcept { return take_ticket(head_, pos); }

  std::atomic<std::uint32_t>& turn_word(std::uint64_t pos) noexcept { return slot_at(pos).turn; }
  std::uint32_t push_turn(std::uint64_t pos) const noexcept { return turn_of(pos) + producer_side; }
  std::uint32_t pop_turn(std::uint64_t pos) const noexcept { return turn_of(pos) + consumer_side; }

  // Whether a consumer holding position `pos` should give up: the ring is
  // closed and no producer claimed `pos` before the close.
  bool abandoned(std::uint64_t pos) const noexcept {
    // acquire: pairs with the release store of closing_ in close(), which
    // follows the store of final_tail_.
    if (!closing_.load(std::memory_order_acquire)) return false;
    // relaxed: ordered by the acquire above.
    return pos >= final_tail_.load(std::memory_order_relaxed);
  }

  // Batch claims: up to `max` consecutive positions with one compare-exchange
  // of the counter. Returns how many were claimed (0 when claim_push or
  // claim_pop would have returned nullptr), the first in `pos`. The caller
  // then passes the run to fill_n or empty_n.
  std::size_t claim_push_n(std::size_t max, std::uint64_t& pos, bool& parked) noexcept {
    return claim_n(tail_, producer_side, max, pos, parked);
  }
  std::size_t claim_pop_n(std::size_t max, std::uint64_t& pos, bool& parked) noexcept {
    return claim_n(head_, consumer_side, max, pos, parked);
  }

  // Calls `fill(slot)` (construct the element; must not throw) for each
  // slot of a run claimed by claim_push_n, in order, publishing each slot as
  // soon as it is filled so that consumers can start on the first while the
  // rest are written. empty_n is the same for a run claimed by claim_pop_n,
  // with `empty(slot)` moving the element out and destroying it. Both take
  // the function object by value and return it, so that state it carries
  // (an iterator) stays in registers instead of being written back to the
  // caller's memory before every release store.
  template <class Fill>
  Fill fill_n(std::uint64_t pos, std::size_t n, Fill fill) noexcept {
    return publish_n(pos, n, producer_side, std::move(fill));
  }
  template <class Empty>
  Empty empty_n(std::uint64_t pos, std::size_t n, Empty empty) noexcept {
    return publish_n(pos, n, consumer_side, std::move(empty));
  }

  void publish_push(slot_type& s, std::uint64_t pos) noexcept { publish(s, producer_side, pos); }
  void publish_pop(slot_type& s, std::uint64_t pos) noexcept { publish(s, consumer_side, pos); }
  // publish_push / publish_pop for a claim_*_inline claim.
  [[gnu::always_inline]] static void publish_claimed(const claimed& c) noexcept {
    // (2) release, as in publish().
    c.slot->turn.store(c.done_turn, std::memory_order_release);
  }

  // Stops producers from claiming: sets the closed bit in tail_, so every
  // later claim_push fails and a claim racing with it either completed
  // before (its element will be delivered) or fails. Returns whether this
  // call was the one that closed the ring.
  bool close() noexcept {
    if constexpr (lone_producer) {
      // seq_cst: of two closers, exactly one finds the bit clear.
      const std::uint8_t was = gate_.fetch_or(shut, std::memory_order_seq_cst);
      if ((was & shut) != 0) return false;
      // The heavy half of the handshake with admitted() (Lone sides): after
      // it, either the producer will see the bit, or its latest store of
      // tail_ is visible here.
      if ((was & full_fences) != 0)
        backend::asymmetric_fence::full();
      else
        backend::asymmetric_fence::heavy();
      // relaxed (both): ordered by the fence pair above; published by the
      // release store of closing_ below.
      final_tail_.store(tail_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    } else {
      // seq_cst: one total order of closes and claims decides which pushes
      // got in; waking the parked threads afterwards is ordered by the epoch
      // release that follows in the caller.
      const std::uint64_t tail =
          tail_.fetch_or(flagged_bit | closed_bit, std::memory_order_seq_cst);
      if ((tail & closed_bit) != 0) return false;  // closed already, final tail kept
      // relaxed: published by the release store of closing_ below.
      final_tail_.store(tail & position_mask, std::memory_order_relaxed);
    }
    // release: pairs with the acquires in stopping() and abandoned(): who
    // sees the flag sees the final tail (and the bit in tail_).
    closing_.store(true, std::memory_order_release);
    return true;
  }

  // What a blocked call polls on every round to learn that it should stop:
  // for producers, closed(); for consumers, drained(). Reading tail_ there
  // would be a mistake: every push writes that line, so a consumer polling
  // it would pull the line away from the producer it is waiting for, and
  // each push would pay for fetching it back. The flag lives on the ring's
  // read-mostly line and is written once, by close(), after the bit; a
  // poll that misses it by a moment is answered by the wake-up that close()
  // sends after setting it.
  bool stopping(bool consumer) const noexcept {
    // acquire: pairs with the release store in close().
    if (!closing_.load(std::memory_order_acquire)) return false;
    return consumer ? drained() : true;
  }

  bool closed() const noexcept {
    // acquire: pairs with the fetch_or of the gate in close().
    if constexpr (lone_producer) return (gate_.load(std::memory_order_acquire) & shut) != 0;
    // acquire: pairs with the fetch_or in close(); only the bit is used.
    return (tail_.load(std::memory_order_acquire) & closed_bit) != 0;
  }

  // Closed, and consumers have claimed every position producers claimed
  // before the close: no element is queued, and none ever will be. (A
  // producer that claimed before the close is still counted, so its element
  // is waited for.) head_ may pass the final tail: consumer tickets taken in
  // vain.
  bool drained() const noexcept {
    // acquire: pairs with the release store in close(), after final_tail_.
    if (!closing_.load(std::memory_order_acquire)) return false;
    // relaxed (both): final_tail_ is ordered by the acquire above; head_ is
    // only compared.
    return (head_.load(std::memory_order_relaxed) & position_mask) >=
           final_tail_.load(std::memory_order_relaxed);
  }

  // The parked flags (see Parked flags, and parked_flags.hpp for the
  // protocol). raise_parked(consumers) sets the flag of consumers' (or
  // producers') sleepers and returns the counter it is in as it was: the
  // mark. lower_parked clears it again, leaving a closed ring closed.
  // may_sleep says whether a thread that raised the flag at `mark` and then
  // failed to claim may sleep: whether every claim of the other side that
  // could make room for it (or fill its element) came after the raise.
  std::uint64_t raise_parked(bool consumers) noexcept {
    // seq_cst: one order with the claims of this counter, the other
    // raises and lowers, and the sleeper counts (parked_flags.hpp); its
    // release pairs with the waker's acquire fence.
    if (consumers) return tail_.fetch_or(flagged_bit | parked_bit, std::memory_order_seq_cst);
    return head_.fetch_or(flagged_bit, std::memory_order_seq_cst);
  }
  void lower_parked(bool consumers) noexcept {
    if (!consumers) {
      // seq_cst: as in raise_parked().
      head_.fetch_and(~flagged_bit, std::memory_order_seq_cst);
      return;
    }
    // relaxed: a guess, checked by the exchange.
    std::uint64_t now = tail_.load(std::memory_order_relaxed);
    for (;;) {
      // The top bit stays while the ring is closed.
      const std::uint64_t lowered =
          (now & closed_bit) != 0 ? now & ~parked_bit : now & ~(parked_bit | flagged_bit);
      // seq_cst: as in raise_parked(); relaxed on failure: retried.
      if (tail_.compare_exchange_weak(now, lowered, std::memory_order_seq_cst,
                                      std::memory_order_relaxed))
        return;
    }
  }
  bool may_sleep(bool consumers, std::uint64_t mark) const noexcept {
    const std::uint64_t before = mark & position_mask;  // claimed before the raise
    // relaxed (both): only compared; a stale reading is smaller and only
    // keeps the thread awake a round longer.
    if (consumers) return (head_.load(std::memory_order_relaxed) & position_mask) >= before;
    // A producer's next position needs the consumer one lap behind it.
    return (tail_.load(std::memory_order_relaxed) & position_mask) >= before + capacity();
  }

  const storage_type& storage() const noexcept { return storage_; }

 private:
  // The hot fields are copied out of the storage into the first line, so a
  // claim reads them without touching the storage object.
  void bind_storage() noexcept {
    // A lone producer's handshake with close() wants membarrier(); without
    // it both halves are full fences (Lone sides).
    if constexpr (lone_producer)
      // relaxed: the ring is not yet shared.
      gate_.store(backend::asymmetric_fence::prepare() ? 0 : full_fences,
                  std::memory_order_relaxed);
    slots_ = storage_.data();
    mask_ = storage_.size() - 1;
    // padding::interleaved: k = slots per line, and k lines to a block; a
    // ring of fewer than k*k slots uses the largest square block it holds.
    if constexpr (interleave)
      spread_ = std::min(full_spread, static_cast<unsigned>(std::countr_zero(storage_.size())) / 2);
    // Position p's slot starts at the turn of its producer, 2*p.
    const layout ring = shape();
    for (std::uint64_t p = 0; p <= mask_; ++p)
      // relaxed: the ring is not yet shared; publishing the queue to other
      // threads orders these stores before their first access.
      ring.at(p).turn.store(turn_of(p), std::memory_order_relaxed);
  }

  static std::size_t slot_count(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpmc::queue: capacity must be at least 1");
    if (capacity > max_capacity) throw std::length_error("mpmc::queue: capacity is too large");
    return std::bit_ceil(capacity);
  }

  // The flags above the positions (see Parked flags).
  static constexpr std::uint64_t flagged_bit = std::uint64_t{1} << 63;
  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 62;
  static constexpr std::uint64_t parked_bit = std::uint64_t{1} << 61;
  static constexpr std::uint64_t position_mask = parked_bit - 1;

  // A side's turn for position p is 2*p + side: producers take the even
  // turns, consumers the odd ones.
  static constexpr std::uint32_t producer_side = 0;
  static constexpr std::uint32_t consumer_side = 1;

  // Claims the next position from `counter` (tail_ for producers, head_ for
  // consumers) once its slot shows `side`'s turn. Out of line, always: the
  // blocking calls retry it in their wait loops, and inlined there the
  // threaded runs fall into lock-step (see claim_push_inline). One function
  // per side, so that each has its side's constants folded in: with `side`
  // a run-time argument gcc had split the loop by side by itself, until the
  // parked-flag test made the body too big for that, and the merged loop
  // cost 4x4 and 8x8 a fifth to a third of their throughput
  // (docs/benchmarks.md, "Parked flags").
  template <std::uint32_t Side>
  [[gnu::noinline]] slot_type* claim(std::atomic<std::uint64_t>& counter, std::uint64_t& pos,
                                     bool& parked) noexcept {
    claimed c;
    if (claim_body<false>(counter, Side, c, pos) != claim_result::claimed) return nullptr;
    parked = c.parked;
    if (parked) see_sleepers(counter);
    return c.slot;
  }

  // After a claim (relaxed) that found a parked flag: makes what the
  // flag's raiser did before raising it, counting itself among the lot's
  // sleepers, visible to the caller's wake. acquire: pairs with the release
  // of raise_parked(); every later write of the counter is a
  // read-modify-write, so its release sequence reaches this load. (A load
  // rather than an acquire fence, which ThreadSanitizer cannot follow.)
  static void see_sleepers(const std::atomic<std::uint64_t>& counter) noexcept {
    (void)counter.load(std::memory_order_acquire);
  }

  // The claim itself: `claimed` with `c` set, or `failed` (full, empty, or
  // closed); or, with StopAtFlag, `flagged` when the counter's top bit is set
  // (see claim_push_inline). `out`, none or one position, receives the
  // claimed position for callers that publish by position (the inline try_
  // calls publish by c.done_turn and need none, which spares them a store).
  template <bool StopAtFlag, class... Pos>
  [[gnu::always_inline]] claim_result claim_body(std::atomic<std::uint64_t>& counter,
                                                 std::uint32_t side, claimed& c,
                                                 Pos&... out) noexcept {
    static_assert(sizeof...(Pos) <= 1);
    if (alone(side))
      return claim_alone(counter, side, c, out...) ? claim_result::claimed : claim_result::failed;
    // relaxed: only a guess at the next position; the turn check and the
    // compare-exchange below reject a stale one.
    std::uint64_t pos = counter.load(std::memory_order_relaxed);
    for (;;) {
      // The top bit (Parked flags): a closed ring takes no more pushes; a
      // parked flag rides along to the caller. Consumers test it only where
      // head_ can carry it.
      const bool flagged = (side == producer_side || head_flagged) && (pos & flagged_bit) != 0;
      if (flagged) [[unlikely]] {
        if (StopAtFlag) return claim_result::flagged;
        if (side == producer_side && (pos & closed_bit) != 0) return claim_result::failed;
      }
      const layout ring = shape();
      slot_type& s = ring.at(pos);
      // (1) acquire: pairs with release (2) in publish, by the slot's previous
      // owner: a producer sees the last lap's consumer done with the bytes, a
      // consumer sees the element fully constructed.
      const std::uint32_t turn = s.turn.load(std::memory_order_acquire);
      const std::uint32_t expected = turn_of(pos) + side;
      const auto behind = static_cast<std::int32_t>(turn - expected);
      if (behind == 0) [[likely]] {
        // Computed before the exchange, a compiler barrier that would have
        // the geometry reloaded from memory after it.
        const std::uint32_t done = ring.done_of(pos, side);
        // (3) relaxed: the exchange only hands out the position; the slot's
        // contents were ordered by (1) and are handed on by (2).
        if (counter.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                          std::memory_order_relaxed)) [[likely]] {
          c = {&s, done, flagged};
          ((out = pos & position_mask), ...);
          return claim_result::claimed;
        }
        // Lost the race; pos now holds the current counter.
      } else if (behind < 0) {
        // The slot's previous owner has not finished: full (producer) or
        // empty (consumer), if pos is still current, which proves the turn
        // read above was of this lap and not a wrapped one.
        // relaxed: compared with pos only; nothing is read through it.
        const std::uint64_t now = counter.load(std::memory_order_relaxed);
        if (now == pos) return claim_result::failed;
        pos = now;
      } else {
        // Another thread of this side claimed pos already.
        // relaxed: as the first load.
        pos = counter.load(std::memory_order_relaxed);
      }
    }
  }

  // Whether `side` has at most one thread at a time (Lone sides).
  static constexpr bool alone(std::uint32_t side) noexcept {
    return side == producer_side ? lone_producer : lone_consumer;
  }

  // claim_body() for a lone side: its counter has no other writer, so the
  // position read is current, and the claim is a plain store.
  template <class... Pos>
  [[gnu::always_inline]] bool claim_alone(std::atomic<std::uint64_t>& counter, std::uint32_t side,
                                          claimed& c, Pos&... out) noexcept {
    // relaxed: this thread wrote the counter last (or a hand-over that
    // synchronized ordered the last writer's store before this load).
    const std::uint64_t pos = counter.load(std::memory_order_relaxed);
    const layout ring = shape();
    slot_type& s = ring.at(pos);
    // (1) acquire, as in claim_body(). A turn short of ours is full
    // (producer) or empty (consumer); none can be ahead, as no other thread
    // of this side moves the slot on.
    if (s.turn.load(std::memory_order_acquire) != turn_of(pos) + side) return false;
    const std::uint32_t done = ring.done_of(pos, side);
    // (5) relaxed: the slot is handed over by (1) and (2), not by the
    // counter; the other side reads it only in size() and in close(),
    // which the handshake in admitted() orders.
    counter.store(pos + 1, std::memory_order_relaxed);
    if (side == producer_side && !admitted(pos)) return false;
    c = {&s, done, false};  // a lone side's counter carries no flags
    ((out = pos), ...);
    return true;
  }

  // A lone producer's half of the handshake with close() (Lone sides), run
  // after it stored tail_ = pos + n: true if its claim of [pos, pos + n)
  // stands, false if it was turned away (tail_ is then pos again).
  [[gnu::always_inline]] bool admitted(std::uint64_t pos) noexcept {
    backend::asymmetric_fence::light();
    // relaxed: the fence pair, not this load, orders it against close().
    // One test for both rare cases keeps the push to one slow call.
    if (gate_.load(std::memory_order_relaxed) == 0) [[likely]]
      return true;
    return admitted_slowly(pos);
  }

  // The gate is not clear: the fence must be a full one (membarrier()
  // refused), or close() has begun. Keeps the claim unless close() turned
  // it away. Inline, though rarely run: it makes no call, so the push's
  // fast path saves no registers for one (a call here cost the inlined
  // try_push four pushes and pops on every call).
  [[gnu::always_inline]] bool admitted_slowly(std::uint64_t pos) noexcept {
    if ((gate_.load(std::memory_order_relaxed) & full_fences) != 0) {
      backend::asymmetric_fence::full();
      // relaxed: ordered against close() by the full fences on both sides.
      if ((gate_.load(std::memory_order_relaxed) & shut) == 0) return true;
    }
    // close() has begun: wait for the final tail it read, and keep the claim
    // only if that counted it.
    // acquire: pairs with the release store of closing_ in close(), which
    // follows the store of final_tail_.
    while (!closing_.load(std::memory_order_acquire)) backend::cpu_relax();
    // relaxed: ordered by the acquire above.
    if (pos < final_tail_.load(std::memory_order_relaxed)) return true;
    // relaxed: tail_ has no other writer, and close() is done reading it.
    tail_.store(pos, std::memory_order_relaxed);
    return false;
  }

  slot_type* take_ticket(std::atomic<std::uint64_t>& counter, std::uint64_t& pos) noexcept {
    // (4) relaxed: hands out the position only; the holder reads its slot's
    // turn with acquire (1) before touching the slot, as every claim does.
    const std::uint64_t got = counter.fetch_add(1, std::memory_order_relaxed);
    if ((got & closed_bit) != 0) return nullptr;  // closed: the position is void
    pos = got & position_mask;
    return &slot_at(pos);
  }

  // claim() for a run of positions. Slots are released out of order (the
  // consumer of p+1 may finish before the consumer of p), so the run is the
  // longest prefix of [pos, pos+max) whose slots all show this side's turn;
  // one compare-exchange pos -> pos+n then claims all of them. The exchange
  // succeeding proves the counter stayed at pos while we read the turns, so
  // no other thread of this side could have taken any of those slots, and
  // only a thread of this side moves a slot away from this side's turn.
  //
  // Out of line, as publish_n: called once per batch, and given registers of
  // its own its scan loop runs without spilling.
  [[gnu::noinline]] std::size_t claim_n(std::atomic<std::uint64_t>& counter, std::uint32_t side,
                                        std::size_t max, std::uint64_t& pos,
                                        bool& parked) noexcept {
    const layout ring = shape();
    max = std::min<std::size_t>(max, ring.mask + 1);
    parked = false;
    // relaxed: a guess, as in claim().
    pos = counter.load(std::memory_order_relaxed);
    for (;;) {
      // The top bit, as in claim_body().
      const bool flagged = (side == producer_side || head_flagged) && (pos & flagged_bit) != 0;
      if (flagged && side == producer_side && (pos & closed_bit) != 0) return 0;
      std::size_t n = 0;
      std::int32_t behind = 0;
      // The run is read lap by lap: within a lap the slots are contiguous,
      // and each expects the turn after its neighbour's (2 apart).
      while (n < max) {
        const std::uint64_t p = pos + n;
        slot_type* const first = &ring.at(p);
        const std::size_t in_lap = std::min<std::size_t>(max - n, ring.mask + 1 - (p & ring.mask));
        std::uint32_t expected = ring.turn_of(p) + side;  // slot i's: expected + 2*i
        std::size_t i = 0;
        if constexpr (!interleave) {
          // Four turns per test while they all match, the common case: one
          // branch per four slots instead of one per slot roughly halves
          // the scan (bulk64 in bench/compare). A group with a mismatch is
          // read again below, slot by slot, to find where the run ends.
          for (; in_lap - i >= 4; i += 4, expected += 8) {
            // (1) acquire (all four), as below.
            const std::uint32_t a = first[i].turn.load(std::memory_order_acquire) ^ expected;
            const std::uint32_t b =
                first[i + 1].turn.load(std::memory_order_acquire) ^ (expected + 2);
            const std::uint32_t c =
                first[i + 2].turn.load(std::memory_order_acquire) ^ (expected + 4);
            const std::uint32_t d =
                first[i + 3].turn.load(std::memory_order_acquire) ^ (expected + 6);
            if ((a | b | c | d) != 0) break;
          }
        }
        for (; i < in_lap; ++i, expected += 2) {
          slot_type& s = interleave ? ring.at(p + i) : first[i];
          // (1) acquire, as in claim(): pairs with (2) by each slot's
          // previous owner.
          const std::uint32_t turn = s.turn.load(std::memory_order_acquire);
          behind = static_cast<std::int32_t>(turn - expected);
          if (behind != 0) break;
        }
        n += i;
        if (i < in_lap) break;
      }
      if (alone(side)) {
        // A lone side's pos is current: the run is claimed, or there is none.
        if (n == 0) return 0;
        // (5) relaxed, as in claim_alone().
        counter.store(pos + n, std::memory_order_relaxed);
        if (side == producer_side && !admitted(pos)) return 0;
        return n;
      }
      if (n != 0) {
        // (3) relaxed, as in claim(): (1) ordered the contents, (2) hands
        // them on.
        if (counter.compare_exchange_weak(pos, pos + n, std::memory_order_relaxed,
                                          std::memory_order_relaxed)) {
          parked = flagged;
          if (parked) see_sleepers(counter);
          pos &= position_mask;
          return n;
        }
      } else if (behind < 0) {
        // relaxed: as in claim(), proves pos current before reporting.
        const std::uint64_t now = counter.load(std::memory_order_relaxed);
        if (now == pos) return 0;
        pos = now;
      } else {
        // relaxed: as the first load.
        pos = counter.load(std::memory_order_relaxed);
      }
    }
  }

  void publish(slot_type& s, std::uint32_t side, std::uint64_t pos) noexcept {
    // (2) release: pairs with acquire (1) in claim by the slot's next owner:
    // the element is fully constructed (after a push) or moved out and
    // destroyed (after a pop) before the next owner touches the bytes.
    s.turn.store(done_of(pos, side), std::memory_order_release);
  }

  template <class Each>
  [[gnu::noinline]] Each publish_n(std::uint64_t pos, std::size_t n, std::uint32_t side,
                                   Each each) noexcept {
    const layout ring = shape();
    while (n != 0) {  // lap by lap, as in claim_n
      slot_type* const first = &ring.at(pos);
      const std::size_t in_lap = std::min<std::size_t>(n, ring.mask + 1 - (pos & ring.mask));
      std::uint32_t next_turn = ring.done_of(pos, side);
      // Four slots per loop test: the loop is a load and two stores per
      // slot, so the counter, compare and branch were a third of its
      // instructions. That matters when the core's other hyper-thread is
      // busy (a shared host): bulk64 in bench/compare went 4.9 -> 3.4 ns per
      // item in such a phase and 2.8 -> 2.0 in a quiet one (bench/ab.sh, 9
      // interleaved runs each); unrolling by 8 gained nothing more.
#pragma GCC unroll 4
      for (std::size_t i = 0; i != in_lap; ++i) {
        slot_type& s = interleave ? ring.at(pos + i) : first[i];
        each(s);
        // (2) release, as in publish().
        s.turn.store(next_turn, std::memory_order_release);
        next_turn += 2;
      }
      pos += in_lap;
      n -= in_lap;
    }
    return each;
  }

  // The ring's geometry, for loops to copy into locals: every acquire load
  // is a compiler barrier to later loads, so a loop that read the members
  // directly would reload them from memory after each turn it reads.
  struct layout {
    slot_type* slots;
    std::uint64_t mask;
    unsigned spread;  // padding::interleaved: log2 of the slots per line used

    slot_type& at(std::uint64_t pos) const noexcept {
      auto index = static_cast<std::size_t>(pos & mask);
      if constexpr (interleave) {
        // Swap the lowest `spread` bits of the index with the next
        // `spread`: a transpose of each block of 2^spread lines. Rings big
        // enough for a whole block (all but the tiniest) take the branch
        // with constant shifts.
        if (spread == full_spread) [[likely]]
          index = transpose(index, full_spread);
        else
          index = transpose(index, spread);
      }
      return slots[index];
    }
    // The producer's turn for position pos: 2*pos. Truncation to 32 bits is
    // intended: turns are compared by signed difference, so they may wrap.
    static std::uint32_t turn_of(std::uint64_t pos) noexcept {
      return static_cast<std::uint32_t>(pos) << 1;
    }
    // The turn `side` leaves in the slot of pos when done with it: the
    // consumer's (2*pos + 1) after a push, the next lap's producer's
    // (2*(pos + capacity)) after a pop.
    std::uint32_t done_of(std::uint64_t pos, std::uint32_t side) const noexcept {
      return turn_of(pos) + (side == producer_side ? 1 : 2 * static_cast<std::uint32_t>(mask + 1));
    }
  };
  layout shape() const noexcept { return {slots_, mask_, spread_}; }

  // padding::interleaved: slots per line, as a power of two, and its log.
  static constexpr std::size_t slots_per_line =
      std::bit_floor(std::max<std::size_t>(1, backend::cache_line_size / sizeof(slot_type)));
  static constexpr unsigned full_spread = static_cast<unsigned>(std::countr_zero(slots_per_line));

  static constexpr std::size_t transpose(std::size_t index, unsigned spread) noexcept {
    return interleave_index(index, spread);
  }

  static std::uint32_t turn_of(std::uint64_t pos) noexcept { return layout::turn_of(pos); }
  std::uint32_t done_of(std::uint64_t pos, std::uint32_t side) const noexcept {
    return shape().done_of(pos, side);
  }
  slot_type& slot_at(std::uint64_t pos) const noexcept { return shape().at(pos); }

  // Read-only after construction (but for one store by close()); shares no
  // line with the counters.
  slot_type* slots_ = nullptr;
  std::uint64_t mask_ = 0;
  unsigned spread_ = 0;
  std::atomic<bool> closing_{false};          // see stopping()
  std::atomic<std::uint64_t> final_tail_{0};  // tail_ at close(); see abandoned()
  // A lone producer's gate (Lone sides): zero while pushes may go ahead.
  static constexpr std::uint8_t shut = 1;         // close() has begun
  static constexpr std::uint8_t full_fences = 2;  // membarrier() refused: fence both halves
  std::atomic<std::uint8_t> gate_{0};

  // Each counter on its own line (two lines on x86, against adjacent-line
  // prefetch): producers hammer one, consumers the other.
  alignas(backend::false_sharing_range) std::atomic<std::uint64_t> tail_{0};
  alignas(backend::false_sharing_range) std::atomic<std::uint64_t> head_{0};
  // Fixed-capacity slots live here, inside the object; the alignment keeps
  // the first of them off head_'s line.
  alignas(backend::false_sharing_range) storage_type storage_;
};

}  // namespace mpmc::detail
