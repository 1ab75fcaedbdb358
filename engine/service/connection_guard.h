// Connections below gRPC: the file-descriptor limit, a cap on the connections the process accepts,
// and a listener that keeps accepting when descriptors run out.
//
// Why below gRPC: the gRPC of Debian 12 (1.51) has no connection cap
// (GRPC_ARG_MAX_ALLOWED_INCOMING_CONNECTIONS came in a later release), and when accept4() fails
// with EMFILE its listener logs "Failed accept4: Too many open files" and stops accepting for good
// (src/core/lib/iomgr/tcp_server_posix.cc; later releases retry). So the process defines accept4()
// itself, and the dynamic linker binds libgrpc's calls to that definition (an executable's symbols
// come first in the lookup order). Once Configure() was called, accept4():
//   - closes a new connection at once when `max_connections` accepted connections are open (the
//     client sees the connection closed and reconnects later);
//   - on EMFILE or ENFILE, frees a reserved descriptor, accepts and closes the waiting
//     connections the same way, and takes the reserve back, so gRPC's listener never sees the
//     error;
//   - retries the network errors accept(2) says to treat like EAGAIN (ECONNABORTED, EPROTO, ...),
//     which would stop gRPC's listener too, and answers EAGAIN for ENOBUFS/ENOMEM.
// Open connections are counted by their socket's inode: an entry goes when its descriptor no
// longer refers to that socket (gRPC closed it). Without Configure(), accept4() is the C library's
// plus the retries above.
#ifndef ARIADNE_ENGINE_SERVICE_CONNECTION_GUARD_H_
#define ARIADNE_ENGINE_SERVICE_CONNECTION_GUARD_H_

#include <cstdint>

namespace ariadne::service {

// Raises the soft RLIMIT_NOFILE of the process to its hard limit.
// Returns: the soft limit now in force.
uint64_t RaiseFileLimit();

// Returns: the soft RLIMIT_NOFILE of the process (UINT64_MAX when unlimited).
uint64_t FileLimit();

// Returns: the most connections the process can hold with `file_limit` descriptors: half of them
// (at least 8), the other half being left to the store and the server's own files.
int ConnectionBudget(uint64_t file_limit);

struct ConnectionGuardCounters {
  uint64_t accepted = 0;        // connections handed to gRPC
  uint64_t over_limit = 0;      // closed at once: max_connections were open
  uint64_t no_descriptors = 0;  // closed at once: the process had no descriptor left
  int open = 0;                 // accepted connections still open, as last counted
};

// Turns the guard on for every listener of the process (all servers share one cap), or changes
// its cap.
// Args: max_connections: the cap, at least 1.
void ConfigureConnectionGuard(int max_connections);

// Returns: what the guard did since the process started.
ConnectionGuardCounters GetConnectionGuardCounters();

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_CONNECTION_GUARD_H_
