// Everything: the queue and its presets, handles, channels, views, concepts and every policy
// (config.hpp includes the policies).
#pragma once

#include <mpmc/channel.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/config.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/queue.hpp>
#include <mpmc/views.hpp>
