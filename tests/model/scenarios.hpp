// Small runs of the model queue (model_queue.hpp) and what each must satisfy, shared by the tests
// that pass and the negative tests that must fail. An element is `producer * 100 + k` for the k-th
// (from 1) push of that producer. After a run, the test's thread drains what is left with try_pop,
// and the check compares everything popped with everything pushed successfully: each element once,
// nothing else, and each consumer sees each producer's elements in push order.
#pragma once

#include <mpmc/ranges.hpp>
#include "deterministic.hpp"
#include "model_queue.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpmc::model {

using value = std::uint32_t;

template <class Queue>
struct ledger {
  explicit ledger(std::size_t capacity) : q(capacity) {}
  Queue q;
  std::array<std::vector<value>, 4> pushed;  // per thread, pushes that succeeded
  std::array<std::vector<value>, 4> popped;  // per thread, in order
  std::vector<std::string> errors;           // noted by the threads themselves
  std::size_t discarded = 0;                 // destroyed by a discard (no receiver left)

  void push(std::size_t thread, value v) {
    if (q.push(v)) pushed[thread].push_back(v);
  }
  // Pops until the queue is closed and drained.
  void pop_all(std::size_t thread) {
    while (auto v = q.pop()) popped[thread].push_back(*v);
  }

  std::string check() {
    std::vector<value> left;
    while (auto v = q.try_pop()) left.push_back(*v);
    std::vector<value> in, out(left);
    for (const auto& p : pushed) in.insert(in.end(), p.begin(), p.end());
    for (const auto& p : popped) {
      out.insert(out.end(), p.begin(), p.end());
      for (std::size_t i = 0; i != p.size(); ++i)
        for (std::size_t j = i + 1; j != p.size(); ++j)
          if (p[i] / 100 == p[j] / 100 && p[i] > p[j])
            return "a consumer popped " + std::to_string(p[i]) + " before " + std::to_string(p[j]);
    }
    std::sort(in.begin(), in.end());
    std::sort(out.begin(), out.end());
    // A discard destroys elements unseen: what was popped must still have been pushed, once.
    if (discarded != 0 && std::includes(in.begin(), in.end(), out.begin(), out.end()) &&
        in.size() == out.size() + discarded)
      return errors.empty() ? std::string() : errors.front();
    if (in != out) {
      std::string s = "pushed {";
      for (value v : in) s += ' ' + std::to_string(v);
      s += " } but popped {";
      for (value v : out) s += ' ' + std::to_string(v);
      return s + " }";
    }
    return errors.empty() ? std::string() : errors.front();
  }
};

template <class Queue>
scenario make(std::shared_ptr<ledger<Queue>> l, std::vector<std::function<void()>> threads,
              std::function<std::string()> label = {}) {
  return {std::move(threads), [l] { return l->check(); }, std::move(label)};
}

// How many pushes succeeded and how many elements threads popped (the prefilled one included), as
// a label.
template <class Queue>
std::function<std::string()> counts(const std::shared_ptr<ledger<Queue>>& l) {
  return [l] {
    std::size_t in = 0, out = 0;
    for (const auto& p : l->pushed) in += p.size();
    for (const auto& p : l->popped) out += p.size();
    return std::to_string(in) + " pushed, " + std::to_string(out) + " popped";
  };
}

// --- waiter records: how an asynchronous layer waits (event_count.hpp) ----------------------

// A record that, run in the notifier's thread, marks itself fired and wakes its owner: the owner
// stands in for the executor an asynchronous layer posts its operation to. Fired before the wake,
// as a futex word is, so the owner cannot sleep through it.
struct record : mpmc::detail::waiter {
  model_atomic<std::uint32_t> fired{0};
  record() noexcept {
    on_notify = [](mpmc::detail::waiter& w) noexcept {
      auto& r = static_cast<record&>(w);
      r.fired.store(1);
      model_backend().wake(r.fired, 1);
    };
  }
  void await() noexcept {
    while (fired.load() == 0) model_backend().wait(fired, 0);
  }
};

// An operation of side S as an asynchronous layer makes it: try; else add the record, re-check
// (the try again, or the side's stop condition), and once the record has run, try again. A
// re-check that succeeds after the record already ran has used up a notification meant for
// someone else, and passes it on.
template <mpmc::detail::side S, class Queue, class Try>
auto record_op(Queue& q, record& r, Try attempt) -> decltype(attempt()) {
  for (;;) {
    if (auto done = attempt()) return done;
    if (q.template stopping<S>()) return {};
    r.fired.store(0);
    q.template add<S>(r);
    auto done = attempt();
    if (done || q.template stopping<S>()) {
      if (!q.template remove<S>(r)) q.template pass_on<S>();
      return done;
    }
    r.await();
  }
}

// A consumer waiting by record and a blocked thread consumer, one producer pushing `count` and
// closing: each element once, and both consumers end.
template <class Queue>
scenario record_and_thread_consumers(std::size_t capacity, value count) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  auto r = std::make_shared<record>();
  return make(
      l,
      {[l, r] {
         using mpmc::detail::side;
         while (auto v = record_op<side::consumers>(l->q, *r, [l] { return l->q.try_pop(); }))
           l->popped[0].push_back(*v);
       },
       [l] { l->pop_all(1); },
       [l, count] {
         for (value k = 1; k <= count; ++k) l->push(2, 200 + k);
         l->q.close();
       }},
      counts(l));
}

// A producer waiting by record and a blocked thread producer on a queue of one; a thread pops all.
template <class Queue>
scenario record_and_thread_producers(value each) {
  auto l = std::make_shared<ledger<Queue>>(1);
  auto r = std::make_shared<record>();
  return make(l, {[l, r, each] {
                    using mpmc::detail::side;
                    for (value k = 1; k <= each; ++k) {
                      const value v = 100 + k;
                      if (record_op<side::producers>(l->q, *r, [l, v] { return l->q.try_push(v); }))
                        l->pushed[0].push_back(v);
                    }
                  },
                  [l, each] {
                    for (value k = 1; k <= each; ++k) l->push(1, 200 + k);
                  },
                  [l, each] {
                    for (value k = 0; k != 2 * each; ++k)
                      if (auto v = l->q.pop()) l->popped[2].push_back(*v);
                  }});
}

// A record added and then cancelled (as a cancelled asynchronous pop is), racing a push that a
// thread blocked in pop() waits for. A cancel that finds its record already run took the push's
// one notification, and must pass it on (`pass_on`) or the thread sleeps beside the element.
template <class Queue>
scenario cancelled_record(bool pass_on) {
  auto l = std::make_shared<ledger<Queue>>(2);
  auto r = std::make_shared<record>();
  return make(l, {[l, r, pass_on] {
                    using mpmc::detail::side;
                    l->q.template add<side::consumers>(*r);
                    if (!l->q.template remove<side::consumers>(*r) && pass_on)
                      l->q.template pass_on<side::consumers>();
                  },
                  [l] {
                    if (auto v = l->q.pop()) l->popped[1].push_back(*v);
                  },
                  [l] { l->push(2, 201); }});
}

// --- batches and discard ----------------------------------------------------------------------

// Two producers push runs of 3 and 2 as batches, one waiting for room (push_range), the other
// retrying (try_push_range); a consumer takes batches of up to 2 (try_pop_n), or blocks for one.
template <class Queue>
scenario batches(std::size_t capacity) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  return make(l, {[l] {
                    const value run[] = {101, 102, 103};
                    const std::size_t n = l->q.push_n(run, 3, true);
                    l->pushed[0].insert(l->pushed[0].end(), run, run + n);
                  },
                  [l] {
                    const value run[] = {201, 202};
                    for (std::size_t done = 0; done != 2;) {
                      const std::size_t n = l->q.push_n(run + done, 2 - done, false);
                      l->pushed[1].insert(l->pushed[1].end(), run + done, run + done + n);
                      done += n;
                      if (n == 0) mpmc::model::detail::yield_hint();
                    }
                  },
                  [l] {
                    value got[2];
                    while (l->popped[2].size() < 5) {
                      if (const std::size_t n = l->q.try_pop_n(got, 2); n != 0)
                        l->popped[2].insert(l->popped[2].end(), got, got + n);
                      else if (auto v = l->q.pop())
                        l->popped[2].push_back(*v);
                    }
                  }});
}

// A channel's last receiver pops one element and goes (discard) while producers are blocked on a
// queue of one: every push ends, and each pushed element is popped or destroyed by the discard.
template <class Queue>
scenario discard_racing_pushes() {
  auto l = std::make_shared<ledger<Queue>>(1);
  return make(l,
              {[l] {
                 l->push(0, 101);
                 l->push(0, 102);
               },
               [l] { l->push(1, 201); },
               [l] {
                 if (auto v = l->q.pop()) l->popped[2].push_back(*v);
                 l->discarded = l->q.discard();
               }},
              counts(l));
}

// Two producers push `each` elements; one consumer pops them all.
template <class Queue>
scenario two_producers(std::size_t capacity, value each) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  auto producer = [l, each](std::size_t t) {
    return [l, each, t] {
      for (value k = 1; k <= each; ++k) l->push(t, static_cast<value>(t * 100 + k));
    };
  };
  return make(l, {producer(0), producer(1), [l, each] {
                    for (value k = 0; k != 2 * each; ++k)
                      if (auto v = l->q.pop())
                        l->popped[2].push_back(*v);
                      else
                        l->errors.push_back("pop returned nothing from an open queue");
                  }});
}

// One producer pushes `count` elements and closes; two consumers pop until closed and drained.
template <class Queue>
scenario two_consumers(std::size_t capacity, value count) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  return make(l, {[l, count] {
                    for (value k = 1; k <= count; ++k) l->push(0, k);
                    l->q.close();
                  },
                  [l] { l->pop_all(1); }, [l] { l->pop_all(2); }});
}

// A consumer blocked on an empty queue, a producer pushing one element and a close, all racing.
template <class Queue>
scenario close_racing_pop(std::size_t capacity) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  return make(l, {[l] { l->pop_all(0); }, [l] { l->push(1, 101); }, [l] { l->q.close(); }},
              counts(l));
}

// Two consumers blocked on an empty queue, a push and a close, racing: when the push claims its
// slot before the close and publishes after it, its publish wakes one consumer, and the other
// must still learn that the queue drained.
template <class Queue>
scenario close_racing_push_in_flight(std::size_t capacity) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  return make(l,
              {[l] { l->pop_all(0); }, [l] { l->pop_all(1); }, [l] { l->push(2, 101); },
               [l] { l->q.close(); }},
              counts(l));
}

// A producer blocked on a full queue (capacity 1, two pushes), a close and a consumer popping
// until drained, all racing. A push that returns true must be delivered; with tickets a push
// blocked before the close keeps its position (docs/design.md, Claiming).
template <class Queue>
scenario close_racing_push() {
  auto l = std::make_shared<ledger<Queue>>(1);
  return make(l,
              {[l] {
                 l->push(0, 1);
                 l->push(0, 2);
               },
               [l] { l->q.close(); }, [l] { l->pop_all(2); }},
              counts(l));
}

// A pop with a deadline `ticks` ahead racing a push: either it gets the element or it times out
// and the element stays queued. Once it has given up, it has claimed nothing.
template <class Queue>
scenario timed_pop_racing_push(std::size_t capacity, std::int64_t ticks) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  return make(l,
              {[l, ticks] {
                 const auto deadline = model_clock::now() + model_clock::duration(ticks);
                 if (auto v = l->q.pop_until(deadline))
                   l->popped[0].push_back(*v);
                 else if (model_clock::now() < deadline)
                   l->errors.push_back("a timed pop gave up before its deadline");
               },
               [l] { l->push(1, 101); }},
              counts(l));
}

// A push with a deadline on a full queue (capacity 1, holding 1) racing a pop.
template <class Queue>
scenario timed_push_racing_pop(std::int64_t ticks) {
  auto l = std::make_shared<ledger<Queue>>(1);
  l->push(2, 1);  // on the test's thread, before the run: recorded as thread 2's
  return make(l,
              {[l, ticks] {
                 const auto deadline = model_clock::now() + model_clock::duration(ticks);
                 if (l->q.push_until(value{101}, deadline))
                   l->pushed[0].push_back(101);
                 else if (model_clock::now() < deadline)
                   l->errors.push_back("a timed push gave up before its deadline");
               },
               [l] {
                 if (auto v = l->q.pop()) l->popped[1].push_back(*v);
               }},
              counts(l));
}

// Two threads each try_push one element, then try_pop: the pushes find room, and a try_pop after
// one's own try_push finds an element (a partner in flight is waited for, not reported empty).
template <class Queue>
scenario strong_try(std::size_t capacity) {
  auto l = std::make_shared<ledger<Queue>>(capacity);
  auto body = [l](std::size_t t) {
    return [l, t] {
      const auto v = static_cast<value>(t * 100 + 1);
      if (!l->q.try_push(v)) return l->errors.push_back("try_push found a queue with room full");
      l->pushed[t].push_back(v);
      if (auto got = l->q.try_pop())
        l->popped[t].push_back(*got);
      else
        l->errors.push_back("try_pop after its own try_push found the queue empty");
    };
  };
  return make(l, {body(0), body(1)});
}

}  // namespace mpmc::model
