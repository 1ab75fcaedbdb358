#include "tests/indexer/evm/etl_files.h"

#include <simdjson.h>

#include <regex>
#include <sstream>

#include "tests/testutil.h"

namespace ariadne::evm::testing {

using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;

// A CSV file as rows of column name -> text (quoted fields may hold commas).
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& rel) {
  std::istringstream in(ReadFileText(TestData(kEtl + rel)));
  std::vector<std::map<std::string, std::string>> rows;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> f(1);
    bool quoted = false;
    for (char c : l) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        f.emplace_back();
      } else if (c != '\r') {
        f.back().push_back(c);
      }
    }
    return f;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split(line);
    if (header.empty()) {
      header = f;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(row);
  }
  return rows;
}

// JSON-lines exports as rows of field -> text ("" for null; numbers and strings as written).
std::vector<std::map<std::string, std::string>> ReadJsonLines(const std::string& rel) {
  std::vector<std::map<std::string, std::string>> rows;
  std::istringstream in(ReadFileText(TestData(kEtl + rel)));
  std::string line;
  simdjson::dom::parser parser;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    // Amounts above 2^64 are bare JSON numbers in these exports: quote them for the parser.
    line = std::regex_replace(line, std::regex(R"(: (\d{16,}))"), ": \"$1\"");
    simdjson::dom::element doc = parser.parse(line).value();
    std::map<std::string, std::string> row;
    for (auto [k, v] : doc.get_object()) {
      std::string text;
      if (v.is_string()) {
        text = std::string(v.get_string().value());
      } else if (v.is_array()) {
        for (auto e : v.get_array())
          text += (text.empty() ? "" : ",") + std::string(e.get_string().value());
      } else if (!v.is_null()) {
        text = simdjson::minify(v);
      }
      row[std::string(k)] = text;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace ariadne::evm::testing
