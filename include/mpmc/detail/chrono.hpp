// The clocks, durations and time points the timed operations name. libstdc++ keeps these in
// <bits/chrono.h>; its <chrono> adds calendars, time zones and their formatting, which would be a
// third of what including a queue costs to compile (bench/compile_cost.sh).
#pragma once

#if __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
