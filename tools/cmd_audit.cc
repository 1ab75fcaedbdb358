// `ariadne audit verify FILE`: checks the hash chain of a server's audit trail.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "engine/service/audit.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne audit verify FILE [--expect-head HASH] [--expect-records N] [--json]\n"
    "  checks every record's hash and its link to the previous one: an edited, removed,\n"
    "  inserted or reordered record is reported with its line. Records cut from the end leave a\n"
    "  valid shorter chain: give the head (or count) noted earlier to detect that.\n";

}  // namespace

int RunAudit(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"expect-head", true}, {"expect-records", true}, {"json", false}});
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 2 || args->positionals()[0] != "verify") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& path = args->positionals()[1];
  auto expect_records = args->GetInt("expect-records", -1, 0, INT64_MAX);
  if (!expect_records.ok()) return PrintError(expect_records.status());
  auto chain = service::VerifyAuditLog(path);
  absl::Status s = chain.status();
  if (s.ok() && args->Has("expect-head") && chain->head != *args->Get("expect-head")) {
    s = absl::DataLossError(absl::StrCat(path, ": the head is ", chain->head, ", expected ",
                                         *args->Get("expect-head"),
                                         ": records were removed from the end (or added)"));
  }
  if (s.ok() && *expect_records >= 0 && chain->records != static_cast<uint64_t>(*expect_records)) {
    s = absl::DataLossError(
        absl::StrCat(path, ": ", chain->records, " records, expected ", *expect_records));
  }
  if (args->Has("json")) {
    if (s.ok()) {
      std::printf("{\"ok\":true,\"records\":%llu,\"head\":\"%s\"}\n",
                  static_cast<unsigned long long>(chain->records), chain->head.c_str());
      return 0;
    }
    std::string out;
    JsonWriter(&out).BeginObject().Field("ok", false).Field("error", SV(s.message())).EndObject();
    std::printf("%s\n", out.c_str());
    return 1;
  }
  if (!s.ok()) return PrintError(s);
  std::printf("ok: %s records, chain intact, head %s\n", FormatCount(chain->records).c_str(),
              chain->head.c_str());
  return 0;
}

}  // namespace ariadne::cli
