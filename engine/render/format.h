// How amounts, times and counts read in every rendering (CLI tables, pictures, reports).
#ifndef ARIADNE_ENGINE_RENDER_FORMAT_H_
#define ARIADNE_ENGINE_RENDER_FORMAT_H_

#include <cstdint>
#include <string>

namespace ariadne::render {

// Returns: "YYYY-MM-DD HH:MM:SS UTC" for a Unix time.
std::string FormatTime(int64_t unix_time);
// Returns: an amount in satoshi as BTC with 8 decimals, e.g. "50.00000000".
std::string FormatBtc(int64_t sat);
// Returns: a count with thousands separators, e.g. "1,234,567".
std::string FormatCount(uint64_t n);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_FORMAT_H_
