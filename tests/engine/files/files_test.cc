// The file layer beside the store: checked files come back only when intact and bound to the
// state asked for; mapped files grow and keep what was written.
#include <fstream>

#include "engine/files/checked_file.h"
#include "engine/files/flat_array.h"
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

constexpr files::FlatSpec kPairs{"pairs", 16};

TEST(FlatArray, ReadersMapTheCommittedLengthAndWritersCutTheRest) {
  const auto path = MakeTempDir("flat") / "sub" / "pairs.bin";
  uint64_t committed = 0;
  {
    auto w = files::FlatArrayWriter::Open(path, kPairs, 0, 0);
    ASSERT_THAT(w, IsOk());
    for (uint64_t i = 0; i < 100'000; ++i) {
      const uint64_t rec[2] = {i, i * 3};
      ASSERT_THAT((*w)->Append(rec, 1), IsOk());
    }
    ASSERT_THAT((*w)->Sync(), IsOk());
    committed = (*w)->count();
    // Appended but never committed: what a killed run leaves.
    const uint64_t tail[2] = {7, 7};
    ASSERT_THAT((*w)->Append(tail, 1), IsOk());
    EXPECT_GE((*w)->capacity(), committed + 1);
  }
  EXPECT_GT(std::filesystem::file_size(path), files::kFlatHeaderBytes + committed * 16);
  {
    auto r = files::FlatArrayReader::Open(path, kPairs, committed);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ((*r)->count(), committed);
    EXPECT_EQ((*r)->As<uint64_t>()[2 * 99'999 + 1], 99'999u * 3);
  }
  {
    auto w = files::FlatArrayWriter::Open(path, kPairs, committed, committed);
    ASSERT_THAT(w, IsOk());
    EXPECT_EQ((*w)->count(), committed);
    uint64_t seen[2];
    std::memcpy(seen, (*w)->At(committed), 16);  // the tail stays readable until cut
    EXPECT_EQ(seen[0], 7u);
    ASSERT_THAT((*w)->Trim(committed), IsOk());
  }
  EXPECT_EQ(std::filesystem::file_size(path), files::kFlatHeaderBytes + committed * 16);
}

TEST(FlatArray, ShortCorruptForeignAndMissingFilesAreDataLossNamingTheFile) {
  const auto dir = MakeTempDir("flat-bad");
  {
    auto w = files::FlatArrayWriter::Open(dir / "a.bin", kPairs, 0, 0);
    ASSERT_THAT(w, IsOk());
    const uint64_t rec[4] = {1, 2, 3, 4};
    ASSERT_THAT((*w)->Append(rec, 2), IsOk());
    ASSERT_THAT((*w)->Trim(0), IsOk());
  }
  // Shorter than committed, for both sides.
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "a.bin", kPairs, 3),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "a.bin: holds 2 records, fewer"));
  EXPECT_THAT(files::FlatArrayWriter::Open(dir / "a.bin", kPairs, 3, 3),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "a.bin: holds 2 records, fewer"));
  // Another record size or name: another array.
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "a.bin", files::FlatSpec{"pairs", 8}, 1),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "not the flat array 'pairs' of 8"));
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "a.bin", files::FlatSpec{"other", 16}, 1),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "a.bin: not the flat array"));
  // One flipped bit in the header.
  {
    std::fstream f(dir / "a.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x01');
  }
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "a.bin", kPairs, 1),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "a.bin: bad header checksum"));
  EXPECT_THAT(files::FlatArrayWriter::Open(dir / "a.bin", kPairs, 1, 1),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "a.bin: bad header checksum"));
  // Shorter than a header.
  std::ofstream(dir / "b.bin") << "ARIFLAT1";
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "b.bin", kPairs, 0),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "b.bin: shorter than its header"));
  EXPECT_THAT(files::FlatArrayReader::Open(dir / "none.bin", kPairs, 0),
              StatusIsWithMessage(absl::StatusCode::kNotFound, "none.bin: missing"));
}

}  // namespace
}  // namespace ariadne::testing
