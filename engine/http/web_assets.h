// The files of the web workspace, embedded into the binary at build time (web/CMakeLists.txt
// generates their definition from the esbuild bundle).
#ifndef ARIADNE_ENGINE_HTTP_WEB_ASSETS_H_
#define ARIADNE_ENGINE_HTTP_WEB_ASSETS_H_

#include <cstddef>

namespace ariadne::http {

struct WebAsset {
  const char* path;          // "/index.html", "/app.js", "/app.css"
  const char* content_type;  // UTF-8, as every file of the bundle
  const unsigned char* data;
  size_t size;
};

extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

}  // namespace ariadne::http

#endif  // ARIADNE_ENGINE_HTTP_WEB_ASSETS_H_
