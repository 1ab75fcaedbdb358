#include "tests/hostile/hostile_server_util.h"

#include "proto/ariadne.grpc.pb.h"
#include "tests/testutil.h"

namespace ariadne::testing {

void HostileChainTest::SetUpTestSuite() {
  dir_ = new std::filesystem::path(MakeTempDir("hostile"));
  auto chain = MakeTestChain(*dir_, 20, 20);
  ASSERT_THAT(chain, IsOk());
  chain_ = new TestChain(*std::move(chain));
}

void HostileChainTest::TearDownTestSuite() {
  delete chain_;
  delete dir_;
  chain_ = nullptr;
  dir_ = nullptr;
}

std::filesystem::path EmptyDir(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

int RunWithTmpdir(const std::vector<std::string>& args, const std::filesystem::path& tmpdir,
                  std::string* output) {
  SpawnOptions so;
  so.env = {{"TMPDIR", tmpdir.string()}};
  auto p = ServeProcess::Spawn(args, so);
  if (!p.ok()) {
    *output = std::string(p.status().message());
    return -1;
  }
  const int code = (*p)->WaitExit(60);
  *output = (*p)->Output();
  return code;
}

grpc::Status StatusCall(const std::string& target, const std::string& token) {
  // A channel of its own: no reconnect backoff inherited from an earlier failed call.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stub = v1::Ariadne::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  v1::ChainStatus r;
  return stub->GetStatus(Ctx(token).get(), v1::GetStatusRequest(), &r);
}

}  // namespace ariadne::testing
