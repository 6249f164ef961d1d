// Asynchronous push and pop for standalone Asio (1.22 or later): free functions, so that the queue
// itself never includes Asio, and any completion token (callbacks, use_awaitable, use_future,
// deferred, as_tuple, awaitable operators). Both complete with
// void(std::error_code, std::optional<T>):
//
//   co_await mpmc::async_push(q, job, asio::use_awaitable);  // empty optional: pushed
//   std::optional<Job> job = co_await mpmc::async_pop(q, asio::use_awaitable);
//
// An operation waits for readiness, then claims: it tries the queue's non-blocking call; if that
// fails it yields to its executor (queues its retry) up to as often as the wait policy yields
// (fewer while yields go unrewarded), then links a waiter record on its side's event count
// (consumers wait for "not empty", producers for "not full"), tries again, and waits. A notify runs
// the record, which posts the operation to its handler's executor; there it looks at its
// cancellation state, then tries once more. So a waiting operation has claimed nothing, and
// cancelling it loses or duplicates no value. docs/async.md has the semantics; the protocol is in
// detail::async::operation below.
#pragma once

#include <mpmc/channel.hpp>
#include <mpmc/errc.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/queue.hpp>

#include <asio/associated_allocator.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/associator.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/defer.hpp>
#include <asio/dispatch.hpp>
#include <asio/error.hpp>
#include <asio/execution.hpp>
#include <asio/execution_context.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/query.hpp>
#include <asio/recycling_allocator.hpp>
#include <asio/system_executor.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>

namespace mpmc {
namespace detail::async {

template <class Q>
inline constexpr bool parks = waiting<typename Q::config_type>::parks;

// What an operation refers to: the queue, or a copy of the handle it was started on. A copy keeps
// the queue alive while the operation waits and counts as a sender or receiver of a channel, as a
// thread blocked in a call through its handle does.
template <class Q>
struct queue_ref {
  using queue_type = Q;
  Q* q;
  Q& queue() const noexcept { return *q; }
};
template <class Q, class Handle>
struct handle_ref {
  using queue_type = Q;
  Handle h;
  Q& queue() const noexcept { return queue_access::queue_of<Q>(h); }
};

// An executor's execution context, and outstanding work on it, for standard executors and for
// the older networking-TS ones (use_future's handler has one).
template <class Executor>
asio::execution_context& context_of(const Executor& ex) noexcept {
  if constexpr (asio::can_query<const Executor&, asio::execution::context_t>::value)
    return asio::query(ex, asio::execution::context);
  else
    return ex.context();
}
template <class Executor>
auto work_on(const Executor& ex) {
  if constexpr (asio::execution::is_executor<Executor>::value)
    return asio::prefer(ex, asio::execution::outstanding_work.tracked);
  else
    return asio::executor_work_guard<Executor>(ex);
}

// Which operation: push carries its value there and back, pop brings one.
template <class T, bool Push>
struct outcome {
  bool ready = false;
  std::error_code ec{};
  std::optional<T> value{};
};

// Tries the operation once. Push: succeeds (empty optional), or the queue is closed (the value
// back), or not ready. Pop: a value, or closed and drained, or not ready. A pop that finds the
// queue empty and then closed tries again before it reports closed: closed() seen true orders the
// final tail before that try, and a strong try_pop waits for a push claimed before the close.
template <class Q>
outcome<typename Q::value_type, false> try_pop_once(Q& q) noexcept {
  if (auto v = q.try_pop()) return {true, {}, std::move(v)};
  if (!q.closed()) return {};
  if (auto v = q.try_pop()) return {true, {}, std::move(v)};
  return {true, make_error_code(errc::closed), std::nullopt};
}
template <class Q>
outcome<typename Q::value_type, true> try_push_once(
    Q& q, std::optional<typename Q::value_type>& v) noexcept {
  // try_push(T&&) leaves its argument untouched when it fails.
  if (q.try_push(std::move(*v))) return {true, {}, std::nullopt};
  if (q.closed()) return {true, make_error_code(errc::closed), std::move(v)};
  return {};
}

// A completion bound to its arguments, keeping the handler's associated executor, allocator and
// cancellation slot (specialization of asio::associator below), so that post() and dispatch() run
// it where the handler asks. Clears the handler's cancellation slot before the call when the
// operation installed a handler there: a slot's handler must not clear itself while it runs.
template <class Handler, class T>
struct completion {
  Handler handler;
  std::error_code ec;
  std::optional<T> value;
  bool clear_slot;

  void operator()() {
    if (clear_slot) asio::get_associated_cancellation_slot(handler).clear();
    std::move(handler)(ec, std::move(value));
  }
};

// Pending operations of one execution context. When the context shuts down (its destructor), the
// operations still waiting are taken off their queues and destroyed without their handlers being
// called, as Asio's own I/O objects do, and no notify may post into the context any more.
class service final : public asio::execution_context::service {
 public:
  struct node : waiter {
    node* svc_next = nullptr;
    node* svc_prev = nullptr;
    bool tracked = false;  // under the service's mutex
    // Takes the operation off its queue and destroys it, or leaves it to a run already posted.
    void (*on_shutdown)(node&) noexcept = nullptr;
    static constexpr std::uint32_t arming = 1;    // the owner is between add() and its verdict
    static constexpr std::uint32_t notified = 2;  // the record ran; its notify let go of the node
    std::atomic<std::uint32_t> state{0};
  };

  using key_type = service;
  inline static asio::execution_context::id id;

  explicit service(asio::execution_context& context) : asio::execution_context::service(context) {}

  void track(node& n) {
    const std::lock_guard lock(mutex_);
    n.svc_prev = nullptr;
    n.svc_next = head_;
    if (head_ != nullptr) head_->svc_prev = &n;
    head_ = &n;
    n.tracked = true;
  }
  void untrack(node& n) noexcept {
    const std::lock_guard lock(mutex_);
    if (!n.tracked) return;
    (n.svc_prev != nullptr ? n.svc_prev->svc_next : head_) = n.svc_next;
    if (n.svc_next != nullptr) n.svc_next->svc_prev = n.svc_prev;
    n.tracked = false;
  }

  // Brackets a record's on_notify: shutdown() waits until no notify is posting into the context.
  void notify_begins() noexcept {
    // relaxed: ordered before shutdown()'s read by the release fetch_or on the record's state that
    // follows it in notified_record(), which shutdown() acquires (wait_for_notify) before it reads.
    notifying_.fetch_add(1, std::memory_order_relaxed);
  }
  void notify_ends() noexcept {
    // release: pairs with the acquire in shutdown(); the post is in the context's queue.
    notifying_.fetch_sub(1, std::memory_order_release);
  }

 private:
  void shutdown() override {
    node* list = nullptr;
    {
      const std::lock_guard lock(mutex_);
      list = head_;
      head_ = nullptr;
      for (node* n = list; n != nullptr; n = n->svc_next) n->tracked = false;
    }
    // Each on_shutdown may destroy its node; read the link first.
    for (node* n = list; n != nullptr;) {
      node* next = n->svc_next;
      n->on_shutdown(*n);
      n = next;
    }
    // acquire: pairs with the release in notify_ends(): every run a record posted is queued, and
    // the scheduler, which shuts down after this service, destroys it with its operation.
    while (notifying_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  }

  std::mutex mutex_;
  node* head_ = nullptr;
  std::atomic<std::size_t> notifying_{0};
};

// What a record's notify posts (the run that makes the handler's executor the operation's owner),
// or the owner when it yields. It carries the handler's executor and allocator (asio::associator
// below). Destroyed without being called (its context shut down), it destroys the operation.
template <class Op>
struct posted_run {
  Op* op;
  bool notified;  // posted by a notify, whose notification it then holds
  posted_run(Op* o, bool n) noexcept : op(o), notified(n) {}
  posted_run(posted_run&& other) noexcept
      : op(std::exchange(other.op, nullptr)), notified(other.notified) {}
  posted_run& operator=(posted_run&&) = delete;
  ~posted_run() {
    if (op != nullptr) op->destroy();
  }
  void operator()() { std::exchange(op, nullptr)->resume(notified); }
};

// The operation object of an async push or pop that has to wait. Who may touch it:
//
//   the owner: whoever runs the operation's steps one at a time: the initiating call, then the
//     runs that a notify or a yield posts to the handler's executor, and the cancellation handler,
//     which Asio requires to be called where the handler's other steps are serialized (the same
//     thread, or the handler's strand);
//   a notifier (any thread): only through on_notify, after it has unlinked the record;
//   the service's shutdown(), when the context dies with the operation pending.
//
// The owner arms the operation: state = arming, add the record, try once. If the try fails, it
// clears `arming`; a notify that ran the record during the try set `notified` and left the retry to
// the owner, who then tries again. A notify that finds `arming` clear posts a run, which becomes
// the owner. If the try succeeds, the owner remove()s the record; when the record has run
// already, its notify is leaving the operation to the owner (arming is set), so the owner waits
// for `notified` (a few instructions away), passes the notification on and completes. Either way
// one party completes the operation, once; and a run that finds the operation cancelled passes on
// the notification it consumed.
template <class Handler, class Ref, bool Push>
class operation final : public service::node {
  using Q = typename Ref::queue_type;
  using T = typename Q::value_type;
  using event_type =
      std::remove_reference_t<decltype(queue_access::event<side::consumers>(std::declval<Q&>()))>;
  using executor_type = asio::associated_executor_t<Handler, asio::system_executor>;
  using work_type = decltype(work_on(std::declval<const executor_type&>()));
  using allocator_type = typename std::allocator_traits<asio::associated_allocator_t<
      Handler, asio::recycling_allocator<void>>>::template rebind_alloc<operation>;
  using result = outcome<T, Push>;
  // Producers wait for "not full", consumers for "not empty".
  static constexpr side waits_on = Push ? side::producers : side::consumers;

  struct cancel_handler {
    operation* op;
    void operator()(asio::cancellation_type_t type) {
      // Every kind: a waiting operation has done nothing, so even `total` (no side effect) holds.
      constexpr auto any = asio::cancellation_type::terminal | asio::cancellation_type::partial |
                           asio::cancellation_type::total;
      if (op != nullptr && (type & any) != asio::cancellation_type::none) op->cancel();
    }
  };

 public:
  // After the initiating call's try failed: allocates the operation and arms it.
  static void start(Handler&& handler, Ref ref, std::optional<T> value) {
    allocator_type alloc(allocator_of(handler));
    operation* op = std::allocator_traits<allocator_type>::allocate(alloc, 1);
    try {
      std::allocator_traits<allocator_type>::construct(alloc, op, std::move(handler),
                                                       std::move(ref), std::move(value));
    } catch (...) {
      std::allocator_traits<allocator_type>::deallocate(alloc, op, 1);
      throw;
    }
    try {
      op->service_.track(*op);  // a mutex may throw; nothing of the queue is touched yet
    } catch (...) {
      op->destroy();
      throw;
    }
    op->yield_or_arm(false);
  }

  operation(Handler&& handler, Ref ref, std::optional<T> value)
      : handler_(std::move(handler)),
        work_(work_on(asio::get_associated_executor(handler_, asio::system_executor()))),
        ref_(std::move(ref)),
        value_(std::move(value)),
        event_(queue_access::event<waits_on>(ref_.queue())),
        service_(asio::use_service<service>(
            context_of(asio::get_associated_executor(handler_, asio::system_executor())))) {
    on_notify = &notified_record;
    on_shutdown = &shut_down;
    auto slot = asio::get_associated_cancellation_slot(handler_);
    if (slot.is_connected()) cancel_ = &slot.template emplace<cancel_handler>(cancel_handler{this});
  }

  using handler_type = Handler;
  const Handler& handler() const noexcept { return handler_; }

 private:
  // In the notifier's thread, after the record was unlinked: hand the operation to its owner, or
  // post a run that becomes the owner. Touches nothing of the operation after the post.
  static void notified_record(waiter& w) noexcept {
    auto& op = static_cast<operation&>(w);
    service& svc = op.service_;
    svc.notify_begins();
    // acq_rel: release pairs with the owner's acquire (wait_for_notify, the fetch_and in arm()):
    // this notify is done with the operation. Acquire pairs with the owner's release in arm():
    // its writes reach the run posted here.
    if ((op.state.fetch_or(notified, std::memory_order_acq_rel) & arming) == 0) post_run(op);
    svc.notify_ends();
  }
  static void post_run(operation& op) noexcept {
    // A post can throw only where allocation fails, and the notifier cannot take an exception;
    // Asio's own operations treat it as fatal too.
    asio::post(posted_run<operation>(&op, true));
  }
  friend struct posted_run<operation>;

  void resume(bool notified) {
    if (cancelled_) {
      // The notification that posted this run is not needed here: pass it on.
      if (notified) event_.notify(1);
      finish(aborted(), true);
      return;
    }
    // Before linking again: a notification usually means success.
    result r = attempt();
    if (r.ready) {
      if (!notified && cut_ != 0) event_.set_yield_cut(cut_ - 1);  // the yields paid off
      return finish(std::move(r), true);
    }
    yield_or_arm(true);
  }

  // Before it links its record, whose fence is a system call, an operation yields to its executor
  // as a blocked thread yields its core before it sleeps: the run it defers tries again after what
  // is queued there, often the partner that makes it ready. As many times as the wait policy says,
  // halved `cut_` times: yields that go unrewarded halve the next operations' (down to
  // min_yields), one that pays off doubles them. Yields in vain are not only time lost: they make
  // the thread that runs the executor look busy to the kernel's scheduler, which then wakes it
  // later when the partner comes (async_compare, wake).
  void yield_or_arm(bool on_executor) {
    if (yields_left_ == 0) {
      if (std::exchange(yielding_, false) && cut_ < 31 && (yield_limit >> (cut_ + 1)) >= min_yields)
        event_.set_yield_cut(cut_ + 1);
      return arm(on_executor);
    }
    --yields_left_;
    // relaxed: no record is linked, so no notifier reads it; shut_down() then leaves the operation
    // to the posted run, which the dying context destroys.
    state.store(notified, std::memory_order_relaxed);
    asio::defer(posted_run<operation>(this, false));
  }

  // The owner's step: link, try, and either wait or complete. `on_executor`: in a run, so a
  // completion is dispatched rather than posted.
  void arm(bool on_executor) {
    for (;;) {
      // relaxed: the notifier reads the state only after it unlinks the record, under the event
      // count's lock, which add() takes after this store.
      state.store(arming, std::memory_order_relaxed);
      event_.add(*this);
      result r = attempt();
      if (r.ready) {
        if (!event_.remove(*this)) {
          // The record ran during the try: its notify leaves the operation to us. Wait until it
          // has, then pass the notification on, since we got what we wanted without it.
          wait_for_notify();
          event_.notify(1);
        }
        finish(std::move(r), on_executor);
        return;
      }
      // acq_rel: release pairs with the acquire in notified_record() (a run posted after this sees
      // our writes); acquire pairs with its release when it ran during the try.
      if ((state.fetch_and(~arming, std::memory_order_acq_rel) & notified) == 0) return;
      // Notified during the try, and the notify left the retry to us.
      if (cancelled_) {
        event_.notify(1);
        finish(aborted(), on_executor);
        return;
      }
    }
  }

  void wait_for_notify() noexcept {
    // acquire: pairs with the release in notified_record(): it is done with the operation.
    for (unsigned spins = 0; (state.load(std::memory_order_acquire) & notified) == 0; ++spins)
      spins < 64 ? backend::cpu_relax() : std::this_thread::yield();
  }

  // The cancellation handler; called where the owner's steps are serialized (see above).
  void cancel() {
    cancelled_ = true;
    // Linked: nothing else refers to the operation. Not linked: a run is posted (by the record's
    // notify, or by a yield), which finds cancelled_ set.
    if (event_.remove(*this)) finish(aborted(), false);
  }

  // The handler's associated allocator, else Asio's per-thread recycling one.
  static allocator_type allocator_of(const Handler& h) noexcept {
    return allocator_type(asio::get_associated_allocator(h, asio::recycling_allocator<void>()));
  }
  allocator_type allocator() const noexcept { return allocator_of(handler_); }

  result aborted() {
    result r{true, asio::error::operation_aborted, {}};
    if constexpr (Push) r.value = std::move(value_);
    return r;
  }

  result attempt() noexcept {
    if constexpr (Push)
      return try_push_once(ref_.queue(), value_);
    else
      return try_pop_once(ref_.queue());
  }

  // Destroys the operation (its memory goes back before the handler runs, as Asio asks), then
  // dispatches (in a run: on the handler's executor already) or defers the completion.
  void finish(result r, bool on_executor) {
    allocator_type alloc = allocator();
    completion<Handler, T> c{std::move(handler_), r.ec, std::move(r.value), cancel_ != nullptr};
    work_type work(std::move(work_));  // the work ends after the completion is queued
    destroy(alloc);
    if (on_executor)
      asio::dispatch(std::move(c));
    else
      asio::defer(std::move(c));
  }

  // Without calling the handler: shutdown, or a run destroyed unrun.
  void destroy() noexcept { destroy(allocator()); }
  void destroy(allocator_type alloc) noexcept {
    if (cancel_ != nullptr) cancel_->op = nullptr;  // the slot may outlive the operation
    service_.untrack(*this);
    std::allocator_traits<allocator_type>::destroy(alloc, this);
    std::allocator_traits<allocator_type>::deallocate(alloc, this, 1);
  }

  // The context shuts down (no thread runs it): take the record back and destroy the operation.
  // If it ran already, its notify posts (or posted) a run, which the context destroys unrun.
  static void shut_down(service::node& n) noexcept {
    auto& op = static_cast<operation&>(n);
    if (op.event_.remove(op))
      op.destroy();
    else
      op.wait_for_notify();  // a yield, or a notify that is counted: shutdown() waits for its post
  }

  Handler handler_;
  work_type work_;
  Ref ref_;
  std::optional<T> value_;  // push: the value, until it is in the queue or handed back
  event_type& event_;
  service& service_;
  cancel_handler* cancel_ = nullptr;
  bool cancelled_ = false;  // written and read by the owner only
  static constexpr std::uint32_t yield_limit = yield_limit_of<typename Q::config_type::wait>;
  static constexpr std::uint32_t min_yields = 8;
  std::uint32_t cut_ = event_.yield_cut();
  std::uint32_t yields_left_ = cut_ < 32 ? yield_limit >> cut_ : 0;
  bool yielding_ = yields_left_ != 0;  // until the first arm()
};

// The initiation: the fast path defers its completion; otherwise an operation waits. Deferred, not
// posted: the caller waits for it (a coroutine suspends on it), so it is a continuation, which an
// io_context thread queues privately, taking no lock and waking no other thread
// (async_compare, pingpong-mt and 4x4). A notify, another chain of work, posts.
template <bool Push>
struct initiate {
  template <class Handler, class Ref, class... V>
  void operator()(Handler&& handler, Ref ref, V&&... value) const {
    using H = std::decay_t<Handler>;
    using T = typename Ref::queue_type::value_type;
    std::optional<T> v(std::forward<V>(value)...);
    auto r = [&] {
      if constexpr (Push)
        return try_push_once(ref.queue(), v);
      else
        return try_pop_once(ref.queue());
    }();
    if (r.ready) {
      asio::defer(
          completion<H, T>{std::forward<Handler>(handler), r.ec, std::move(r.value), false});
      return;
    }
    H h(std::forward<Handler>(handler));
    operation<H, Ref, Push>::start(std::move(h), std::move(ref), std::move(v));
  }
};

template <class Q>
void check_queue() {
  static_assert(
      !requires { Q::in_shared_memory; },
      "mpmc::async_push/async_pop: not on a queue in shared memory (mpmc::shm::queue): "
      "a waiting operation is a record in this process, which a push or pop in another "
      "process cannot run");
  static_assert(parks<Q>,
                "mpmc::async_push/async_pop: the queue's wait policy must park (wait::park, "
                "wait::futex, wait::atomic_wait, wait::condvar); a spinning queue has no event "
                "count for an asynchronous operation to wait on");
}

template <class T>
using signature = void(std::error_code, std::optional<T>);
}  // namespace detail::async

// Pops the oldest element: completes with it, or with an empty optional and errc::closed once the
// queue is closed and drained, or operation_aborted when cancelled (nothing popped). The queue must
// outlive the operation, or be closed and the operation completed first.
template <class T, class Config, class Token>
auto async_pop(basic_queue<T, Config>& q, Token&& token) {
  using Q = basic_queue<T, Config>;
  detail::async::check_queue<Q>();
  return asio::async_initiate<Token, detail::async::signature<T>>(
      detail::async::initiate<false>{}, token, detail::async::queue_ref<Q>{&q});
}

// Pushes `value`: completes with an empty optional once it is in the queue, or hands it back with
// errc::closed (the queue is closed) or operation_aborted (cancelled; nothing pushed).
template <class T, class Config, class Token>
auto async_push(basic_queue<T, Config>& q, std::type_identity_t<T> value, Token&& token) {
  using Q = basic_queue<T, Config>;
  detail::async::check_queue<Q>();
  return asio::async_initiate<Token, detail::async::signature<T>>(
      detail::async::initiate<true>{}, token, detail::async::queue_ref<Q>{&q}, std::move(value));
}

// Through a consumer or receiver: the operation keeps a copy of the handle, so the queue lives (and
// a channel's receivers count it) until it completes.
template <class Q, class Token>
auto async_pop(const consumer<Q>& c, Token&& token) {
  detail::async::check_queue<Q>();
  return asio::async_initiate<Token, detail::async::signature<typename Q::value_type>>(
      detail::async::initiate<false>{}, token, detail::async::handle_ref<Q, consumer<Q>>{c});
}

// Through a producer or sender: as async_pop, the operation keeps a copy of the handle.
template <class Q, class Token>
auto async_push(const producer<Q>& p, std::type_identity_t<typename Q::value_type> value,
                Token&& token) {
  detail::async::check_queue<Q>();
  return asio::async_initiate<Token, detail::async::signature<typename Q::value_type>>(
      detail::async::initiate<true>{}, token, detail::async::handle_ref<Q, producer<Q>>{p},
      std::move(value));
}
}  // namespace mpmc

// The bound completion and the posted run keep the handler's associations: executor, allocator,
// cancellation slot.
template <template <class, class> class Associator, class Handler, class T, class DefaultCandidate>
struct asio::associator<Associator, mpmc::detail::async::completion<Handler, T>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const mpmc::detail::async::completion<Handler, T>& c,
      const DefaultCandidate& d = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(c.handler, d);
  }
};

template <template <class, class> class Associator, class Op, class DefaultCandidate>
struct asio::associator<Associator, mpmc::detail::async::posted_run<Op>, DefaultCandidate>
    : Associator<typename Op::handler_type, DefaultCandidate> {
  static typename Associator<typename Op::handler_type, DefaultCandidate>::type get(
      const mpmc::detail::async::posted_run<Op>& r,
      const DefaultCandidate& d = DefaultCandidate()) noexcept {
    return Associator<typename Op::handler_type, DefaultCandidate>::get(r.op->handler(), d);
  }
};
