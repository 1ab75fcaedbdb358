// Which folders a store may be created in, and which RocksDB databases a writer may open: a store
// is created only in an absent or empty folder, and opened for writing only when it says it is
// Ariadne's (its meta family holds the schema version). The checks read, never write, so that
// neither a folder of the user's files nor another program's database is touched.
#ifndef ARIADNE_ENGINE_STORE_STORE_FOLDER_H_
#define ARIADNE_ENGINE_STORE_STORE_FOLDER_H_

#include <filesystem>

#include "absl/status/status.h"

namespace ariadne::store {

// Returns: OK when a new store may be created in `dir`: absent, empty, or holding only files
//          RocksDB creates (a creation killed early); FAILED_PRECONDITION naming `dir` and one of
//          the files in it otherwise.
absl::Status CheckNewStoreFolder(const std::filesystem::path& dir);

// Opens the RocksDB database in `dir` read-only (no log, no options file) to see whose it is.
// Returns: OK when it is an Ariadne store (the meta family holds a schema version) or what an
//          interrupted creation leaves (only Ariadne's families, all empty); FAILED_PRECONDITION
//          naming `dir` for any other database (a family of another name, or rows without a
//          schema version); the RocksDB error when it cannot be read.
absl::Status CheckAriadneDatabase(const std::filesystem::path& dir);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_STORE_FOLDER_H_
