#include "engine/watch/watch.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/core/strings.h"

namespace ariadne::watch {
namespace {

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool ValidCategory(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<Subject> ParseSubject(std::string_view text) {
  Subject s;
  if (text.empty()) return absl::InvalidArgumentError("the watch subject is empty");
  if (text.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("the watch subject is ", text.size(), " characters long (at most 256)"));
  }
  constexpr std::string_view kCluster = "cluster:";
  if (text.substr(0, kCluster.size()) == kCluster) {
    uint32_t id = 0;
    if (!absl::SimpleAtoi(AV(text.substr(kCluster.size())), &id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("watch subject '", AV(text), "': expected cluster:ID with a decimal id"));
    }
    s.kind = Subject::Kind::kCluster;
    s.cluster_id = id;
    return s;
  }
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    uint32_t vout = 0;
    if (!IsHex64(text.substr(0, colon)) || !absl::SimpleAtoi(AV(text.substr(colon + 1)), &vout)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "watch subject '", AV(text),
          "': expected an address, cluster:ID or TXID:VOUT (64 hex digits, a decimal index)"));
    }
    s.kind = Subject::Kind::kOutpoint;
    s.txid = absl::AsciiStrToLower(AV(text.substr(0, colon)));
    s.vout = vout;
    return s;
  }
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("watch subject '", AV(text),
                       "': an address has letters and digits only (or use cluster:ID, TXID:VOUT)"));
    }
  }
  s.kind = Subject::Kind::kAddress;
  s.address = std::string(text);
  return s;
}

std::string FormatSubject(const Subject& s) {
  switch (s.kind) {
    case Subject::Kind::kCluster:
      return absl::StrCat("cluster:", s.cluster_id);
    case Subject::Kind::kOutpoint:
      return absl::StrCat(s.txid, ":", s.vout);
    case Subject::Kind::kAddress:
      break;
  }
  return s.address;
}

absl::StatusOr<Rule> ParseRule(std::string_view text) {
  Rule r;
  if (text.empty() || text == "moves") return r;
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "watch rule '", AV(text), "': ", AV(why),
        " (expected moves, or reaches[:CATEGORY[:HOPS]] with HOPS 1..", kMaxReachHops, ")"));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(AV(text), ':');
  if (parts[0] != "reaches") return bad("unknown rule");
  if (parts.size() > 3) return bad("too many parts");
  r.kind = Rule::Kind::kReaches;
  if (parts.size() >= 2) {
    if (!ValidCategory(SV(parts[1]))) return bad("the category is empty or has other characters");
    r.category = std::string(parts[1]);
  }
  if (parts.size() == 3) {
    uint32_t hops = 0;
    if (!absl::SimpleAtoi(parts[2], &hops) || hops < 1 || hops > kMaxReachHops) {
      return bad("bad hop count");
    }
    r.hops = hops;
  }
  return r;
}

std::string FormatRule(const Rule& r) {
  if (r.kind == Rule::Kind::kMoves) return "moves";
  return absl::StrCat("reaches:", r.category, ":", r.hops);
}

std::string_view DeliveryStateName(Delivery::State state) {
  switch (state) {
    case Delivery::State::kPending:
      return "pending";
    case Delivery::State::kDelivered:
      return "delivered";
    case Delivery::State::kFailed:
      return "failed";
    case Delivery::State::kOff:
      break;
  }
  return "off";
}

}  // namespace ariadne::watch
