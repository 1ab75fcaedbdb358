// The file layer beside the store: checked files come back only when intact and bound to the
// state asked for; mapped files grow and keep what was written.
#include <fstream>

#include "engine/files/checked_file.h"
#include "engine/files/mapped_file.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

absl::Status WriteNumbers(const std::filesystem::path& path, std::string_view binding) {
  return files::WriteCheckedFile(path, "TESTFIL1", binding, [](files::CheckedWriter& w) {
    w.Put<uint64_t>(3);
    for (uint32_t v : {7u, 8u, 9u}) w.Put(v);
  });
}

absl::Status ReadNumbers(const std::filesystem::path& path, std::string_view binding,
                         std::vector<uint32_t>* out) {
  return files::ReadCheckedFile(path, "TESTFIL1", binding, [&](files::CheckedReader& r) {
    const uint64_t n = r.Get<uint64_t>();
    if (!r.Fits(n, 4)) return false;
    for (uint64_t i = 0; i < n; ++i) out->push_back(r.Get<uint32_t>());
    return r.ok();
  });
}

TEST(CheckedFile, RoundTripsWhenBoundToTheSameState) {
  const auto path = MakeTempDir("checked") / "a" / "numbers";
  ASSERT_THAT(WriteNumbers(path, "state-1"), IsOk());
  std::vector<uint32_t> got;
  ASSERT_THAT(ReadNumbers(path, "state-1", &got), IsOk());
  EXPECT_EQ(got, (std::vector<uint32_t>{7, 8, 9}));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(CheckedFile, StaleMissingAndCorruptFilesAreNamedErrors) {
  const auto dir = MakeTempDir("checked-bad");
  std::vector<uint32_t> got;
  EXPECT_THAT(ReadNumbers(dir / "none", "s", &got), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_THAT(WriteNumbers(dir / "f", "state-1"), IsOk());
  EXPECT_THAT(ReadNumbers(dir / "f", "state-2", &got),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "stale"));
  // One flipped byte of the content: the checksum no longer matches.
  {
    std::fstream f(dir / "f", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 + 8 + 7 + 8 + 4);
    f.put('\x55');
  }
  EXPECT_THAT(ReadNumbers(dir / "f", "state-1", &got),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "checksum mismatch"));
  // A count that does not fit the file is refused before anything is allocated from it.
  ASSERT_THAT(files::WriteCheckedFile(dir / "g", "TESTFIL1", "s",
                                      [](files::CheckedWriter& w) { w.Put<uint64_t>(1ULL << 60); }),
              IsOk());
  EXPECT_THAT(ReadNumbers(dir / "g", "s", &got),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "bad content"));
  std::ofstream(dir / "h") << "not a checked file at all";
  EXPECT_THAT(ReadNumbers(dir / "h", "s", &got),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "bad magic"));
}

TEST(MappedFile, GrowsAndKeepsWhatWasWrittenAcrossOpens) {
  const auto path = MakeTempDir("mapped") / "m";
  EXPECT_THAT(files::MappedFile::Open(path, false), StatusIs(absl::StatusCode::kNotFound));
  {
    auto f = files::MappedFile::Open(path, true);
    ASSERT_THAT(f, IsOk());
    EXPECT_EQ((*f)->size(), 0u);
    ASSERT_THAT((*f)->Resize(4096), IsOk());
    std::memcpy((*f)->data(), "hello", 5);
    ASSERT_THAT((*f)->Resize(1 << 20), IsOk());  // may move: the bytes stay
    EXPECT_EQ(std::memcmp((*f)->data(), "hello", 5), 0);
    EXPECT_EQ((*f)->data()[(1 << 20) - 1], 0);
    ASSERT_THAT((*f)->Sync(0, 1 << 20), IsOk());
  }
  auto f = files::MappedFile::Open(path, false);
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ((*f)->size(), uint64_t{1} << 20);
  EXPECT_EQ(std::memcmp((*f)->data(), "hello", 5), 0);
}

}  // namespace
}  // namespace ariadne::testing
