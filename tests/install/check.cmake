# One way into mpmc, taken as a user would: lays out a fresh project in WORK_DIR/app (the
# way's files from tests/install/WAY/ and main.cpp), builds it and runs it. Run by CTest (see
# tests/CMakeLists.txt):
#   cmake -DWAY=find_package|pkg_config|fetch_content|add_subdirectory -DBUILD_DIR=...
#         -DMPMC_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DCXX_COMPILER=...
#         -DVERSION=... [-DPKG_CONFIG=...] [-DGIT=...] -P check.cmake
# BUILD_DIR is mpmc's configured build tree (installed from), MPMC_DIR its source tree,
# SOURCE_DIR tests/install. Every check comes before the program runs: CTest passes the test
# on the program's output alone.
foreach(var WAY BUILD_DIR MPMC_DIR SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake: -D${var}=... missing")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${WAY}: ${what} failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(app "${WORK_DIR}/app")
file(COPY "${SOURCE_DIR}/${WAY}/" "${SOURCE_DIR}/main.cpp" DESTINATION "${app}")

if(WAY STREQUAL "find_package" OR WAY STREQUAL "pkg_config")
  set(prefix "${WORK_DIR}/prefix")
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
endif()

if(WAY STREQUAL "pkg_config")
  if(NOT PKG_CONFIG)
    message(FATAL_ERROR "pkg_config: no pkg-config program given")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${prefix}/share/pkgconfig")
  execute_process(COMMAND "${PKG_CONFIG}" --modversion mpmc
                  RESULT_VARIABLE rc OUTPUT_VARIABLE found OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc OR NOT found STREQUAL VERSION)
    message(FATAL_ERROR "pkg_config: mpmc.pc says version '${found}', the project ${VERSION}")
  endif()
  run("the README's pkg-config lines" sh -e build.sh WORKING_DIRECTORY "${app}")
  return()
endif()

set(configure_args)
if(WAY STREQUAL "find_package")
  # The version goes with the package: the config version file answers for it.
  file(READ "${prefix}/share/cmake/mpmc/mpmcConfigVersion.cmake" version_file)
  if(NOT version_file MATCHES "set\\(PACKAGE_VERSION \"${VERSION}\"\\)")
    message(FATAL_ERROR "find_package: the installed mpmcConfigVersion.cmake is not ${VERSION}")
  endif()
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
  set(mpmc_build "")
elseif(WAY STREQUAL "fetch_content")
  # CI is offline: the snippet clones from a scratch repository whose `main` is this
  # checkout's HEAD. That is the committed state; uncommitted changes are not in it.
  if(NOT GIT)
    message(FATAL_ERROR "fetch_content: no git program given")
  endif()
  execute_process(COMMAND "${GIT}" -C "${MPMC_DIR}" status --porcelain --untracked-files=no
                  OUTPUT_VARIABLE dirty)
  if(dirty)
    message(WARNING "fetch_content: fetches the committed HEAD, without the uncommitted changes")
  endif()
  set(repo "${WORK_DIR}/mpmc.git")
  run("git init" "${GIT}" init --quiet --bare "${repo}")
  # A shallow CI clone can still hand its HEAD on.
  run("git config" "${GIT}" -C "${repo}" config receive.shallowUpdate true)
  run("git push" "${GIT}" -C "${MPMC_DIR}" push --quiet "${repo}" HEAD:refs/heads/main)
  list(APPEND configure_args "-DMPMC_GIT=${repo}")
  set(mpmc_build "_deps/mpmc-build")
elseif(WAY STREQUAL "add_subdirectory")
  file(MAKE_DIRECTORY "${app}/third_party")
  file(CREATE_LINK "${MPMC_DIR}" "${app}/third_party/mpmc" SYMBOLIC)
  set(mpmc_build "third_party/mpmc")
else()
  message(FATAL_ERROR "check.cmake: no way in called '${WAY}'")
endif()

set(build "${WORK_DIR}/build")
run("configuring the project" "${CMAKE_COMMAND}" -S "${app}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" ${configure_args})
# As a subproject, mpmc brings its library and nothing else: no tests, examples or
# benchmarks to configure or build, no install rules in the user's package.
if(mpmc_build)
  foreach(dir tests examples bench)
    if(EXISTS "${build}/${mpmc_build}/${dir}")
      message(FATAL_ERROR "${WAY}: mpmc as a subproject configured its ${dir}/")
    endif()
  endforeach()
  file(READ "${build}/${mpmc_build}/cmake_install.cmake" install_script)
  if(install_script MATCHES "mpmcConfig")
    message(FATAL_ERROR "${WAY}: mpmc as a subproject installs its package")
  endif()
endif()
run("building the project" "${CMAKE_COMMAND}" --build "${build}")
run("the program" "${build}/app")
