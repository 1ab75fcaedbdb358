#include "engine/service/audit_signature.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"
#include "engine/service/openssl_ptr.h"

namespace ariadne::service {
namespace {

constexpr std::string_view kDomain = "ariadne-audit-head/1\n";
constexpr std::string_view kSigKey = ",\"sig\":\"";
constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

int NoPassphrase(char*, int, int, void*) { return -1; }

// Returns: the value of "name":"value" (or "name":123) in a flat JSON line; empty when absent.
std::string_view Field(std::string_view line, std::string_view name) {
  const std::string key = absl::StrCat("\"", AV(name), "\":");
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return {};
  size_t begin = at + key.size();
  if (begin < line.size() && line[begin] == '"') {
    ++begin;
    const size_t end = line.find('"', begin);
    return end == std::string_view::npos ? std::string_view() : line.substr(begin, end - begin);
  }
  size_t end = begin;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  return line.substr(begin, end - begin);
}

absl::Status BadLine(uint64_t line_no, std::string_view what) {
  return absl::DataLossError(absl::StrCat("signed head at line ", line_no, ": ", AV(what)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditKey>> AuditKey::LoadOrCreate(const std::filesystem::path& path,
                                                                 bool* created) {
  if (created != nullptr) *created = false;
  std::unique_ptr<AuditKey> k(new AuditKey());
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::UnavailableError(
          absl::StrCat("cannot read audit key ", path.string(), ": ", std::strerror(errno)));
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY* made = nullptr;
    if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_keygen(ctx.get(), &made) != 1) {
      return absl::InternalError("cannot generate an Ed25519 key (OpenSSL)");
    }
    k->key_ = made;
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(bio.get(), made, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return absl::InternalError("cannot encode the audit key (OpenSSL)");
    }
    char* pem = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &pem);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot create audit key ", path.string(), ": ", std::strerror(errno)));
    }
    const bool written = ::write(fd, pem, static_cast<size_t>(n)) == n && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
      ::unlink(path.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write audit key ", path.string()));
    }
    if (created != nullptr) *created = true;
  } else {
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("audit key ", path.string(),
                       " is open to other users: chmod 600 it (whoever reads it can sign "
                       "forged heads)"));
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return absl::UnavailableError(absl::StrCat("cannot read audit key ", path.string()));
    const std::string pem = ss.str();
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    k->key_ = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
    ERR_clear_error();
    if (k->key_ == nullptr || EVP_PKEY_id(k->key_) != EVP_PKEY_ED25519) {
      return absl::InvalidArgumentError(absl::StrCat(
          "audit key ", path.string(), " is not an unencrypted Ed25519 private key (PEM)"));
    }
  }
  uint8_t pub[kPublicKeyBytes];
  size_t len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(k->key_, pub, &len) != 1 || len != kPublicKeyBytes) {
    return absl::InternalError("cannot read the audit key's public key (OpenSSL)");
  }
  k->public_hex_ = HexEncode(ByteSpan(pub, len));
  return k;
}

AuditKey::~AuditKey() { EVP_PKEY_free(key_); }

std::string AuditKey::SignHead(uint64_t records, std::string_view head, absl::Time time,
                               std::string_view event) const {
  std::string line =
      absl::StrCat("{\"seq\":", records, ",\"head\":\"", AV(head), "\",\"time\":\"",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()),
                   "\",\"event\":\"", AV(event), "\",\"key\":\"", public_hex_, "\"");
  const std::string message = absl::StrCat(AV(kDomain), line);
  uint8_t sig[kSignatureBytes];
  size_t sig_len = sizeof(sig);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len, reinterpret_cast<const uint8_t*>(message.data()),
                     message.size()) != 1) {
    sig_len = 0;  // an unverifiable head: verification reports it
  }
  absl::StrAppend(&line, AV(kSigKey), HexEncode(ByteSpan(sig, sig_len)), "\"}\n");
  return line;
}

absl::StatusOr<SignedHead> VerifyHeadLine(std::string_view line, uint64_t line_no) {
  const size_t at = line.rfind(kSigKey);
  if (line.empty() || line.front() != '{' || at == std::string_view::npos ||
      line.size() != at + kSigKey.size() + 2 * kSignatureBytes + 2 ||
      line.substr(line.size() - 2) != "\"}") {
    return BadLine(line_no, "not a signed head (partial, or edited)");
  }
  const std::string_view signed_part = line.substr(0, at);
  SignedHead h;
  h.line = line_no;
  if (!absl::SimpleAtoi(AV(Field(signed_part, "seq")), &h.seq)) {
    return BadLine(line_no, "no seq");
  }
  h.head = std::string(Field(signed_part, "head"));
  h.time = std::string(Field(signed_part, "time"));
  h.event = std::string(Field(signed_part, "event"));
  h.key = std::string(Field(signed_part, "key"));
  auto raw_key = HexDecode(h.key);
  auto sig = HexDecode(line.substr(at + kSigKey.size(), 2 * kSignatureBytes));
  if (h.head.size() != 64 || !raw_key.ok() || raw_key->size() != kPublicKeyBytes || !sig.ok()) {
    return BadLine(line_no, "malformed head, key or signature");
  }
  PkeyPtr pub(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_key->data(), raw_key->size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const std::string message = absl::StrCat(AV(kDomain), AV(signed_part));
  const bool ok =
      pub != nullptr && ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                       reinterpret_cast<const uint8_t*>(message.data()), message.size()) == 1;
  ERR_clear_error();
  if (!ok) return BadLine(line_no, "the signature does not verify (forged or edited)");
  return h;
}

absl::StatusOr<std::vector<SignedHead>> ReadSignedHeads(const std::filesystem::path& path,
                                                        std::string_view expect_key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no signed heads file ", path.string()));
  std::vector<SignedHead> heads;
  std::string line;
  auto fail = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat(path.string(), ": ", s.message()));
  };
  while (std::getline(in, line)) {
    const uint64_t n = heads.size() + 1;
    if (in.eof()) return fail(BadLine(n, "partial line at the end (no newline)"));
    auto h = VerifyHeadLine(line, n);
    if (!h.ok()) return fail(h.status());
    const std::string_view want = !expect_key.empty() ? expect_key
                                  : heads.empty()     ? std::string_view(h->key)
                                                      : std::string_view(heads.front().key);
    if (h->key != want) {
      return fail(BadLine(n, absl::StrCat("signed by key ", h->key, ", not by ", AV(want))));
    }
    if (!heads.empty() && h->seq < heads.back().seq) {
      return fail(BadLine(n, absl::StrCat("seq ", h->seq, " after seq ", heads.back().seq,
                                          ": heads were reordered")));
    }
    heads.push_back(*std::move(h));
  }
  return heads;
}

}  // namespace ariadne::service
