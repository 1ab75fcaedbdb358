// ethereum-etl's expected exports (CSV and JSON lines) as rows of field -> text, for tests that
// compare decoded or stored data with them.
#ifndef ARIADNE_TESTS_EVM_ETL_FILES_H_
#define ARIADNE_TESTS_EVM_ETL_FILES_H_

#include <map>
#include <string>
#include <vector>

namespace ariadne::evm::testing {

// ethereum-etl's test resources, relative to the chaindata folder.
inline constexpr const char* kEtl = "ethereum-etl/tests/resources/";

// Args: rel: a path under kEtl.
// Returns: a CSV file as rows of column name -> text (quoted fields may hold commas).
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& rel);
// Returns: JSON-lines exports as rows of field -> text ("" for null; numbers and strings as
//          written; arrays joined with commas).
std::vector<std::map<std::string, std::string>> ReadJsonLines(const std::string& rel);

}  // namespace ariadne::evm::testing

#endif  // ARIADNE_TESTS_EVM_ETL_FILES_H_
