// `ariadne audit verify FILE`: checks the hash chain of a server's audit trail and its signed
// heads.
#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "engine/render/json_writer.h"
#include "engine/service/audit.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne audit verify FILE [--public-key HEX|FILE] [--heads FILE] [--unsigned]\n"
    "                            [--expect-head HASH] [--expect-records N] [--json]\n"
    "  checks every record's hash and its link to the previous one (an edited, removed,\n"
    "  inserted or reordered record is reported with its line), and the heads the server signed\n"
    "  into FILE.heads: a log cut at its end or rewritten whole does not match them.\n"
    "  --public-key  the server's key (printed when it starts): heads signed by another key fail\n"
    "  --unsigned    check a log without a heads file by its hash chain alone\n"
    "  A log and heads file cut back together to an earlier signed head form a valid shorter\n"
    "  trail: give the head (or count) noted elsewhere to detect that.\n";

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

// Returns: the public key given as 64 hex digits, or read from a file that holds them.
absl::StatusOr<std::string> PublicKey(const std::string& arg) {
  if (IsHex64(arg)) return arg;
  std::ifstream in(arg);
  std::string word;
  if (!(in >> word)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--public-key ", arg, ": neither 64 hex digits nor a file that holds them"));
  }
  word = absl::AsciiStrToLower(word);
  if (!IsHex64(word)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--public-key ", arg, ": the file does not start with 64 hex digits"));
  }
  return word;
}

}  // namespace

int RunAudit(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"expect-head", true},
                                 {"expect-records", true},
                                 {"public-key", true},
                                 {"heads", true},
                                 {"unsigned", false},
                                 {"json", false}});
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 2 || args->positionals()[0] != "verify") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& path = args->positionals()[1];
  auto expect_records = args->GetInt("expect-records", -1, 0, INT64_MAX);
  if (!expect_records.ok()) return PrintError(expect_records.status());
  service::AuditVerifyOptions vo;
  vo.heads = args->GetOr("heads", "");
  vo.allow_unsigned = args->Has("unsigned");
  if (auto key = args->Get("public-key")) {
    auto k = PublicKey(*key);
    if (!k.ok()) return PrintError(k.status());
    vo.public_key = *k;
  }
  auto chain = service::VerifyAuditTrail(path, vo);
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
      std::printf(
          "{\"ok\":true,\"records\":%llu,\"head\":\"%s\",\"signed_heads\":%llu,"
          "\"last_signed_seq\":%llu,\"key\":\"%s\"}\n",
          static_cast<unsigned long long>(chain->records), chain->head.c_str(),
          static_cast<unsigned long long>(chain->signed_heads),
          static_cast<unsigned long long>(chain->last_signed_seq), chain->key.c_str());
      return 0;
    }
    std::string out;
    render::JsonWriter(&out)
        .BeginObject()
        .Field("ok", false)
        .Field("error", SV(s.message()))
        .EndObject();
    std::printf("%s\n", out.c_str());
    return 1;
  }
  if (!s.ok()) return PrintError(s);
  std::printf("ok: %s records, chain intact, head %s\n", FormatCount(chain->records).c_str(),
              chain->head.c_str());
  if (chain->signed_heads == 0) {
    std::printf("unsigned: no heads file was checked (--unsigned)\n");
  } else {
    std::printf("signed: %s heads match, the last at record %s, by Ed25519 key %s%s\n",
                FormatCount(chain->signed_heads).c_str(),
                FormatCount(chain->last_signed_seq).c_str(), chain->key.c_str(),
                vo.public_key.empty() ? " (compare it with the server's, or pass --public-key)"
                                      : " (the expected key)");
    if (chain->records > chain->last_signed_seq) {
      std::printf(
          "note: the last %s records are not covered by a signed head yet (the server is "
          "running, or did not stop cleanly)\n",
          FormatCount(chain->records - chain->last_signed_seq).c_str());
    }
  }
  return 0;
}

}  // namespace ariadne::cli
