// Client commands for wallet clusters: `cluster` (summary and members) and `why` (the evidence
// joining two addresses).
#include <cstdio>

#include "absl/strings/numbers.h"
#include "engine/render/json_writer.h"
#include "engine/render/selector.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/printers.h"

namespace ariadne::cli {
int RunCluster(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"members", false}, {"limit", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1) {
    std::fputs("usage: ariadne cluster ADDR|cluster:ID [--members [--limit N]] [--json]\n", stderr);
    return 2;
  }
  Client client(*args);
  const bool json = args->Has("json");
  if (args->Has("members")) {
    auto limit = args->GetInt("limit", INT64_MAX, 1, INT64_MAX);
    if (!limit.ok()) return PrintError(limit.status());
    StdoutBuffer out;
    std::string cursor;
    int64_t remaining = *limit;
    while (remaining > 0) {
      v1::GetClusterMembersRequest req;
      render::SetSelector(args->positionals()[0], &req);
      req.set_limit(static_cast<uint32_t>(std::min<int64_t>(remaining, 10000)));
      req.set_cursor(cursor);
      auto ctx = client.Context();
      auto reader = client.stub()->GetClusterMembers(ctx.get(), req);
      v1::ClusterMember m;
      int64_t got = 0;
      while (reader->Read(&m)) {
        ++got;
        cursor = m.cursor();
        if (json) {
          render::JsonWriter w(out.buffer());
          w.BeginObject().Field("address", m.address()).EndObject();
          out.Append("\n");
        } else {
          out.Append(m.address() + "\n");
        }
      }
      grpc::Status s = reader->Finish();
      if (!s.ok()) return PrintRpcError(s, client.server());
      remaining -= got;
      if (got == 0 || cursor.empty()) break;
    }
    return 0;
  }
  v1::GetClusterRequest req;
  render::SetSelector(args->positionals()[0], &req);
  v1::ClusterSummary r;
  grpc::Status s = client.stub()->GetCluster(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  return PrintCluster(r, json);
}

int RunWhy(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 2) {
    std::fputs("usage: ariadne why ADDR1 ADDR2 [--json]\n", stderr);
    return 2;
  }
  Client client(*args);
  v1::ExplainRequest req;
  req.set_from(args->positionals()[0]);
  req.set_to(args->positionals()[1]);
  v1::ExplainReply r;
  grpc::Status s = client.stub()->Explain(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  return PrintWhy(req, r, args->Has("json"));
}

}  // namespace ariadne::cli
