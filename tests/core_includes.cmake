# What every file that uses a queue pays for: compiles `#include <HEADER>` with -H, which lists each
# header the compiler opens, and fails if the list holds one that the core leaves out on purpose
# (docs/design.md, Layers): a range library, <thread>, <mutex>, <condition_variable>, <algorithm>,
# Asio, and, where the clocks come from libstdc++'s <bits/chrono.h>, the rest of <chrono>. Run by
# CTest (tests/CMakeLists.txt):
#   cmake -DCXX=... -DHEADER=mpmc/queue.hpp -DROOT=<mpmc's source tree> -DWORK_DIR=...
#         -P core_includes.cmake
foreach(var CXX HEADER ROOT WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "core_includes.cmake: -D${var}=... missing")
  endif()
endforeach()

file(MAKE_DIRECTORY "${WORK_DIR}")
string(MAKE_C_IDENTIFIER "${HEADER}" stem)
set(source "${WORK_DIR}/${stem}.cpp")
file(WRITE "${source}" "#include <${HEADER}>\nint main() {}\n")
set(flags -std=c++20 -H -fsyntax-only -I${ROOT}/include -I${ROOT}/policies -I${ROOT}/backends)
execute_process(COMMAND "${CXX}" ${flags} "${source}" RESULT_VARIABLE rc ERROR_VARIABLE opened)
if(rc)
  message(FATAL_ERROR "<${HEADER}> does not compile on its own:\n${opened}")
endif()

string(REGEX MATCHALL "[^\n]+" lines "${opened}")
set(forbidden "/range/v3/" "/ranges$" "/thread$" "/mutex$" "/condition_variable$" "/algorithm$"
              "/asio/" "/asio.hpp$")
if(opened MATCHES "/bits/chrono.h")
  list(APPEND forbidden "/chrono$")
endif()
set(found "")
set(count 0)
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^\\.+ ")
    continue()  # -H also prints a list of headers that include guards could have spared
  endif()
  math(EXPR count "${count} + 1")
  foreach(pattern IN LISTS forbidden)
    if(line MATCHES "${pattern}")
      list(APPEND found "${line}")
    endif()
  endforeach()
endforeach()
if(found)
  list(JOIN found "\n" found)
  message(FATAL_ERROR "<${HEADER}> includes headers the core leaves out:\n${found}")
endif()
message(STATUS "<${HEADER}>: ${count} headers opened, none that the core leaves out")
