// A small streaming JSON writer for command output (one object per line, or a whole document).
#ifndef ARIADNE_ENGINE_RENDER_JSON_WRITER_H_
#define ARIADNE_ENGINE_RENDER_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ariadne::render {

// Appends JSON to a string. Commas are inserted automatically; Key() must precede each value
// inside an object. Strings are escaped (control characters, quotes, backslashes; other bytes are
// passed through, callers give UTF-8).
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& UInt(uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Appends an already-serialised JSON value.
  JsonWriter& Raw(std::string_view json);

  // Shorthands for Key(k) followed by the value.
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, uint64_t v) { return Key(k).UInt(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, uint32_t v) { return Key(k).UInt(v); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonWriter& Field(std::string_view k, double v) { return Key(k).Double(v); }

 private:
  void BeforeValue();
  std::string* out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Appends `s` JSON-escaped, with quotes.
void AppendJsonString(std::string* out, std::string_view s);
// Returns: `s` escaped as inside a JSON string (also what Graphviz DOT strings accept), without
// quotes.
std::string JsonEscape(std::string_view s);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_JSON_WRITER_H_
