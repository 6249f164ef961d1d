// Everything: the queue, presets, handles, channels, views, concepts and every policy.
#pragma once

#include <mpmc/channel.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/config.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/policy.hpp>
#include <mpmc/presets.hpp>
#include <mpmc/queue.hpp>
#include <mpmc/views.hpp>

#include <mpmc/backoff/exponential.hpp>
#include <mpmc/backoff/none.hpp>
#include <mpmc/backoff/pause.hpp>
#include <mpmc/backoff/yield.hpp>
#include <mpmc/capacity/dynamic.hpp>
#include <mpmc/capacity/fixed.hpp>
#include <mpmc/claim/compare_exchange.hpp>
#include <mpmc/claim/ticket.hpp>
#include <mpmc/consumers/many.hpp>
#include <mpmc/consumers/single.hpp>
#include <mpmc/padding/align_to.hpp>
#include <mpmc/padding/cache_line.hpp>
#include <mpmc/padding/interleaved.hpp>
#include <mpmc/padding/none.hpp>
#include <mpmc/producers/many.hpp>
#include <mpmc/producers/single.hpp>
#include <mpmc/wait/atomic_wait.hpp>
#include <mpmc/wait/condvar.hpp>
#include <mpmc/wait/futex.hpp>
#include <mpmc/wait/park.hpp>
#include <mpmc/wait/spin.hpp>
#include <mpmc/wait/yield.hpp>
