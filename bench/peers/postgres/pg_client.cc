#include "bench/peers/postgres/pg_client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ariadne::bench::peers {
namespace {

std::string Message(PGconn* conn) {
  return std::string(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL (", conninfo, "): ", Message(conn)));
    PQfinish(conn);
    return s;
  }
  // The trace functions' CREATE TEMP TABLE IF NOT EXISTS notices, one per call, are not news.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

absl::StatusOr<PgResult> PgConnection::Check(PGresult* r) {
  if (r == nullptr) return absl::InternalError(Message(conn_));
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string msg(absl::StripTrailingAsciiWhitespace(PQresultErrorMessage(r)));
    PQclear(r);
    return absl::InternalError(msg);
  }
  return PgResult(r);
}

absl::Status PgConnection::Prepare(const std::string& name, const std::string& sql) {
  PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  auto checked = Check(r);
  if (!checked.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("preparing ", name, ": ", checked.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PgConnection::ExecPrepared(const std::string& name,
                                                    const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  return Check(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                              nullptr, nullptr, 0));
}

absl::StatusOr<PgResult> PgConnection::Exec(const std::string& sql) {
  return Check(PQexec(conn_, sql.c_str()));
}

}  // namespace ariadne::bench::peers
