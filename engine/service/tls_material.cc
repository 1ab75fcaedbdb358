#include "engine/service/tls_material.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/service/openssl_ptr.h"

namespace ariadne::service {
namespace {

using Bio = BioPtr;
using Cert = X509Ptr;
using Pkey = PkeyPtr;

// Returns: OpenSSL's last error as text ("" when none), clearing the queue.
std::string OpenSslError() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return absl::StrCat(" (", buf, ")");
}

absl::StatusOr<std::string> ReadPem(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path.string(), " is not PEM"));
  }
  return pem;
}

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Parses every certificate of a PEM text. Returns: the first; INVALID_ARGUMENT when none parses or
// one of them is malformed.
absl::StatusOr<Cert> ParseCertificates(const std::string& pem, const std::filesystem::path& path,
                                       const char* what) {
  ERR_clear_error();
  Bio bio = MemoryBio(pem);
  Cert first;
  int count = 0;
  for (;;) {
    Cert c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (c == nullptr) break;
    if (first == nullptr) first = std::move(c);
    ++count;
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a malformed certificate.
  const unsigned long e = ERR_peek_last_error();
  const bool at_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  if (count == 0 || (e != 0 && !at_end)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " ", path.string(),
        e != 0 && !at_end ? " holds a malformed certificate" : " holds no PEM certificate",
        OpenSslError()));
  }
  ERR_clear_error();
  return first;
}

// An encrypted key would make OpenSSL ask for a passphrase on the terminal: refuse instead.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& cert,
                                            const std::filesystem::path& key,
                                            const std::filesystem::path& client_ca) {
  TlsMaterial m;
  auto c = ReadPem(cert, "TLS certificate");
  if (!c.ok()) return c.status();
  m.cert_chain = *std::move(c);
  auto k = ReadPem(key, "TLS key");
  if (!k.ok()) return k.status();
  m.private_key = *std::move(k);
  if (!client_ca.empty()) {
    auto ca = ReadPem(client_ca, "TLS client CA");
    if (!ca.ok()) return ca.status();
    m.client_ca = *std::move(ca);
    auto cas = ParseCertificates(m.client_ca, client_ca, "TLS client CA");
    if (!cas.ok()) return cas.status();
  }
  auto leaf = ParseCertificates(m.cert_chain, cert, "TLS certificate");
  if (!leaf.ok()) return leaf.status();
  ERR_clear_error();
  Bio bio = MemoryBio(m.private_key);
  Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS key ", key.string(),
                     " is not an unencrypted PEM private key (encrypted keys are not supported)",
                     OpenSslError()));
  }
  if (X509_check_private_key(leaf->get(), pkey.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("TLS key ", key.string(),
                                                   " does not match the certificate ",
                                                   cert.string(), OpenSslError()));
  }
  return m;
}

}  // namespace ariadne::service
