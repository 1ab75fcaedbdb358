// Who may call the service: named bearer tokens with roles, read from a token file, and the one
// table saying which role each method needs.
//
// Token file: one token per line, `NAME ROLE SECRET`, separated by blanks; `#` starts a comment;
// blank lines are ignored. NAME is [A-Za-z0-9._@-]{1,64} and names the principal in the audit
// trail; ROLE is `analyst` or `admin`; SECRET is 16 to 256 printable ASCII characters without
// blanks (e.g. `openssl rand -hex 32`). Names and secrets are unique. Clients send
// `authorization: Bearer SECRET` metadata. Only SHA-256 digests of the secrets are kept in memory,
// and a presented secret is compared against every digest in constant time.
#ifndef ARIADNE_ENGINE_SERVICE_AUTH_H_
#define ARIADNE_ENGINE_SERVICE_AUTH_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ariadne::service {

// Roles are ordered: a role may call every method a lower role may.
enum class Role : uint8_t { kAnalyst = 0, kAdmin = 1 };

// Returns: "analyst" or "admin".
std::string_view RoleName(Role role);

// The caller of one request, as the audit trail names it.
struct Principal {
  std::string name;
  Role role = Role::kAnalyst;
};

class TokenTable {
 public:
  // Parses the token file format above.
  // Returns: INVALID_ARGUMENT naming the line (never the secret) for a malformed line, an unknown
  // role, a short or long secret, or a repeated name or secret; INVALID_ARGUMENT for a file
  // without any token.
  static absl::StatusOr<TokenTable> Parse(std::string_view text);
  // Reads and parses a token file. Returns: NOT_FOUND when it cannot be read; Parse's errors,
  // prefixed with the path.
  static absl::StatusOr<TokenTable> Load(const std::filesystem::path& path);

  // Args: authorization: the value of the request's `authorization` metadata, empty when absent.
  // Returns: the principal owning the token; UNAUTHENTICATED for a missing header, a header that
  // is not `Bearer SECRET`, or an unknown secret (the message never repeats what was sent).
  absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Principal principal;
    std::array<uint8_t, 32> digest;  // SHA-256 of the secret
  };
  std::vector<Entry> entries_;
};

// Returns: the role a method needs, from the method rule table in auth.cc. Methods of the query
// service (/ariadne.v1.Ariadne/...) need analyst; everything else (admin and ops services, unknown
// methods) needs admin.
// Args: method: the full gRPC method path, e.g. "/ariadne.v1.Ariadne/Trace".
Role RequiredRole(std::string_view method);

// Returns: OK when `principal` may call `method`; PERMISSION_DENIED naming both otherwise.
absl::Status Authorize(const Principal& principal, std::string_view method);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_AUTH_H_
