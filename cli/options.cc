#include "cli/options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "grammar/names.hpp"
#include "grammar/suggest.hpp"

namespace eq::cli {
namespace {

const OptionSpec* find_long(const CommandSpec& c, const std::string& name) {
  for (const OptionSpec& o : c.options)
    if (o.name == name) return &o;
  return nullptr;
}

const OptionSpec* find_short(const CommandSpec& c, const std::string& arg) {
  for (const OptionSpec& o : c.options)
    if (!o.short_name.empty() && o.short_name == arg) return &o;
  return nullptr;
}

[[noreturn]] void unknown(const CommandSpec& c, const std::string& arg) {
  std::string message = "eqc: unknown option '" + arg + "'";
  if (arg.rfind("--", 0) == 0) {
    const std::string name = arg.substr(2);
    std::string near;
    for (const OptionSpec& o : c.options)
      if (std::find(o.hints.begin(), o.hints.end(), name) != o.hints.end()) near = o.name;
    if (near.empty()) {
      std::vector<std::string> names;
      for (const OptionSpec& o : c.options) names.push_back(o.name);
      near = nearest_name(name, names);
    }
    if (!near.empty()) message += "; did you mean '--" + near + "'?";
  }
  throw UsageError(message + "\n" + c.usage);
}

}  // namespace

bool Options::flag(const std::string& name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::optional<std::string> Options::key(const std::string& name) const {
  auto it = keys.find(name);
  if (it == keys.end()) return std::nullopt;
  return it->second;
}

int fail(const Error& e) {
  std::string m = e.what();
  if (m.empty() || m.back() != '\n') m += '\n';
  std::fputs(m.c_str(), stderr);
  return dynamic_cast<const UsageError*>(&e) ? kUsage : kUserError;
}

std::optional<Options> parse_options(int argc, char** argv, const CommandSpec& c) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(c.usage.c_str(), stdout);
      return std::nullopt;
    }
  }
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const OptionSpec* spec = nullptr;
    if (c.dims && (a == "-D" || (a.size() > 2 && a.rfind("-D", 0) == 0))) {
      const std::string def = a == "-D" ? (i + 1 < argc ? argv[++i] : "") : a.substr(2);
      const auto eq = def.find('=');
      char* end = nullptr;
      const long long v = eq == std::string::npos ? 0 : std::strtoll(def.c_str() + eq + 1, &end, 10);
      if (eq == std::string::npos || eq == 0 || !end || *end != '\0' || v < 1)
        throw UsageError("eqc: -D takes NAME=VALUE with a positive whole number, e.g. -D H=256; got '" +
                         def + "'");
      o.dims[canonical_name(def.substr(0, eq))] = v;
      continue;
    }
    if (c.opt_level && (a == "-O0" || a == "-O1")) {
      o.opt_level = a[2] - '0';
      continue;
    }
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      spec = find_long(c, a.substr(2));
      if (!spec) unknown(c, a);
    } else if (a.size() > 1 && a[0] == '-') {
      spec = find_short(c, a);
      if (!spec) unknown(c, a);
    } else {
      o.files.push_back(a);
      continue;
    }
    if (!spec->takes_value) {
      o.flags.push_back(spec->name);
    } else if (i + 1 < argc) {
      o.keys[spec->name] = argv[++i];
    } else {
      throw UsageError("eqc: option " + a + " needs a value\n" + c.usage);
    }
  }
  const auto files = static_cast<int>(o.files.size());
  if (files < c.min_files || (c.max_files >= 0 && files > c.max_files)) throw UsageError(c.usage);
  return o;
}

int run_command(const CommandSpec& command, int argc, char** argv,
                const std::function<int(const Options&)>& body) {
  try {
    std::optional<Options> o = parse_options(argc, argv, command);
    return o ? body(*o) : kOk;
  } catch (const Error& e) {
    return fail(e);
  }
}

long long whole_option(const Options& o, const std::string& key, long long fallback, long long min) {
  auto v = o.key(key);
  if (!v) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < min)
    throw UsageError("eqc: --" + key + " takes a whole number ≥ " + std::to_string(min) + "; got '" +
                     *v + "'");
  return n;
}

Model load_model(const Options& options) {
  ModelOptions mo;
  mo.dims = options.dims;
  if (auto dt = options.key("dtype")) mo.dtype = *dt == "f64" ? DType::f64 : DType::f32;
  return Model::load(options.files[0], mo);
}

std::string stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace eq::cli
