// The queue as basic_queue composes it, over the model atomic. basic_queue names its ring and its
// waiting with the default std::atomic, so this repeats its composition of the library's own
// sequence_ring and waiting (each function cites the basic_queue function it mirrors); every
// atomic access and every wait is the library's code. `Flaw` plants a bug for the negative tests.
#pragma once

#include "deterministic.hpp"

#include <mpmc/config.hpp>
#include <mpmc/detail/sequence_ring.hpp>
#include <mpmc/detail/waiting.hpp>
#include <mpmc/ranges.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

namespace mpmc::model {

// The policies under the model: its backoff (which tells the scheduler a thread spins) and, for
// parking, its backend. A spin budget of 1 and no yields reach the sleep after one retry, so
// short runs cover it.
using park = wait::park<model_backend, 1, 0>;
using park_at_once = wait::park<model_backend, 0, 0>;
using yield = wait::basic_yield<1>;
using spin = wait::spin;

template <class Wait, class Claim = claim::compare_exchange, class Producers = producers::many,
          class Consumers = consumers::many>
using model_config =
    config<capacity::dynamic, padding::none, model_backoff, Wait, Claim, Producers, Consumers>;

enum class flaw {
  none,
  notify_dropped,         // a push publishes and wakes nobody
  check_before_announce,  // a sleeper re-checks before prepare_wait, not after
  hand_on_before_read,    // a pop hands its slot on (and notifies) before it reads the element
  drain_unannounced,      // the pop that drains a closed queue wakes no other consumer
};

template <class T, class Config, flaw Flaw = flaw::none>
class model_queue {
  using ring_type = mpmc::detail::sequence_ring<T, Config, model_atomic>;
  using claimed = typename ring_type::claimed;
  using side = mpmc::detail::side;
  static constexpr side producers = side::producers;
  static constexpr side consumers = side::consumers;
  using no_deadline = mpmc::detail::no_deadline;

 public:
  explicit model_queue(std::size_t capacity) : ring_(capacity, std::allocator<std::byte>()) {}

  // basic_queue::try_emplace (the nothrow path).
  bool try_push(T value) noexcept {
    claimed c;
    if (ring_.template claim<producers>(c, 1, false) == 0) {
      if (ring_.template claim<producers>(c) == 0) return false;  // after_partner
    }
    commit_push(c, value);
    return true;
  }
  // basic_queue::try_pop().
  std::optional<T> try_pop() noexcept {
    claimed c;
    if (ring_.template claim<consumers>(c, 1, false) == 0) {
      if (ring_.template claim<consumers>(c) == 0) return std::nullopt;  // after_partner
    }
    return take(c);
  }

  // basic_queue::push / emplace_until(no_deadline) and pop / pop_until(no_deadline).
  bool push(T value) noexcept { return push_until(value, no_deadline{}); }
  std::optional<T> pop() noexcept { return pop_until(no_deadline{}); }

  // basic_queue::emplace_until and pop_until; a timed call passes a model_clock time point.
  template <class Deadline>
  bool push_until(T value, const Deadline& deadline) noexcept {
    claimed c;
    if (!claim_or_wait<producers>(c, deadline)) return false;
    commit_push(c, value);
    return true;
  }
  template <class Deadline>
  std::optional<T> pop_until(const Deadline& deadline) noexcept {
    claimed c;
    if (!claim_or_wait<consumers>(c, deadline)) return std::nullopt;
    return take(c);
  }

  // basic_queue::push_from (a nothrow range, `first` to `first + n`): try_push_range, or with
  // `wait` push_range. Returns how many were pushed.
  std::size_t push_n(const T* first, std::size_t n, bool wait) noexcept {
    std::size_t pushed = 0;
    while (pushed != n) {
      claimed c;
      auto attempt = [&] {
        return ring_.template claim<producers>(c, n - pushed, !wait && pushed == 0);
      };
      std::size_t k = attempt();
      if (k == 0 && wait)
        k = waiting_.template wait<producers>(
            attempt, [&] { return ring_.template stopping<producers>(); }, no_deadline{});
      if (k == 0) break;
      const T* it = first + pushed;
      ring_.template publish_n<producers>(c.pos, k, [&it](typename ring_type::slot_type& s) {
        std::construct_at(s.value(), *it++);
      });
      waiting_.template notify<producers>(static_cast<std::uint32_t>(k));
      pushed += k;
    }
    return pushed;
  }

  // basic_queue::try_pop_n (the batched path), into `out`.
  std::size_t try_pop_n(T* out, std::size_t n) noexcept {
    std::size_t popped = 0;
    claimed c;
    while (popped < n) {
      const std::size_t k = ring_.template claim<consumers>(c, n - popped, popped == 0);
      if (k == 0) break;
      T* to = out + popped;
      ring_.template publish_n<consumers>(c.pos, k, [&to](typename ring_type::slot_type& s) {
        *to++ = std::move(*s.value());
        std::destroy_at(s.value());
      });
      after_pop(static_cast<std::uint32_t>(k));
      popped += k;
    }
    return popped;
  }

  // basic_queue::discard (a channel's last receiver is gone); returns how many elements it
  // destroyed.
  std::size_t discard() noexcept {
    std::size_t destroyed = 0;
    ring_.begin_discard();
    close();
    ring_.discard([&] {
      ++destroyed;
      waiting_.template notify<consumers>(1);
    });
    return destroyed;
  }

  // What an asynchronous layer does with a waiter record on side S's event count
  // (event_count.hpp): add it, re-check, and take it back, passing on a notification it got but
  // does not use.
  template <side S>
  void add(mpmc::detail::waiter& w) noexcept {
    waiting_.template event<S>().add(w);
  }
  template <side S>
  bool remove(mpmc::detail::waiter& w) noexcept {
    return waiting_.template event<S>().remove(w);
  }
  template <side S>
  void pass_on() noexcept {
    waiting_.template event<S>().notify(1);
  }
  template <side S>
  bool stopping() const noexcept {
    return ring_.template stopping<S>();
  }

  // basic_queue::close and closed.
  void close() noexcept {
    if (!ring_.close()) return;
    waiting_.template notify_all<producers>();
    waiting_.template notify_all<consumers>();
  }
  bool closed() const noexcept { return ring_.closed(); }
  std::size_t size() const noexcept { return ring_.size(); }

 private:
  // basic_queue::claim_or_wait.
  template <side S, class Deadline>
  bool claim_or_wait(claimed& c, const Deadline& deadline) noexcept {
    using side_policy =
        std::conditional_t<S == producers, typename Config::producers, typename Config::consumers>;
    constexpr bool by_ticket =
        Config::claim::tickets && !side_policy::exclusive && std::same_as<Deadline, no_deadline>;
    if constexpr (by_ticket) {
      if (!ring_.template take_ticket<S>(c)) return false;
      const bool ready =
          ring_.template ready<S>(c) ||
          wait<S>([&] { return ring_.template ready<S>(c); },
                  [&] { return S == consumers && ring_.abandoned(c.pos); }, deadline);
      if (!ready) return false;
      if (S == consumers || !ring_.holds_discarded(c)) return true;
      waiting_.template notify<consumers>(1);
      return false;
    } else {
      auto attempt = [&] { return ring_.template claim<S>(c, 1, false) != 0; };
      return attempt() || wait<S>(
                              attempt, [&] { return ring_.template stopping<S>(); }, deadline);
    }
  }

  // waiting::wait, or for the check_before_announce flaw a sleep that tests its condition before
  // announcing itself: a publish in between is notified to nobody, and the sleeper sleeps on.
  template <side S, class Attempt, class Stop, class Deadline>
  bool wait(Attempt&& attempt, Stop&& stop, const Deadline& deadline) noexcept {
    if constexpr (Flaw == flaw::check_before_announce && waiting_type::parks) {
      auto& event = waiting_.template event<S>();
      for (;;) {
        if (attempt()) return true;
        if (stop() || mpmc::detail::expired(deadline)) return false;
        const auto key = event.prepare_wait();
        event.commit_wait(key, deadline);
      }
    } else {
      return waiting_.template wait<S>(attempt, stop, deadline);
    }
  }

  // basic_queue::commit_push.
  void commit_push(const claimed& c, T value) noexcept {
    std::construct_at(c.slot->value(), value);
    ring_type::publish(c);
    if constexpr (Flaw != flaw::notify_dropped) waiting_.template notify<producers>(1);
  }

  // basic_queue::take and release.
  std::optional<T> take(const claimed& c) noexcept {
    if constexpr (Flaw == flaw::hand_on_before_read) {
      // The model switches threads at atomic operations only: the notify's is the window in which
      // a producer refills the slot.
      ring_type::publish(c);
      after_pop();
      return std::optional<T>(std::in_place, *c.slot->value());
    } else {
      std::optional<T> out(std::in_place, std::move(*c.slot->value()));
      std::destroy_at(c.slot->value());
      ring_type::publish(c);
      after_pop();
      return out;
    }
  }

  // basic_queue::after_pop.
  void after_pop(std::uint32_t k = 1) noexcept {
    waiting_.template notify<consumers>(k);
    if constexpr (waiting_type::parks && Flaw != flaw::drain_unannounced)
      if (ring_.template stopping<consumers>()) waiting_.template notify_all<consumers>();
  }

  using waiting_type = mpmc::detail::waiting<Config, model_atomic>;
  ring_type ring_;
  [[no_unique_address]] waiting_type waiting_;
};

}  // namespace mpmc::model
