// A named shared-memory segment (<mpmc/shm/segment.hpp>) between processes: what one writes the
// other reads; every header field that differs is named with both values; racing creators agree on
// one; the mode, EEXIST, EACCES, ENOSPC and EFBIG surface as exceptions; an open waits for the
// creator's publish and gives up at its timeout. Each test uses its own name and removes it.
#include "support/processes.hpp"

#include <mpmc/shm/segment.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace {

namespace shm = mpmc::shm;
using mpmc::test::in_eight_racing_children;
using mpmc::test::join;
using mpmc::test::shared_object;
using mpmc::test::spawn;
using namespace std::chrono_literals;

// Removes the test's name however the test ends.
struct scoped_name {
  explicit scoped_name(const char* what) : name(mpmc::test::unique_shm_name(what)) {}
  ~scoped_name() { (void)::shm_unlink(name.c_str()); }
  std::string name;
};

constexpr shm::payload_spec spec_of(std::uint64_t capacity, std::uint64_t policy_hash = 7) {
  return {.capacity = capacity, .policy_hash = policy_hash, .size = capacity * 8, .align = 8};
}

bool exists(const std::string& name) {
  const int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// The message of what `open` throws in a child process ("" if it throws nothing), carried back
// through a pipe.
template <class Open>
std::string error_in_child(Open open) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t pid = spawn([&] {
    ::close(fds[0]);
    std::string message;
    try {
      open();
    } catch (const std::exception& e) {
      message = e.what();
    }
    const bool written =
        ::write(fds[1], message.data(), message.size()) == static_cast<ssize_t>(message.size());
    return written ? 0 : 1;
  });
  ::close(fds[1]);
  std::string message;
  std::array<char, 256> buffer{};
  for (ssize_t n; (n = ::read(fds[0], buffer.data(), buffer.size())) > 0;)
    message.append(buffer.data(), static_cast<std::size_t>(n));
  ::close(fds[0]);
  EXPECT_EQ(join(pid), 0);
  return message;
}

TEST(ShmSegment, WhatOneProcessWritesTheOtherReads) {
  scoped_name n("roundtrip");
  auto created = shm::segment::create<std::uint64_t>(n.name, spec_of(8));
  ASSERT_TRUE(created.created());
  ASSERT_EQ(created.payload_size(), 64u);
  auto* values = static_cast<std::uint64_t*>(created.payload());
  values[0] = 12345;
  created.publish();

  const pid_t pid = spawn([&] {
    auto opened = shm::segment::open<std::uint64_t>(n.name, spec_of(8));
    auto* theirs = static_cast<std::uint64_t*>(opened.payload());
    if (opened.created() || theirs[0] != 12345) return 1;
    theirs[1] = 67890;
    return 0;
  });
  ASSERT_EQ(join(pid), 0);
  EXPECT_EQ(values[1], 67890u);  // the child has exited: its write is in the shared pages
}

TEST(ShmSegment, TheModeIsTheOneAskedForWhateverTheUmask) {
  for (const mode_t mode : {mode_t{0600}, mode_t{0640}, mode_t{0666}}) {
    scoped_name n("mode");
    const mode_t old = ::umask(077);
    auto s = shm::segment::create<int>(n.name, spec_of(1), {.mode = mode});
    ::umask(old);
    const int fd = ::shm_open(n.name.c_str(), O_RDONLY, 0);
    ASSERT_GE(fd, 0);
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    ::close(fd);
    EXPECT_EQ(st.st_mode & 0777, mode);
  }
}

// One test per header field. The first three cannot differ between two builds of this library
// version, so the test writes them into the segment as another build would have.
template <class Field>
std::string corrupted_open_error(Field corrupt) {
  scoped_name n("field");
  auto s = shm::segment::create<int>(n.name, spec_of(4));
  corrupt(const_cast<shm::header&>(s.info()));
  s.publish();
  return error_in_child([&] { (void)shm::segment::open<int>(n.name, spec_of(4)); });
}

TEST(ShmSegmentLayout, Magic) {
  const std::string what = corrupted_open_error([](shm::header& h) { h.magic = 0x1234; });
  EXPECT_NE(what.find("magic: segment 0x0000000000001234, this process 0x6d706d632d73686d"),
            std::string::npos)
      << what;
}

TEST(ShmSegmentLayout, FormatVersion) {
  const std::string what = corrupted_open_error([](shm::header& h) { h.format_version = 9; });
  EXPECT_NE(what.find("format version: segment 9, this process 1"), std::string::npos) << what;
}

TEST(ShmSegmentLayout, PointerWidth) {
  const std::string what = corrupted_open_error([](shm::header& h) { h.pointer_width = 32; });
  EXPECT_NE(what.find("pointer width: segment 32, this process 64"), std::string::npos) << what;
}

struct bytes24 {
  char c[24];
};
struct bytes32 {
  char c[32];
};
struct alignas(8) aligned8 {
  char c[16];
};
struct alignas(16) aligned16 {
  char c[16];
};

TEST(ShmSegmentLayout, SizeofT) {
  scoped_name n("sizeof");
  auto s = shm::segment::create<bytes24>(n.name, spec_of(4), {.type_name = "element"});
  s.publish();
  const std::string what = error_in_child(
      [&] { (void)shm::segment::open<bytes32>(n.name, spec_of(4), {.type_name = "element"}); });
  EXPECT_NE(what.find("sizeof(T): segment 24, this process 32"), std::string::npos) << what;
}

TEST(ShmSegmentLayout, AlignofT) {
  scoped_name n("alignof");
  auto s = shm::segment::create<aligned8>(n.name, spec_of(4), {.type_name = "element"});
  s.publish();
  const std::string what = error_in_child(
      [&] { (void)shm::segment::open<aligned16>(n.name, spec_of(4), {.type_name = "element"}); });
  EXPECT_NE(what.find("alignof(T): segment 8, this process 16"), std::string::npos) << what;
}

TEST(ShmSegmentLayout, TypeTag) {
  scoped_name n("tag");
  auto s = shm::segment::create<int>(n.name, spec_of(4), {.type_name = "order"});
  s.publish();
  const std::string what = error_in_child(
      [&] { (void)shm::segment::open<int>(n.name, spec_of(4), {.type_name = "trade"}); });
  const std::string expected = "type tag: segment " + shm::detail::hex(shm::fnv1a("order")) +
                               ", this process " + shm::detail::hex(shm::fnv1a("trade"));
  EXPECT_NE(what.find(expected), std::string::npos) << what;
}

TEST(ShmSegmentLayout, DefaultTypeTagIsTheTypesName) {
  EXPECT_EQ(shm::type_name<int>(), "int");
  EXPECT_TRUE(shm::type_name<bytes24>().ends_with("::bytes24")) << shm::type_name<bytes24>();
  scoped_name n("typename");
  auto s = shm::segment::create<std::int32_t>(n.name, spec_of(4));
  s.publish();
  EXPECT_EQ(s.info().type_tag, shm::fnv1a("int"));
  const std::string what =
      error_in_child([&] { (void)shm::segment::open<float>(n.name, spec_of(4)); });
  EXPECT_NE(what.find("type tag: segment "), std::string::npos) << what;
}

TEST(ShmSegmentLayout, Capacity) {
  scoped_name n("capacity");
  auto s = shm::segment::create<int>(n.name, spec_of(8));
  s.publish();
  const std::string what =
      error_in_child([&] { (void)shm::segment::open<int>(n.name, spec_of(16)); });
  EXPECT_NE(what.find("capacity: segment 8, this process 16"), std::string::npos) << what;
  // Capacity 0 takes the segment's.
  EXPECT_EQ(error_in_child([&] { (void)shm::segment::open<int>(n.name, spec_of(0)); }), "");
}

TEST(ShmSegmentLayout, PolicyHash) {
  scoped_name n("policy");
  auto s = shm::segment::create<int>(n.name, spec_of(4, 0xabc));
  s.publish();
  const std::string what =
      error_in_child([&] { (void)shm::segment::open<int>(n.name, spec_of(4, 0xdef)); });
  EXPECT_NE(what.find("policy hash: segment 0x0000000000000abc, this process 0x0000000000000def"),
            std::string::npos)
      << what;
}

TEST(ShmSegmentLayout, ErrorIsALayoutError) {
  scoped_name n("kind");
  auto s = shm::segment::create<int>(n.name, spec_of(4, 1));
  s.publish();
  EXPECT_THROW((void)shm::segment::open<int>(n.name, spec_of(4, 2)), shm::layout_error);
}

TEST(ShmSegment, ExclusiveCreateOfAnExistingNameIsEEXIST) {
  scoped_name n("eexist");
  auto first = shm::segment::create<int>(n.name, spec_of(4));
  first.publish();
  const std::string what = error_in_child([&] {
    try {
      (void)shm::segment::create<int>(n.name, spec_of(4));
    } catch (const std::system_error& e) {
      if (e.code() == std::errc::file_exists) throw;
      throw std::runtime_error("wrong code");
    }
  });
  EXPECT_NE(what.find("shm_open"), std::string::npos) << what;
  EXPECT_NE(what.find(std::strerror(EEXIST)), std::string::npos) << what;
}

TEST(ShmSegment, EightRacingCreatorsAgreeOnOne) {
  struct board {
    std::array<std::atomic<int>, 8> created{};
    std::array<std::atomic<std::uint64_t>, 8> seen{};
  };
  for (int round = 0; round < 5; ++round) {
    scoped_name n("race");
    shared_object<board> b;
    in_eight_racing_children([&](int i) {
      auto s = shm::segment::create<std::uint64_t>(n.name, spec_of(4),
                                                   {.how = shm::creation::open_or_create});
      auto* value = static_cast<std::uint64_t*>(s.payload());
      if (s.created()) {
        *value = 1000 + static_cast<std::uint64_t>(i);
        s.publish();
      }
      // seq_cst (the board): a tally the parent reads after joining.
      b->created[i].store(s.created() ? 1 : 0);
      b->seen[i].store(*value);
      return 0;
    });
    int creators = 0;
    int creator = -1;
    for (int i = 0; i < 8; ++i)
      if (b->created[i].load() != 0) {
        ++creators;
        creator = i;
      }
    ASSERT_EQ(creators, 1);
    for (int i = 0; i < 8; ++i)
      EXPECT_EQ(b->seen[i].load(), 1000u + static_cast<std::uint64_t>(creator)) << "child " << i;
  }
}

// Exclusive creation (the default) by eight processes at once: one creates, the seven others
// get EEXIST, none a segment half made.
TEST(ShmSegment, EightRacingExclusiveCreatorsOneWinsSevenGetEEXIST) {
  for (int round = 0; round < 5; ++round) {
    scoped_name n("xrace");
    shared_object<std::array<std::atomic<int>, 8>> outcome;  // 1 created, 2 EEXIST, 3 other
    in_eight_racing_children([&](int i) {
      try {
        auto s = shm::segment::create<std::uint64_t>(n.name, spec_of(4));
        s.publish();
        (*outcome)[i].store(1);  // seq_cst: a tally the parent reads after joining
      } catch (const std::system_error& e) {
        (*outcome)[i].store(e.code() == std::errc::file_exists ? 2 : 3);
      }
      return 0;
    });
    int created = 0, exists = 0;
    for (int i = 0; i < 8; ++i) {
      created += (*outcome)[i].load() == 1;
      exists += (*outcome)[i].load() == 2;
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(exists, 7);
  }
}

TEST(ShmSegment, AnotherUsersOpenOfA0600SegmentIsEACCES) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to become another user";
  scoped_name n("eacces");
  auto s = shm::segment::create<int>(n.name, spec_of(4), {.mode = 0600});
  s.publish();
  const pid_t pid = spawn([&] {
    const passwd* nobody = ::getpwnam("nobody");
    const uid_t uid = nobody != nullptr ? nobody->pw_uid : 65534;
    const gid_t gid = nobody != nullptr ? nobody->pw_gid : 65534;
    if (::setgid(gid) != 0 || ::setuid(uid) != 0) return mpmc::test::child_skipped;
    try {
      (void)shm::segment::open<int>(n.name, spec_of(4));
    } catch (const std::system_error& e) {
      return e.code() == std::errc::permission_denied ? 0 : 2;
    }
    return 1;
  });
  const int status = join(pid);
  if (status == mpmc::test::child_skipped) GTEST_SKIP() << "setuid(nobody) failed";
  EXPECT_EQ(status, 0);
}

// posix_fallocate on tmpfs refuses a size beyond the file system's own size at once, with ENOSPC,
// allocating nothing; an unlimited tmpfs (size=0) would try, so the test skips there.
TEST(ShmSegment, ASizeTheFileSystemCannotHoldIsENOSPCAndLeavesNoName) {
  struct statvfs fs {};
  if (::statvfs("/dev/shm", &fs) != 0 || fs.f_blocks == 0)
    GTEST_SKIP() << "/dev/shm has no size limit";
  const std::uint64_t huge = std::uint64_t{1} << 60;
  ASSERT_GT(huge, static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize);
  scoped_name n("enospc");
  try {
    (void)shm::segment::create<char>(n.name, {.capacity = huge, .size = huge});
    FAIL() << "created";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_space_on_device) << e.what();
    EXPECT_NE(std::string(e.what()).find("posix_fallocate"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(exists(n.name));
}

TEST(ShmSegment, ASizeBeyondOffTIsEFBIG) {
  scoped_name n("efbig");
  try {
    (void)shm::segment::create<char>(n.name, {.capacity = 1, .size = ~std::size_t{0}});
    FAIL() << "created";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_too_large) << e.what();
  }
  EXPECT_FALSE(exists(n.name));
}

TEST(ShmSegment, OpenWaitsForTheCreatorToPublish) {
  scoped_name n("wait");
  auto s = shm::segment::create<std::uint64_t>(n.name, spec_of(4));
  const pid_t pid = spawn([&] {
    auto opened = shm::segment::open<std::uint64_t>(n.name, spec_of(4), {.timeout = 10s});
    return *static_cast<std::uint64_t*>(opened.payload()) == 4242 ? 0 : 1;
  });
  std::this_thread::sleep_for(100ms);  // the child is (most likely) waiting; correct either way
  *static_cast<std::uint64_t*>(s.payload()) = 4242;
  s.publish();
  EXPECT_EQ(join(pid), 0);
}

TEST(ShmSegment, OpenOfASegmentNeverPublishedTimesOut) {
  scoped_name n("timeout");
  auto s = shm::segment::create<int>(n.name, spec_of(4));
  const pid_t pid = spawn([&] {
    const auto start = std::chrono::steady_clock::now();
    try {
      (void)shm::segment::open<int>(n.name, spec_of(4), {.timeout = 200ms});
    } catch (const std::system_error& e) {
      const bool waited = std::chrono::steady_clock::now() - start >= 200ms;
      return e.code() == std::errc::timed_out && waited ? 0 : 2;
    }
    return 1;
  });
  EXPECT_EQ(join(pid), 0);
}

// A creator stopped between shm_open and posix_fallocate leaves a name of size 0.
TEST(ShmSegment, OpenOfASegmentNeverSizedTimesOut) {
  scoped_name n("unsized");
  const int fd = ::shm_open(n.name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string what = error_in_child(
      [&] { (void)shm::segment::open<int>(n.name, spec_of(4), {.timeout = 100ms}); });
  EXPECT_NE(what.find("size the segment"), std::string::npos) << what;
  EXPECT_NE(what.find(std::strerror(ETIMEDOUT)), std::string::npos) << what;
}

// A creator killed before it publishes (here: _exit, which runs no destructor) leaves its name;
// an opener learns at once that nobody will publish it, rather than at its timeout.
TEST(ShmSegment, OpenOfASegmentWhoseCreatorDiedIsOwnerDead) {
  scoped_name n("orphan");
  const pid_t creator = spawn([&] {
    auto s = shm::segment::create<int>(n.name, spec_of(4));
    ::_exit(0);
    return 1;
  });
  ASSERT_EQ(join(creator), 0);  // reaped: a zombie still answers kill(pid, 0)
  ASSERT_TRUE(exists(n.name));
  try {
    (void)shm::segment::open<int>(n.name, spec_of(4), {.timeout = 30s});
    FAIL() << "opened";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::owner_dead) << e.what();  // not timed_out
  }
}

TEST(ShmSegment, ACreatorThatNeverPublishesRemovesTheName) {
  scoped_name n("unpublished");
  {
    auto s = shm::segment::create<int>(n.name, spec_of(4));
    auto moved = std::move(s);  // the duty moves with the segment
    EXPECT_TRUE(exists(n.name));
  }
  EXPECT_FALSE(exists(n.name));
  auto again = shm::segment::create<int>(n.name, spec_of(4));
  again.publish();
  { auto copy = std::move(again); }
  EXPECT_TRUE(exists(n.name));
}

TEST(ShmSegment, OpenOfAMissingNameIsENOENTAndRemoveSaysFalse) {
  const std::string name = mpmc::test::unique_shm_name("missing");
  try {
    (void)shm::segment::open<int>(name, spec_of(4));
    FAIL() << "opened";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
  }
  EXPECT_FALSE(shm::segment::remove(name));
}

}  // namespace
