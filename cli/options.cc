#include "cli/options.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "cli/run_options.hpp"
#include "runtime/error.hpp"

namespace eq::cli {

bool Options::flag(const std::string& name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::optional<std::string> Options::key(const std::string& name) const {
  auto it = keys.find(name);
  if (it == keys.end()) return std::nullopt;
  return it->second;
}

std::optional<Options> parse_options(int argc, char** argv, const std::vector<std::string>& flag_names,
                                     const char* usage) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-D" || (a.size() > 2 && a.rfind("-D", 0) == 0)) {
      std::string def = a == "-D" ? (i + 1 < argc ? argv[++i] : "") : a.substr(2);
      auto eqpos = def.find('=');
      char* end = nullptr;
      errno = 0;
      long long v = eqpos == std::string::npos ? 0 : std::strtoll(def.c_str() + eqpos + 1, &end, 10);
      if (errno == ERANGE && v > 0) {  // strtoll saturates; the size must not become LLONG_MAX
        std::fprintf(stderr, "eqc: -D %s: the value is too large (at most %lld)\n", def.c_str(),
                     LLONG_MAX);
        return std::nullopt;
      }
      if (eqpos == std::string::npos || eqpos == 0 || !end || *end != '\0' || v < 1) {
        std::fprintf(stderr, "eqc: -D takes NAME=VALUE with a positive whole number, e.g. -D H=256; got '%s'\n",
                     def.c_str());
        return std::nullopt;
      }
      o.dims[canonical_name(def.substr(0, eqpos))] = v;
    } else if (a == "-O0" || a == "-O1") {
      o.opt_level = a[2] - '0';
    } else if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2);
      if (std::find(flag_names.begin(), flag_names.end(), name) != flag_names.end()) {
        o.flags.push_back(name);
      } else if (i + 1 < argc) {
        o.keys[name] = argv[++i];
      } else {
        std::fprintf(stderr, "eqc: option --%s needs a value\n%s", name.c_str(), usage);
        return std::nullopt;
      }
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "eqc: unknown option '%s'\n%s", a.c_str(), usage);
      return std::nullopt;
    } else {
      o.files.push_back(a);
    }
  }
  if (o.files.empty()) {
    std::fputs(usage, stderr);
    return std::nullopt;
  }
  return o;
}

std::optional<Model> load_model(const Options& options) {
  ModelOptions mo;
  mo.dims = options.dims;
  if (auto dt = options.key("dtype")) mo.dtype = *dt == "f64" ? DType::f64 : DType::f32;
  try {
    return Model::load(options.files[0], mo);
  } catch (const Error& e) {
    fail(e);
    return std::nullopt;
  }
}

}  // namespace eq::cli
