// The web workspace's files (web/, embedded at build time) for every path outside /api/: "/" is
// index.html. Strict headers: the page may load only its own files and talk only to this server.
#ifndef ARIADNE_ENGINE_HTTP_WEB_APP_H_
#define ARIADNE_ENGINE_HTTP_WEB_APP_H_

#include "engine/http/http_server.h"

namespace ariadne::http {

// Returns: the file the request names, 404 (JSON) for any other path, 405 for a method other
// than GET or HEAD.
HttpReply ServeWebApp(const HttpRequest& request);

}  // namespace ariadne::http

#endif  // ARIADNE_ENGINE_HTTP_WEB_APP_H_
