#include "cli/run_options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "compiler/lower/expr.hpp"

namespace eq::cli {

std::optional<Options> parse_run_options(int argc, char** argv, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& flags, const char* usage) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& a : args) {
    if (a == "-o") a = "--output";
    else if (a == "-w") a = "--weights";
    else if (a == "-n") a = "--count";
  }
  std::vector<char*> ptrs;
  for (std::string& a : args) ptrs.push_back(a.data());
  auto o = parse_options(static_cast<int>(ptrs.size()), ptrs.data(), flags, usage);
  if (!o) return o;
  std::vector<std::string> known = keys;
  known.insert(known.end(), flags.begin(), flags.end());
  for (const auto& [key, value] : o->keys) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    std::fprintf(stderr, "eqc: unknown option '--%s'", key.c_str());
    const std::string near = lower::nearest_name(key, known);
    if (!near.empty()) std::fprintf(stderr, "; did you mean '--%s'?", near.c_str());
    std::fprintf(stderr, "\n%s", usage);
    return std::nullopt;
  }
  return o;
}

std::optional<long long> whole_option(const Options& o, const std::string& key, long long fallback,
                                      long long min) {
  auto v = o.key(key);
  if (!v) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < min) {
    std::fprintf(stderr, "eqc: --%s takes a whole number ≥ %lld; got '%s'\n", key.c_str(), min,
                 v->c_str());
    return std::nullopt;
  }
  return n;
}

std::string stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

int fail(const Error& e) {
  std::string m = e.what();
  if (m.empty() || m.back() != '\n') m += '\n';
  std::fwrite(m.data(), 1, m.size(), stderr);  // all of it: a message may hold a NUL
  return kUserError;
}

}  // namespace eq::cli
