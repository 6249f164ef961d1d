# Settings for the project's own executables (tests, examples, benchmarks).
# They are per target, never global, so a parent project's flags stay its own.

# Warnings as errors on our code only; dependencies come in as system headers.
function(mpmc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()

# MPMC_SANITIZE: '' | 'thread' | 'address,undefined' (any -fsanitize= list). -g1: line tables are
# all a report needs, and gcc builds them in two thirds of the time -g takes.
function(mpmc_sanitize target)
  if(MPMC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${MPMC_SANITIZE}
                           -fno-omit-frame-pointer -fno-sanitize-recover=all -g1)
    target_link_options(${target} PRIVATE -fsanitize=${MPMC_SANITIZE})
  endif()
endfunction()
