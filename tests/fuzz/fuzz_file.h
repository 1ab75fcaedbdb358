// For fuzz targets whose parser reads a file: writes the input to a file in the working directory
// (run_fuzz.sh runs each target in its own folder) and returns its path.
#ifndef ARIADNE_TESTS_FUZZ_FUZZ_FILE_H_
#define ARIADNE_TESTS_FUZZ_FUZZ_FILE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace ariadne::fuzz {

inline std::filesystem::path WriteInput(const std::string& name, const uint8_t* data, size_t size) {
  const std::filesystem::path path = std::filesystem::current_path() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace ariadne::fuzz

#endif  // ARIADNE_TESTS_FUZZ_FUZZ_FILE_H_
