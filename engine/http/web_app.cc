#include "engine/http/web_app.h"

#include <string>

#include "engine/http/web_assets.h"

namespace ariadne::http {

HttpReply ServeWebApp(const HttpRequest& request) {
  HttpReply r;
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/") path = "/index.html";
  if (request.method != "GET" && request.method != "HEAD") {
    r.status = 405;
    r.body = R"({"code":"UNIMPLEMENTED","message":"only GET"})";
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    const WebAsset& a = kWebAssets[i];
    if (path != a.path) continue;
    r.content_type = std::string(a.content_type) + "; charset=utf-8";
    r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self' "
                           "'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    return r;
  }
  r.status = 404;
  r.body = R"({"code":"NOT_FOUND","message":"no such file"})";
  return r;
}

}  // namespace ariadne::http
