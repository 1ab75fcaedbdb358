#include "tests/testutil.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ariadne::testing {
namespace {

struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    if (std::getenv("ARIADNE_KEEP_TEMP") != nullptr) return;
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};

TempDirs& Temps() {
  static TempDirs* temps = new TempDirs();  // removed by the atexit hook below
  return *temps;
}

}  // namespace

std::filesystem::path TestDataDir() {
  if (const char* env = std::getenv("ARIADNE_TESTDATA"); env != nullptr && *env != '\0') {
    return env;
  }
  return ARIADNE_DEFAULT_TESTDATA;
}

bool HaveTestData() { return std::filesystem::is_directory(TestDataDir() / "_derived"); }

std::filesystem::path TestData(const std::string& relative) { return TestDataDir() / relative; }

std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path MakeTempDir(const std::string& name) {
  static const bool registered = [] {
    std::atexit([] { Temps().~TempDirs(); });
    return true;
  }();
  (void)registered;
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path root = base ? base : std::filesystem::temp_directory_path();
  std::filesystem::path dir = root / ("ariadne-" + name + "-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(Temps().dirs.size()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Temps().dirs.push_back(dir);
  return dir;
}

}  // namespace ariadne::testing
