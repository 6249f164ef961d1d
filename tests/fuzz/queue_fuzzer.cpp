// libFuzzer target: decodes its input into a sequence of queue operations (non-blocking, blocking,
// timed, bulk, views, close, producer/consumer handles and channels), runs them on one thread
// against small queues, and compares every result with a plain model: a std::deque<int> and a
// closed flag per queue. One thread makes every call deterministic, so the model can say exactly
// what each call returns; blocking calls are issued only where they return at once, and timed
// calls wait at most a few microseconds where they must fail. The element counts its live objects,
// so a leak or a double destruction shows as a difference from the model's size.
//
// Input: byte 0 picks the queue type, byte 1 the capacity; then each operation is one byte
// followed by its arguments. Reads past the end yield 0, so every input decodes. How to run it
// longer: docs/design.md, "How we test concurrency".
#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>
#include <mpmc/views.hpp>

#include <range/v3/view/iota.hpp>
#include <range/v3/view/istream.hpp>
#include <range/v3/view/take.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

// Reads the input front to back; past the end every read yields 0.
class byte_reader {
 public:
  byte_reader(const std::uint8_t* data, std::size_t size) noexcept : data_(data), left_(size) {}
  bool empty() const noexcept { return left_ == 0; }
  std::uint8_t byte() noexcept {
    if (left_ == 0) return 0;
    --left_;
    return *data_++;
  }
  // A number in [0, n); n >= 1.
  std::size_t below(std::size_t n) noexcept { return byte() % n; }
  bool flag() noexcept { return (byte() & 1) != 0; }

 private:
  const std::uint8_t* data_;
  std::size_t left_;
};

// Thrown by counted's constructor from a risky argument that says so.
struct construction_failed {};

// An argument whose conversion to counted may throw. It sends the queue down the paths for
// constructors that are not noexcept: the element is built outside the ring, then moved in.
struct risky {
  int value;
  bool fails;
};

// The element under test: non-trivial, counts its live objects (constructions minus
// destructions), and marks a moved-from object so that a move can be told from a copy.
class counted {
 public:
  static constexpr int moved_from = -1;
  static inline long live = 0;

  explicit counted(int value) noexcept : value_(value) { ++live; }
  counted(int base, int offset) noexcept : value_(base + offset) { ++live; }
  explicit counted(const risky& r) : value_(r.value) {
    if (r.fails) throw construction_failed{};
    ++live;
  }
  counted(const counted& other) noexcept : value_(other.value_) { ++live; }
  counted(counted&& other) noexcept : value_(std::exchange(other.value_, moved_from)) { ++live; }
  counted& operator=(const counted&) noexcept = default;
  counted& operator=(counted&& other) noexcept {
    value_ = std::exchange(other.value_, moved_from);
    return *this;
  }
  ~counted() { --live; }

  int value() const noexcept { return value_; }

 private:
  int value_;
};

int value_of(const counted& c) noexcept { return c.value(); }
int value_of(int v) noexcept { return v; }

// Values the fuzzer never pushes: what an output slot holds before a pop writes it.
constexpr int unwritten = -2;

// What a queue must hold: its elements' values, oldest first.
struct model {
  std::deque<int> items;
  std::size_t capacity = 0;
  bool closed = false;

  std::size_t room() const noexcept { return closed ? 0 : capacity - items.size(); }
  bool empty() const noexcept { return items.empty(); }
};

// Handles of one kind the fuzzer keeps at most; enough for copies, assignments and drops to mix.
constexpr std::size_t max_handles = 6;

enum class op : std::uint8_t {
  try_push_copy,
  try_push_move,
  try_emplace,
  push,
  emplace,
  try_push_for,
  try_push_until,
  try_pop,
  try_pop_into,
  pop,
  try_pop_for,
  try_pop_until,
  try_push_range,
  push_range,
  try_pop_n,
  drain_view,
  consume_view,
  close,
  risky_emplace,
  risky_range,
  new_queue,
  producer_handle,
  consumer_handle,
  new_channel,
  sender_handle,
  receiver_handle,
  count
};

constexpr const char* op_names[] = {"try_push(const T&)",
                                    "try_push(T&&)",
                                    "try_emplace",
                                    "push",
                                    "emplace",
                                    "try_push_for",
                                    "try_push_until",
                                    "try_pop()",
                                    "try_pop(T&)",
                                    "pop",
                                    "try_pop_for",
                                    "try_pop_until",
                                    "try_push_range",
                                    "push_range",
                                    "try_pop_n",
                                    "views::drain",
                                    "views::consume",
                                    "close",
                                    "risky emplace",
                                    "risky range",
                                    "new queue",
                                    "producer",
                                    "consumer",
                                    "new channel",
                                    "sender",
                                    "receiver"};
static_assert(std::size(op_names) == static_cast<std::size_t>(op::count));

// Runs the operations an input encodes on a queue<T, Policies...> (and on channels of that type).
// Fixed is the capacity of a capacity::fixed<N> queue, 0 for a dynamic one.
template <std::size_t Fixed, class T, class... Policies>
class harness {
  using Q = mpmc::queue<T, Policies...>;
  static constexpr bool counts_lives = std::same_as<T, counted>;

 public:
  harness(const char* config, byte_reader& in) : config_(config), in_(in) { new_queue(); }

  void run() {
    while (!in_.empty()) {
      ++op_index_;
      const auto code = static_cast<op>(in_.below(static_cast<std::size_t>(op::count)));
      op_name_ = op_names[static_cast<std::size_t>(code)];
      side_ = "queue";
      step(code);
      check();
    }
  }

 private:
  // --- checking ------------------------------------------------------------

  [[noreturn]] void fail(const char* what, long expected, long got) const {
    std::fprintf(stderr,
                 "queue_fuzzer: %s, op %zu (%s through the %s): %s: expected %ld, got %ld\n",
                 config_, op_index_, op_name_, side_, what, expected, got);
    std::abort();
  }
  void expect(const char* what, long expected, long got) const {
    if (expected != got) fail(what, expected, got);
  }

  // A popped element, or its absence, against the model's oldest.
  void expect_popped(const char* what, model& m, const std::optional<T>& got) {
    expect(what, !m.empty(), got.has_value());
    if (got) expect_front(what, m, value_of(*got));
  }
  void expect_front(const char* what, model& m, int got) {
    if (m.empty()) fail(what, -1, got);  // an element the model does not hold
    expect(what, m.items.front(), got);
    m.items.pop_front();
  }

  template <class Side>
  void check_side(const char* name, const Side& side, const model& m) {
    side_ = name;
    expect("size()", static_cast<long>(m.items.size()), static_cast<long>(side.size()));
    expect("capacity()", static_cast<long>(m.capacity), static_cast<long>(side.capacity()));
    expect("empty()", m.empty(), side.empty());
    expect("full()", m.items.size() == m.capacity, side.full());
    expect("closed()", m.closed, side.closed());
  }

  // After every operation: each queue's observers, and the elements alive, which are exactly those
  // queued, since the fuzzer destroys what it pops and its arguments before this runs.
  void check() {
    check_side("queue", *queue_, queue_model_);
    if (!producers_.empty()) check_side("producer", producers_.front(), queue_model_);
    if (!consumers_.empty()) check_side("consumer", consumers_.back(), queue_model_);
    if (!senders_.empty()) check_side("sender", senders_.front(), channel_model_);
    if (!receivers_.empty()) check_side("receiver", receivers_.back(), channel_model_);
    side_ = "queues and channel";
    if constexpr (counts_lives)
      expect("live elements",
             static_cast<long>(queue_model_.items.size() +
                               (channel_open() ? channel_model_.items.size() : 0)),
             counted::live);
  }

  // --- choosing ------------------------------------------------------------

  static T make(int value) {
    if constexpr (counts_lives)
      return counted(value);
    else
      return value;
  }

  std::size_t pick_capacity() { return Fixed != 0 ? Fixed : 1 + in_.below(9); }

  template <class Handles>
  std::size_t pick(const Handles& handles) {
    return in_.below(handles.size());
  }

  // Runs `f(side, model)` on the queue itself, a producer, or a channel's sender, as the input
  // chooses; a kind of handle of which there is none falls back to the queue. These four are kept
  // out of line: inlined, every operation for every kind of side and timeout lands in step(), a
  // function so large that the optimizer takes most of the build over it.
  template <class F>
  [[gnu::noinline]] void on_push_side(F f) {
    switch (in_.below(3)) {
      case 1:
        side_ = "producer";
        if (!producers_.empty()) return f(producers_[pick(producers_)], queue_model_);
        break;
      case 2:
        side_ = "sender";
        if (!senders_.empty()) return f(senders_[pick(senders_)], channel_model_);
        break;
    }
    side_ = "queue";
    f(*queue_, queue_model_);
  }
  template <class F>
  [[gnu::noinline]] void on_pop_side(F f) {
    switch (in_.below(3)) {
      case 1:
        side_ = "consumer";
        if (!consumers_.empty()) return f(consumers_[pick(consumers_)], queue_model_);
        break;
      case 2:
        side_ = "receiver";
        if (!receivers_.empty()) return f(receivers_[pick(receivers_)], channel_model_);
        break;
    }
    side_ = "queue";
    f(*queue_, queue_model_);
  }

  // Calls `f` with a timeout of some type. `unbounded` says whether the call returns without
  // waiting; only then may the timeout be one that never expires (max(), or beyond the clock's
  // range), as the call would wait forever otherwise. Bounded timeouts are at most 50 µs.
  template <class F>
  [[gnu::noinline]] void with_timeout(bool unbounded, F f) {
    using namespace std::chrono;
    switch (in_.below(8)) {
      case 0:
        return f(nanoseconds(0));
      case 1:
        return f(microseconds(in_.below(51)));
      case 2:
        return f(duration<double, std::micro>(in_.below(51)));
      case 3:
        return f(milliseconds(-1 - static_cast<int>(in_.below(5))));  // already past
      case 4:
        return f(seconds::min());
      case 5:
        return unbounded ? f(nanoseconds::max()) : f(nanoseconds(in_.below(256) * 100));
      case 6:
        return unbounded ? f(hours::max()) : f(hours(0));
      default:
        return unbounded ? f(duration<double>(1e30)) : f(duration<double>(1e-5));
    }
  }

  // As with_timeout, for a deadline of some clock.
  template <class F>
  [[gnu::noinline]] void with_deadline(bool unbounded, F f) {
    using namespace std::chrono;
    switch (in_.below(8)) {
      case 0:
        return f(steady_clock::now() + microseconds(in_.below(51)));
      case 1:
        return f(system_clock::now() + microseconds(in_.below(51)));
      case 2:
        return f(file_clock::now() + microseconds(in_.below(51)));  // measured by steady_clock
      case 3:
        return f(steady_clock::now() - milliseconds(1));
      case 4:
        return f(steady_clock::time_point{});
      case 5:
        return f(time_point<system_clock, duration<double>>::min());
      case 6:
        return unbounded ? f(steady_clock::time_point::max()) : f(steady_clock::now());
      default:
        return unbounded ? f(time_point<system_clock, hours>::max())
                         : f(time_point_cast<seconds>(system_clock::now()));
    }
  }

  // --- the operations ------------------------------------------------------

  void step(op code) {
    switch (code) {
      case op::try_push_copy:
        return on_push_side([&](auto& side, model& m) {
          const int v = next_value_++;
          const T x = make(v);
          const bool expected = m.room() != 0;
          expect("result", expected, side.try_push(x));
          expect("argument", v, value_of(x));
          if (expected) m.items.push_back(v);
        });
      case op::try_push_move:
        return on_push_side([&](auto& side, model& m) {
          const int v = next_value_++;
          T x = make(v);
          const bool expected = m.room() != 0;
          expect("result", expected, side.try_push(std::move(x)));
          if (expected)
            m.items.push_back(v);
          else
            expect("argument of a failed call", v, value_of(x));
        });
      case op::try_emplace:
        return on_push_side([&](auto& side, model& m) {
          const int v = next_value_++;
          const bool expected = m.room() != 0;
          bool ok = false;
          if constexpr (counts_lives)
            ok = in_.flag() ? side.try_emplace(v - 7, 7) : side.try_emplace(v);
          else
            ok = side.try_emplace(v);
          expect("result", expected, ok);
          if (expected) m.items.push_back(v);
        });
      case op::push:
        return on_push_side([&](auto& side, model& m) {
          const bool by_move = in_.flag();
          if (m.room() == 0 && !m.closed) return;  // would wait for a pop that never comes
          const int v = next_value_++;
          T x = make(v);
          const bool ok = by_move ? side.push(std::move(x)) : side.push(std::as_const(x));
          expect("result", !m.closed, ok);
          if (ok)
            m.items.push_back(v);
          else
            expect("argument of a failed call", v, value_of(x));
        });
      case op::emplace:
        return on_push_side([&](auto& side, model& m) {
          if (m.room() == 0 && !m.closed) return;
          const int v = next_value_++;
          expect("result", !m.closed, side.emplace(v));
          if (!m.closed) m.items.push_back(v);
        });
      case op::try_push_for:
        return on_push_side([&](auto& side, model& m) {
          const bool by_move = in_.flag();
          const bool expected = m.room() != 0;
          with_timeout(expected || m.closed, [&](auto timeout) {
            const int v = next_value_++;
            T x = make(v);
            const bool ok = by_move ? side.try_push_for(std::move(x), timeout)
                                    : side.try_push_for(std::as_const(x), timeout);
            expect("result", expected, ok);
            if (ok)
              m.items.push_back(v);
            else
              expect("argument of a failed call", v, value_of(x));
          });
        });
      case op::try_push_until:
        return on_push_side([&](auto& side, model& m) {
          const bool by_move = in_.flag();
          const bool expected = m.room() != 0;
          with_deadline(expected || m.closed, [&](auto deadline) {
            const int v = next_value_++;
            T x = make(v);
            const bool ok = by_move ? side.try_push_until(std::move(x), deadline)
                                    : side.try_push_until(std::as_const(x), deadline);
            expect("result", expected, ok);
            if (ok)
              m.items.push_back(v);
            else
              expect("argument of a failed call", v, value_of(x));
          });
        });
      case op::try_pop:
        return on_pop_side(
            [&](auto& side, model& m) { expect_popped("value", m, side.try_pop()); });
      case op::try_pop_into:
        return on_pop_side([&](auto& side, model& m) {
          T out = make(unwritten);
          const bool ok = side.try_pop(out);
          expect("result", !m.empty(), ok);
          if (ok)
            expect_front("value", m, value_of(out));
          else
            expect("target of a failed call", unwritten, value_of(out));
        });
      case op::pop:
        return on_pop_side([&](auto& side, model& m) {
          if (m.empty() && !m.closed) return;  // would wait for a push that never comes
          expect_popped("value", m, side.pop());
        });
      case op::try_pop_for:
        return on_pop_side([&](auto& side, model& m) {
          with_timeout(!m.empty() || m.closed,
                       [&](auto timeout) { expect_popped("value", m, side.try_pop_for(timeout)); });
        });
      case op::try_pop_until:
        return on_pop_side([&](auto& side, model& m) {
          with_deadline(!m.empty() || m.closed, [&](auto deadline) {
            expect_popped("value", m, side.try_pop_until(deadline));
          });
        });
      case op::try_push_range:
        return on_push_side([&](auto& side, model& m) { bulk_push<false>(side, m); });
      case op::push_range:
        return on_push_side([&](auto& side, model& m) { bulk_push<true>(side, m); });
      case op::try_pop_n:
        return on_pop_side([&](auto& side, model& m) { bulk_pop(side, m); });
      case op::drain_view:
        return on_pop_side([&](auto& side, model& m) {
          const std::size_t n = in_.below(12);
          std::size_t seen = 0;
          if (in_.flag()) {
            for (T& x : mpmc::views::drain(side)) expect_front("value", m, value_of(x));
            expect("left after draining", 0, static_cast<long>(m.items.size()));
          } else {
            const std::size_t expected = std::min(n, m.items.size());
            for (T& x : mpmc::views::drain(side) | ranges::views::take(n)) {
              expect_front("value", m, value_of(x));
              ++seen;
            }
            expect("elements drained", static_cast<long>(expected), static_cast<long>(seen));
          }
        });
      case op::consume_view:
        return on_pop_side([&](auto& side, model& m) {
          // Takes no more than are queued, or runs to the end of a closed queue: asking for
          // another element would otherwise wait for a push that never comes.
          if (m.closed && in_.flag()) {
            for (T& x : mpmc::views::consume(side)) expect_front("value", m, value_of(x));
            expect("left after consuming a closed queue", 0, static_cast<long>(m.items.size()));
          } else {
            const std::size_t n = in_.below(m.items.size() + 1);
            std::size_t seen = 0;
            for (T& x : mpmc::views::consume(side) | ranges::views::take(n)) {
              expect_front("value", m, value_of(x));
              ++seen;
            }
            expect("elements consumed", static_cast<long>(n), static_cast<long>(seen));
          }
        });
      case op::close:
        // Handles never close; channels close by losing their senders (sender_handle).
        queue_->close();
        queue_model_.closed = true;
        return;
      case op::risky_emplace:
        if constexpr (counts_lives)
          on_push_side([&](auto& side, model& m) { risky_emplace(side, m); });
        return;
      case op::risky_range:
        if constexpr (counts_lives)
          on_push_side([&](auto& side, model& m) { risky_range(side, m); });
        return;
      case op::new_queue:
        return new_queue();
      case op::producer_handle:
        return handle_op(producers_, [&] { return mpmc::producer<Q>(queue_); });
      case op::consumer_handle:
        return handle_op(consumers_, [&] { return mpmc::consumer<Q>(queue_); });
      case op::new_channel:
        return new_channel();
      case op::sender_handle:
        return channel_handle_op(senders_);
      case op::receiver_handle:
        return channel_handle_op(receivers_);
      case op::count:
        break;
    }
  }

  // try_push_range (Wait false) or push_range: from a vector, as an lvalue (copied from) or an
  // rvalue (moved from, only the elements pushed), from a range-v3 view, or from a single-pass
  // range. push_range is issued only where it need not wait.
  template <bool Wait, class Side>
  void bulk_push(Side& side, model& m) {
    const std::size_t k = in_.below(12);
    const int kind = static_cast<int>(in_.below(4));
    if (Wait && k > m.room() && !m.closed) return;
    const int first = next_value_;
    next_value_ += static_cast<int>(k);
    std::vector<T> source;
    for (std::size_t i = 0; i != k; ++i) source.push_back(make(first + static_cast<int>(i)));
    auto call = [&](auto&& range) {
      if constexpr (Wait)
        return side.push_range(std::forward<decltype(range)>(range));
      else
        return side.try_push_range(std::forward<decltype(range)>(range));
    };
    std::size_t pushed = 0;
    switch (kind) {
      case 0:
        pushed = call(source);
        break;
      case 1:
        pushed = call(std::move(source));
        break;
      case 2:
        pushed = call(ranges::views::iota(first, first + static_cast<int>(k)));
        break;
      default: {
        std::string text;
        for (std::size_t i = 0; i != k; ++i)
          text += std::to_string(first + static_cast<int>(i)) + ' ';
        std::istringstream stream(text);
        pushed = call(ranges::istream<int>(stream));
        break;
      }
    }
    const std::size_t expected = std::min(k, m.room());
    expect("count", static_cast<long>(expected), static_cast<long>(pushed));
    for (std::size_t i = 0; i != k && kind < 2; ++i) {
      const int original = first + static_cast<int>(i);
      // An rvalue source gives up the elements pushed, and only those.
      const int want = kind == 1 && i < pushed && counts_lives ? counted::moved_from : original;
      expect(kind == 1 ? "rvalue source element" : "lvalue source element", want,
             value_of(source[i]));
    }
    for (std::size_t i = 0; i != pushed; ++i) m.items.push_back(first + static_cast<int>(i));
  }

  // try_pop_n into room already there (a vector's iterator or a pointer: batched) or through a
  // back_inserter (one element at a time, as its writes may throw).
  template <class Side>
  void bulk_pop(Side& side, model& m) {
    const std::size_t n = in_.below(12);
    const int kind = static_cast<int>(in_.below(3));
    const std::size_t expected = std::min(n, m.items.size());
    std::vector<T> out;
    std::size_t popped = 0;
    if (kind == 2) {
      popped = side.try_pop_n(std::back_inserter(out), n);
      expect("elements written", static_cast<long>(popped), static_cast<long>(out.size()));
    } else {
      out.assign(n, make(unwritten));
      popped = kind == 0 ? side.try_pop_n(out.begin(), n) : side.try_pop_n(out.data(), n);
    }
    expect("count", static_cast<long>(expected), static_cast<long>(popped));
    for (std::size_t i = 0; i != out.size(); ++i)
      if (i < popped)
        expect_front("value", m, value_of(out[i]));
      else
        expect("slot past the count", unwritten, value_of(out[i]));
  }

  // try_emplace or emplace from an argument whose conversion may throw. Where there is no room
  // (full or closed) the call fails; whether it builds the element, and so throws, first is the
  // queue's choice, and either leaves it unchanged.
  template <class Side>
  void risky_emplace(Side& side, model& m) {
    const bool fails = in_.below(4) == 0;
    const bool wait = in_.flag();
    if (wait && m.room() == 0 && !m.closed) return;
    const int v = next_value_++;
    const risky arg{v, fails};
    bool ok = false, threw = false;
    try {
      ok = wait ? side.emplace(arg) : side.try_emplace(arg);
    } catch (const construction_failed&) {
      threw = true;
    }
    if (m.room() == 0) {
      expect("result with no room", false, ok);
    } else {
      expect("threw", fails, threw);
      expect("result", !fails, ok);
      if (ok) m.items.push_back(v);
    }
  }

  // try_push_range or push_range of risky arguments, one of which may throw: the elements before
  // it are pushed and the exception propagates. If the throwing one is past the room, the call
  // stops before it or throws there, as risky_emplace allows.
  template <class Side>
  void risky_range(Side& side, model& m) {
    const std::size_t k = in_.below(10);
    const std::size_t failing = in_.below(k + 1);  // k: none fails
    const bool wait = in_.flag();
    const bool by_move = in_.flag();
    if (wait && k > m.room() && !m.closed) return;
    const int first = next_value_;
    next_value_ += static_cast<int>(k);
    std::vector<risky> source;
    for (std::size_t i = 0; i != k; ++i)
      source.push_back({first + static_cast<int>(i), i == failing});
    std::size_t pushed = 0;
    bool threw = false;
    try {
      if (wait)
        pushed = by_move ? side.push_range(std::move(source)) : side.push_range(source);
      else
        pushed = by_move ? side.try_push_range(std::move(source)) : side.try_push_range(source);
    } catch (const construction_failed&) {
      threw = true;
    }
    const std::size_t fit = std::min(k, m.room());
    if (failing < fit) {
      expect("threw", true, threw);
      for (std::size_t i = 0; i != failing; ++i) m.items.push_back(first + static_cast<int>(i));
      // The count is lost with the exception; size() says how many went in.
      return;
    }
    if (failing == k) expect("threw", false, threw);
    if (!threw) expect("count", static_cast<long>(fit), static_cast<long>(pushed));
    for (std::size_t i = 0; i != fit; ++i) m.items.push_back(first + static_cast<int>(i));
  }

  // --- queues and handles --------------------------------------------------

  void new_queue() {
    producers_.clear();
    consumers_.clear();
    const std::size_t capacity = pick_capacity();
    if constexpr (Fixed != 0)
      queue_ = std::make_shared<Q>();
    else
      queue_ = std::make_shared<Q>(capacity);
    queue_model_ = model{{}, capacity, false};
  }

  // Creates (from the queue), copies or drops a producer or consumer. They never close the queue.
  template <class Handle, class Make>
  void handle_op(std::vector<Handle>& handles, Make make_handle) {
    const std::size_t what = in_.below(3);
    if (handles.empty() || (what == 0 && handles.size() < max_handles)) {
      handles.push_back(make_handle());
    } else if (what == 1 && handles.size() < max_handles) {
      handles.push_back(handles[pick(handles)]);
    } else {
      handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(pick(handles)));
    }
  }

  bool channel_open() const noexcept { return !senders_.empty() || !receivers_.empty(); }

  // The model's side of a change in the channel's handle counts: the last sender closes the
  // channel, the last receiver also destroys what is queued and fails every later push.
  void handles_changed() {
    if (senders_.empty()) channel_model_.closed = true;
    if (receivers_.empty()) {
      channel_model_.closed = true;
      channel_model_.items.clear();
    }
  }

  // Drops the current channel's handles, senders or receivers first, then makes a new channel.
  void new_channel() {
    // The order decides whether the old channel is closed (senders first) or discarded.
    if (in_.flag()) {
      senders_.clear();
      receivers_.clear();
    } else {
      receivers_.clear();
      senders_.clear();
    }
    const std::size_t capacity = pick_capacity();
    auto open = [&] {
      if constexpr (Fixed != 0)
        return mpmc::make_channel<T, Policies...>();
      else
        return mpmc::make_channel<T, Policies...>(capacity);
    };
    // The pair's handles are moved out; the moved-from ones count for nothing when destroyed.
    auto [tx, rx] = open();
    senders_.push_back(std::move(tx));
    receivers_.push_back(std::move(rx));
    channel_model_ = model{{}, capacity, false};
  }

  // Copies, copy-assigns, move-assigns or drops a sender or receiver. A move-assigned-from handle
  // counts for nothing, and is erased.
  template <class Handle>
  void channel_handle_op(std::vector<Handle>& handles) {
    if (handles.empty()) return;
    const std::size_t what = in_.below(4);
    const std::size_t i = pick(handles);
    const std::size_t j = pick(handles);
    if (what == 0 && handles.size() < max_handles) {
      handles.push_back(handles[i]);
    } else if (what == 1) {
      handles[i] = handles[j];
    } else if (what == 2) {
      handles[i] = std::move(handles[j]);
      if (i != j) handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(j));
    } else {
      handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(i));
    }
    handles_changed();
  }

  const char* config_;
  byte_reader& in_;
  std::size_t op_index_ = 0;
  const char* op_name_ = "construction";
  const char* side_ = "queue";  // what the operation or check in progress goes through
  int next_value_ = 0;

  std::shared_ptr<Q> queue_;
  model queue_model_;
  std::vector<mpmc::producer<Q>> producers_;
  std::vector<mpmc::consumer<Q>> consumers_;

  model channel_model_;
  std::vector<mpmc::sender<Q>> senders_;
  std::vector<mpmc::receiver<Q>> receivers_;
};

template <std::size_t Fixed, class T, class... Policies>
void run(const char* config, byte_reader& in) {
  harness<Fixed, T, Policies...>(config, in).run();
}

struct configuration {
  const char* name;
  void (*run)(const char*, byte_reader&);
};

constexpr configuration configurations[] = {
    {"queue<counted>", run<0, counted>},
    {"queue<counted, claim::ticket>", run<0, counted, mpmc::claim::ticket>},
    {"queue<counted, producers::single, consumers::single>",
     run<0, counted, mpmc::producers::single, mpmc::consumers::single>},
    {"queue<counted, capacity::fixed<3>>", run<3, counted, mpmc::capacity::fixed<3>>},
    {"queue<counted, wait::spin>", run<0, counted, mpmc::wait::spin>},
    {"queue<counted, padding::interleaved>", run<0, counted, mpmc::padding::interleaved>},
    {"queue<counted, wait::condvar>", run<0, counted, mpmc::wait::condvar>},
    {"queue<counted, wait::atomic_wait, claim::ticket, consumers::single>",
     run<0, counted, mpmc::wait::atomic_wait, mpmc::claim::ticket, mpmc::consumers::single>},
    {"queue<int>", run<0, int>},
    {"queue<int, claim::ticket, capacity::fixed<5>>",
     run<5, int, mpmc::claim::ticket, mpmc::capacity::fixed<5>>},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  byte_reader in(data, size);
  const configuration& config = configurations[in.below(std::size(configurations))];
  config.run(config.name, in);
  // The queues, handles and channels are gone: so must every element be.
  if (counted::live != 0) {
    std::fprintf(stderr, "queue_fuzzer: %s: %ld elements outlive their queues\n", config.name,
                 counted::live);
    std::abort();
  }
  return 0;
}
