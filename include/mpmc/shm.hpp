// Queues shared between processes: mpmc::shm::queue, its segment and layout checks (Linux first;
// docs/shm.md).
#pragma once

#include <mpmc/shm/queue.hpp>
#include <mpmc/shm/segment.hpp>
