// A PostgreSQL connection through libpq for bench/peers/postgres: one persistent connection, named
// prepared statements, text results kept whole in client memory (as any libpq client gets them).
#ifndef ARIADNE_BENCH_PEERS_POSTGRES_PG_CLIENT_H_
#define ARIADNE_BENCH_PEERS_POSTGRES_PG_CLIENT_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ariadne::bench::peers {

// A query's result: rows of text values (NULL is reported separately).
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const { return PQntuples(r_.get()); }
  int columns() const { return PQnfields(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  // Returns: the value's text ("" for NULL).
  absl::string_view Get(int row, int col) const {
    return absl::string_view(PQgetvalue(r_.get(), row, col),
                             static_cast<size_t>(PQgetlength(r_.get(), row, col)));
  }

 private:
  struct Deleter {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Deleter> r_;
};

class PgConnection {
 public:
  // Args: conninfo: a libpq connection string, e.g. "host=/tmp/sock user=postgres dbname=x".
  // Returns: UNAVAILABLE with libpq's message when the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Prepares `sql` as statement `name` on this connection.
  // Returns: INVALID_ARGUMENT with the server's message when it does not parse.
  absl::Status Prepare(const std::string& name, const std::string& sql);

  // Runs a prepared statement with text parameters.
  // Returns: the rows, or INTERNAL with the server's message.
  absl::StatusOr<PgResult> ExecPrepared(const std::string& name,
                                        const std::vector<std::string>& params);

  // Runs one SQL statement without parameters (setup, sampling).
  absl::StatusOr<PgResult> Exec(const std::string& sql);

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  absl::StatusOr<PgResult> Check(PGresult* r);

  PGconn* conn_;
};

}  // namespace ariadne::bench::peers

#endif  // ARIADNE_BENCH_PEERS_POSTGRES_PG_CLIENT_H_
