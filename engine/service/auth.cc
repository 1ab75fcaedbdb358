#include "engine/service/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/core/strings.h"

namespace ariadne::service {
namespace {

// The method rule table: the first rule whose prefix matches a method gives the role it needs.
// Add admin or ops services here (e.g. "/ariadne.v1.Admin/") with Role::kAdmin.
struct MethodRule {
  std::string_view prefix;
  Role role;
};
constexpr MethodRule kMethodRules[] = {
    {"/ariadne.v1.Ariadne/", Role::kAnalyst},    // every query method
    {"/ariadne.v1.Watchlist/", Role::kAnalyst},  // a case's watches and alerts
    {"/ariadne.v1.Admin/", Role::kAdmin},        // admin and ops methods
};
// Methods no rule names.
constexpr Role kDefaultRole = Role::kAdmin;

constexpr size_t kMinSecret = 16;
constexpr size_t kMaxSecret = 256;

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '@' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

bool ValidSecret(std::string_view secret) {
  if (secret.size() < kMinSecret || secret.size() > kMaxSecret) return false;
  for (char c : secret) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::array<uint8_t, 32> Digest(std::string_view s) {
  std::array<uint8_t, 32> d;
  SHA256(reinterpret_cast<const uint8_t*>(s.data()), s.size(), d.data());
  return d;
}

}  // namespace

std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "analyst"; }

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text) {
  TokenTable table;
  absl::flat_hash_set<std::string> names;
  absl::flat_hash_set<std::string> digests;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(AV(text), '\n')) {
    ++line_no;
    absl::string_view line = raw;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat("token file line ", line_no,
                                                     ": expected `NAME ROLE SECRET`, found ",
                                                     fields.size(), " field(s)"));
    }
    Entry e;
    e.principal.name = std::string(fields[0]);
    if (!ValidName(e.principal.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file line ", line_no, ": name must be 1-64 of [A-Za-z0-9._@-]"));
    }
    if (fields[1] == "analyst") {
      e.principal.role = Role::kAnalyst;
    } else if (fields[1] == "admin") {
      e.principal.role = Role::kAdmin;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("token file line ", line_no, ": role '",
                                                     fields[1], "' is not analyst or admin"));
    }
    if (!ValidSecret(SV(fields[2]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_no, ": the secret of ", e.principal.name, " must be ",
          kMinSecret, "-", kMaxSecret, " printable characters without blanks"));
    }
    e.digest = Digest(SV(fields[2]));
    if (!names.insert(e.principal.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file line ", line_no, ": name ", e.principal.name, " is repeated"));
    }
    if (!digests.insert(std::string(e.digest.begin(), e.digest.end())).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_no, ": the secret of ", e.principal.name, " is used twice"));
    }
    table.entries_.push_back(std::move(e));
  }
  if (table.entries_.empty()) return absl::InvalidArgumentError("the token file has no token");
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read token file ", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  auto table = Parse(ss.str());
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat(path.string(), ": ", table.status().message()));
  }
  return table;
}

absl::StatusOr<Principal> TokenTable::Authenticate(std::string_view authorization) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "missing `authorization: Bearer TOKEN` metadata (the server requires a token)");
  }
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(AV(authorization.substr(0, kBearer.size())), AV(kBearer))) {
    return absl::UnauthenticatedError("the authorization metadata is not `Bearer TOKEN`");
  }
  const std::array<uint8_t, 32> presented = Digest(authorization.substr(kBearer.size()));
  // Every digest is compared, whatever matched before: the time taken does not depend on which
  // token (if any) matches, nor on how many bytes of it do.
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    const bool match = CRYPTO_memcmp(e.digest.data(), presented.data(), presented.size()) == 0;
    found = match ? &e : found;
  }
  if (found == nullptr) return absl::UnauthenticatedError("unknown or revoked token");
  return found->principal;
}

Role RequiredRole(std::string_view method) {
  for (const MethodRule& rule : kMethodRules) {
    if (method.substr(0, rule.prefix.size()) == rule.prefix) return rule.role;
  }
  return kDefaultRole;
}

absl::Status Authorize(const Principal& principal, std::string_view method) {
  const Role needed = RequiredRole(method);
  if (static_cast<uint8_t>(principal.role) >= static_cast<uint8_t>(needed)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(principal.name, " (", AV(RoleName(principal.role)), ") may not call ",
                   AV(method), ": it needs the ", AV(RoleName(needed)), " role"));
}

}  // namespace ariadne::service
