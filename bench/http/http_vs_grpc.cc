// The JSON API against gRPC on the same server and machine (issue 16's target: address p99 over
// HTTP within 1.2x of gRPC's). Asks every address of a list once per round, over one persistent
// connection of each protocol, alternating protocols request by request so that both see the same
// machine load; prints p50, p99 and the ratios.
//
// Usage: http_vs_grpc --grpc HOST:PORT --http HOST:PORT --addresses FILE [--rounds N]
//   FILE: one address per line (e.g. the first column of a generated chain's truth/addresses.csv)
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "proto/ariadne.grpc.pb.h"

namespace {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string grpc_at = Flag(argc, argv, "grpc", "");
  const std::string http_at = Flag(argc, argv, "http", "");
  const std::string list = Flag(argc, argv, "addresses", "");
  const int rounds = std::stoi(Flag(argc, argv, "rounds", "5"));
  if (grpc_at.empty() || http_at.empty() || list.empty()) {
    std::fprintf(stderr,
                 "usage: http_vs_grpc --grpc HOST:PORT --http HOST:PORT --addresses FILE "
                 "[--rounds N]\n");
    return 2;
  }
  std::vector<std::string> addresses;
  std::ifstream in(list);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find(','));
    if (!line.empty() && line != "address") addresses.push_back(line);
  }
  auto stub = ariadne::v1::Ariadne::NewStub(
      grpc::CreateChannel(grpc_at, grpc::InsecureChannelCredentials()));
  boost::asio::io_context io;
  tcp::socket socket(io);
  const size_t colon = http_at.rfind(':');
  socket.connect(tcp::endpoint(boost::asio::ip::make_address(http_at.substr(0, colon)),
                               static_cast<uint16_t>(std::stoi(http_at.substr(colon + 1)))));
  beast::flat_buffer buffer;
  std::vector<double> grpc_ms, http_ms;
  size_t mismatched_status = 0;
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& a : addresses) {
      auto t0 = Clock::now();
      grpc::ClientContext ctx;
      ariadne::v1::GetAddressRequest req;
      req.set_address(a);
      ariadne::v1::AddressSummary reply;
      const bool grpc_ok = stub->GetAddress(&ctx, req, &reply).ok();
      grpc_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());

      t0 = Clock::now();
      beast::http::request<beast::http::empty_body> hreq{beast::http::verb::get,
                                                         "/api/v1/address/" + a, 11};
      hreq.set(beast::http::field::host, http_at);
      hreq.keep_alive(true);
      beast::http::write(socket, hreq);
      beast::http::response<beast::http::string_body> res;
      beast::http::read(socket, buffer, res);
      http_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if ((res.result_int() == 200) != grpc_ok) ++mismatched_status;
    }
  }
  const double g50 = Percentile(grpc_ms, 0.5), g99 = Percentile(grpc_ms, 0.99);
  const double h50 = Percentile(http_ms, 0.5), h99 = Percentile(http_ms, 0.99);
  std::printf("address summary, 1 client, %zu requests per protocol:\n", grpc_ms.size());
  std::printf("  gRPC  p50 %.3f ms  p99 %.3f ms\n", g50, g99);
  std::printf("  HTTP  p50 %.3f ms  p99 %.3f ms\n", h50, h99);
  std::printf("  HTTP / gRPC: p50 %.2fx  p99 %.2fx\n", h50 / g50, h99 / g99);
  if (mismatched_status > 0) {
    std::printf("  %zu answers differed in success between the protocols\n", mismatched_status);
    return 1;
  }
  return 0;
}
