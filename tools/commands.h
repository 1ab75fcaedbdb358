// The subcommands of the `ariadne` tool. Each takes the arguments after its name and returns the
// process exit code (0 success, 1 error, 2 usage).
#ifndef ARIADNE_TOOLS_COMMANDS_H_
#define ARIADNE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

namespace ariadne::cli {

int RunDecode(const std::vector<std::string>& args);
int RunGen(const std::vector<std::string>& args);
int RunIndex(const std::vector<std::string>& args);
int RunIndexEvm(const std::vector<std::string>& args);
int RunDb(const std::vector<std::string>& args);
int RunServe(const std::vector<std::string>& args);
int RunStatus(const std::vector<std::string>& args);
int RunAddress(const std::vector<std::string>& args);
int RunHistory(const std::vector<std::string>& args);
int RunTx(const std::vector<std::string>& args);
int RunCluster(const std::vector<std::string>& args);
int RunWhy(const std::vector<std::string>& args);
int RunRecluster(const std::vector<std::string>& args);
int RunEval(const std::vector<std::string>& args);
int RunTrace(const std::vector<std::string>& args);
int RunPaths(const std::vector<std::string>& args);
int RunExposure(const std::vector<std::string>& args);
int RunTags(const std::vector<std::string>& args);
int RunBatch(const std::vector<std::string>& args);
int RunReport(const std::vector<std::string>& args);
int RunAudit(const std::vector<std::string>& args);
int RunWatch(const std::vector<std::string>& args);
int RunAlerts(const std::vector<std::string>& args);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_COMMANDS_H_
