#include "eq/runtime/memory.hpp"

#include <sys/resource.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

std::int64_t memory_limit() {
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::int64_t limit = kNone;
  struct sysinfo info {};
  if (::sysinfo(&info) == 0) {
    unsigned __int128 total =
        (static_cast<unsigned __int128>(info.totalram) + info.totalswap) * info.mem_unit;
    if (total > 0 && total < static_cast<unsigned __int128>(kNone))
      limit = static_cast<std::int64_t>(total);
  }
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit r{};
    if (::getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY &&
        r.rlim_cur < static_cast<rlim_t>(limit))
      limit = static_cast<std::int64_t>(r.rlim_cur);
  }
  return limit;
}

std::string human_bytes(std::int64_t bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  char buf[32];
  // One decimal below 10 ("1.5 GiB"), none above ("64 TiB", "23 GiB").
  const bool whole = v >= 10 || v == std::floor(v);
  std::snprintf(buf, sizeof buf, whole ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

namespace {
Error out_of_memory(std::int64_t bytes, std::string_view what, const std::string& why) {
  return Error("out of memory: " + std::string(what) + " needs " + std::to_string(bytes) +
               " bytes (" + human_bytes(bytes) + ")" + why);
}
}  // namespace

void check_fits(std::int64_t bytes, std::string_view what) {
  if (const std::int64_t limit = memory_limit(); bytes > limit)
    throw out_of_memory(bytes, what, ", more than this machine has (" + human_bytes(limit) + ")");
}

void* allocate_zeroed(std::int64_t bytes, std::string_view what) {
  EQ_ASSERT(bytes >= 0, "a negative allocation");
  const std::int64_t rounded = std::max<std::int64_t>(checked_add(bytes, 63) / 64 * 64, 64);
  check_fits(bytes, what);
  void* p = std::aligned_alloc(64, static_cast<std::size_t>(rounded));
  if (!p) throw out_of_memory(bytes, what, ": the system refused the allocation");
  std::memset(p, 0, static_cast<std::size_t>(rounded));
  return p;
}

}  // namespace eq
