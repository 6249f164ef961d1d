// The queue and its presets, handles, channels, concepts and the policies (config.hpp includes
// them). Kept cheap to include: the range operations (<mpmc/ranges.hpp>), the views
// (<mpmc/views.hpp>), wait::condvar (<mpmc/backend/condvar.hpp>), the Asio layer
// (<mpmc/asio.hpp>) and queues between processes (<mpmc/shm.hpp>) each come from their own header.
#pragma once

#include <mpmc/channel.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/config.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/queue.hpp>
