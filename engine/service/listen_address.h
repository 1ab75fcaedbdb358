// The address `ariadne serve` listens on, parsed and checked before gRPC sees it. gRPC takes any
// string and fails late and quietly: a port above 65535 wraps around (99999 listens on 34463), a
// second server shares a port in use (SO_REUSEPORT), an unresolvable host or a unix socket in a
// missing folder only logs. Here each is a named error, and the loopback rule (which listening
// addresses may go without TLS and tokens) works on parsed addresses, not on string prefixes.
#ifndef ARIADNE_ENGINE_SERVICE_LISTEN_ADDRESS_H_
#define ARIADNE_ENGINE_SERVICE_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ariadne::service {

struct ListenAddress {
  enum class Kind : uint8_t { kTcp, kUnix, kUnixAbstract };
  Kind kind = Kind::kTcp;
  // kTcp: the host as written, without IPv6 brackets; empty means every interface.
  std::string host;
  // kTcp: 0 to 65535; 0 lets the system choose.
  int port = 0;
  // kUnix: the socket's path; kUnixAbstract: its name.
  std::string path;
};

// Parses HOST:PORT, [IPV6]:PORT, :PORT (every interface), unix:PATH, unix:///ABSOLUTE_PATH and
// unix-abstract:NAME.
// Returns: INVALID_ARGUMENT naming `listen` and what is wrong: no port, a port that is not a
// number from 0 to 65535, an IPv6 address without brackets, an empty or too long socket path.
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view listen);

// Returns: true for unix sockets, "localhost", IPv4 literals in 127.0.0.0/8, ::1 and
// ::ffff:127.x.y.z. Any other host name is not loopback, whatever it resolves to now ("127.0.0.1.
// nip.io" is a name): a name's addresses can change between this check and the bind.
bool IsLoopback(const ListenAddress& address);

// Checks that gRPC can listen on `address` and no other process listens there already: resolves
// the host and binds each of its addresses (then lets them go); for a unix socket, checks its
// folder and whether a server answers on an existing socket.
// Returns: INVALID_ARGUMENT for a host that does not resolve; FAILED_PRECONDITION naming the
// address when it is in use, not an address of this machine, or the socket's folder is missing;
// PERMISSION_DENIED when binding is not allowed (a port below 1024).
absl::Status CheckCanListen(const ListenAddress& address, std::string_view listen);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_LISTEN_ADDRESS_H_
