// Small runs of the model queue (model_queue.hpp) and what each must satisfy, shared by the tests
// that pass and the negative tests that must fail. An element is `producer * 100 + k` for the k-th
// (from 1) push of that producer. After a run, the test's thread drains what is left with try_pop,
// and the check compares everything popped with everything pushed successfully: each element once,
// nothing else, and each consumer sees each producer's elements in push order.
#pragma once

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
