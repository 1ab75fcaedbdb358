// The server's TLS material, read from PEM files and checked with OpenSSL before gRPC gets it:
// gRPC 1.51 accepts a malformed certificate or a key of another certificate and then fails (or
// crashes) when it sets up the port, without saying which file is wrong.
#ifndef ARIADNE_ENGINE_SERVICE_TLS_MATERIAL_H_
#define ARIADNE_ENGINE_SERVICE_TLS_MATERIAL_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace ariadne::service {

// PEM contents (not paths) of the server's TLS material.
struct TlsMaterial {
  std::string cert_chain;  // the server's certificate (chain)
  std::string private_key;
  // Default empty: no client certificates. Set: mutual TLS, every client must present a
  // certificate signed by one of these CAs.
  std::string client_ca;
};

// Reads and checks PEM files: every certificate of `cert` and `client_ca` parses, `key` is an
// unencrypted private key, and it is the key of the first certificate of `cert`.
// Args: client_ca: empty for no client certificates.
// Returns: NOT_FOUND naming a file that cannot be read; INVALID_ARGUMENT naming the file that is
// not PEM, does not parse, or a key that does not match the certificate.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& cert,
                                            const std::filesystem::path& key,
                                            const std::filesystem::path& client_ca);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_TLS_MATERIAL_H_
