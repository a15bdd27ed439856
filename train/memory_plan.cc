#include "eq/train/memory_plan.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "eq/runtime/error.hpp"

namespace eq {
namespace {

double value_bytes(const runtime::Value& v, std::int64_t batch) {
  double n = static_cast<double>(dtype_size(v.dtype));
  for (std::int64_t d : v.dims) n *= static_cast<double>(d);
  return v.batched ? n * static_cast<double>(batch) : n;
}

// A buffer holds the largest value placed in it (runtime::Buffer::capacity).
std::vector<double> buffer_bytes(const runtime::Tape& tape, std::int64_t batch) {
  std::vector<double> out(tape.buffers.size(), 0.0);
  for (const runtime::Value& v : tape.values)
    if (v.buffer >= 0) {
      double& b = out[static_cast<std::size_t>(v.buffer)];
      b = std::max(b, value_bytes(v, batch));
    }
  return out;
}

// A "Name:   1234 kB" line of /proc/meminfo, in bytes.
std::optional<double> meminfo(const std::string& name) {
  std::ifstream f("/proc/meminfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(name + ":", 0) == 0) {
      std::istringstream s(line.substr(name.size() + 1));
      double kb = 0;
      if (s >> kb) return kb * 1024;
    }
  return std::nullopt;
}

}  // namespace

double plan_bytes(const runtime::Tape& tape, std::int64_t batch) {
  double total = 0;
  for (double b : buffer_bytes(tape, batch)) total += b;
  return total;
}

double param_bytes(const runtime::Tape& tape) {
  const std::vector<double> bytes = buffer_bytes(tape, 1);
  double total = 0;
  for (std::size_t i = 0; i < tape.buffers.size(); ++i)
    if (tape.buffers[i].role == runtime::BufferRole::param) total += bytes[i];
  return total;
}

int solver_slots(const SolverConfig& config) {
  switch (config.kind) {
    case SolverConfig::Kind::sgd:
      return config.momentum > 0 ? 1 : 0;
    case SolverConfig::Kind::adam:
      return 2;
    case SolverConfig::Kind::rmsprop:
    case SolverConfig::Kind::adagrad:
      return 1;
  }
  return 2;
}

std::optional<double> available_memory() {
  std::optional<double> free = meminfo("MemAvailable");
  rlimit r{};
  if (::getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
    // /proc/self/statm: the pages the process maps now, first.
    double pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const double left =
        static_cast<double>(r.rlim_cur) - pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
    if (!free || left < *free) free = std::max(left, 0.0);
  }
  return free;
}

std::string byte_text(double bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(static_cast<long long>(bytes)) + " bytes";
  int u = -1;
  while (bytes >= 1024 && u < 5) bytes /= 1024, ++u;
  char buf[48];
  if (bytes >= 1024)
    std::snprintf(buf, sizeof buf, "%.3g %s", bytes, units[u]);  // past EiB
  else
    std::snprintf(buf, sizeof buf, bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

void check_memory(const std::string& doing, std::span<const MemoryNeed> needs, int copies) {
  double total = 0;
  for (const MemoryNeed& n : needs) total += n.bytes;
  const std::optional<double> free = available_memory();
  copies = std::max(copies, 1);
  if (!free || total * copies <= *free) return;
  std::string parts;
  for (const MemoryNeed& n : needs)
    if (n.bytes > 0) parts += (parts.empty() ? "" : ", ") + n.what + " " + byte_text(n.bytes);
  const std::string each =
      copies > 1 ? " for each of the " + std::to_string(copies) + " trainers on this machine" : "";
  throw Error("not enough memory for " + doing + ": it needs about " + byte_text(total) + each +
              " (" + parts + ") but " + byte_text(*free) +
              " are available; lower the batch or a dim (-D NAME=VALUE)" +
              (copies > 1 ? ", or run fewer processes or threads here" : ""));
}

int local_copies(std::int64_t shares) {
  const char* world = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const long long w = world ? std::atoll(world) : 0, l = local ? std::atoll(local) : 0;
  if (w > 0 && l > 0 && l <= w) return static_cast<int>(std::max<long long>(1, shares * l / w));
  return static_cast<int>(std::max<std::int64_t>(1, shares));
}

}  // namespace eq
