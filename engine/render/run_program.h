// Runs another program (Graphviz, Chromium) directly, without a shell: its arguments are paths
// the analyst chose and may hold quotes, spaces or anything else.
#ifndef ARIADNE_ENGINE_RENDER_RUN_PROGRAM_H_
#define ARIADNE_ENGINE_RENDER_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace ariadne::render {

// Runs argv[0] (looked up in PATH when it has no slash) with argv and waits for it.
// Args: quiet: its stdout and stderr go to /dev/null (otherwise they are this process's).
// Returns: true when it ran and exited with status 0.
bool RunProgram(const std::vector<std::string>& argv, bool quiet);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_RUN_PROGRAM_H_
