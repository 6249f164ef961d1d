# A user's build with pkg-config, against an installed mpmc (PKG_CONFIG_PATH names its
# share/pkgconfig if the prefix is not a system one). The lines after this comment are the
# README's pkg-config snippet, verbatim; install.pkg_config runs them with `sh -e`.
# shellcheck shell=sh disable=SC2046 # the flags are meant to split into words
c++ -std=c++20 main.cpp $(pkg-config --cflags --libs mpmc) -pthread -o app
./app
