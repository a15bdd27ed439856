#include "cli/options.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string_view>

#include "cli/commands.hpp"
#include "eq/grammar/names.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/grammar/suggest.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/output.hpp"
#include "eq/train/setup.hpp"

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

// The value of `-D NAME=VALUE`: a whole number in [1, kMaxDim].
std::int64_t dim_value(const std::string& def) {
  // Beyond this, the product of two dims may not fit in 64 bits.
  constexpr long long kMaxDim = 2147483647;
  const auto eq = def.find('=');
  const std::string value = eq == std::string::npos ? "" : def.substr(eq + 1);
  if (eq == std::string::npos || eq == 0 || value.empty())
    throw UsageError("eqc: -D takes NAME=VALUE, e.g. -D H=256; got '" + def + "'");
  const std::string what = "eqc: -D " + def + ": ";
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (*end != '\0' || !std::isdigit(static_cast<unsigned char>(value.back())))
    throw UsageError(what + "'" + value + "' is not a whole number");
  if (v < 1) throw UsageError(what + "a dim is at least 1");
  if (errno == ERANGE || v > kMaxDim)
    throw UsageError(what + "a dim is at most " + std::to_string(kMaxDim));
  return v;
}

}  // namespace

UsageError missing_option(const std::string& command, const std::string& option,
                          const char* usage) {
  return UsageError("eqc: " + command + " needs " + option + "\n" + usage);
}

bool Options::flag(const std::string& name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::optional<std::string> Options::key(const std::string& name) const {
  auto it = keys.find(name);
  if (it == keys.end()) return std::nullopt;
  return it->second;
}

int fail(const Error& e) {
  const int code = dynamic_cast<const UsageError*>(&e) ? kUsage : kUserError;
  // Under an MPI launcher every rank reads the same command line, and an
  // error before the ranks meet is every rank's: rank 0 alone says it
  // (errors after that reach fail() on rank 0 only, or go through abort).
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* r = std::getenv(var)) {
      if (std::string_view(r) != "0") return code;
      break;
    }
  std::string m = e.what();
  if (m.empty() || m.back() != '\n') m += '\n';
  std::fwrite(m.data(), 1, m.size(), stderr);  // all of it: a message may hold a NUL
  return code;
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
      o.dims[canonical_name(def.substr(0, def.find('=')))] = dim_value(def);
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
      o.typed[spec->name] = a;
      o.keys[spec->name] = argv[++i];
    } else {
      throw UsageError("eqc: option " + a + " needs a value\n" + c.usage);
    }
  }
  const auto files = static_cast<int>(o.files.size());
  if (files < c.min_files || (c.max_files >= 0 && files > c.max_files)) throw UsageError(c.usage);
  return o;
}

int finish_output(int code) {
  try {
    finish_stdout();
  } catch (const Error& e) {
    fail(e);
    if (code == kOk) code = kUserError;
  }
  return code;
}

int out_of_memory_while(const std::string& doing, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw Error("out of memory while " + doing +
                "; a smaller batch, model (-D NAME=VALUE) or data set needs less");
  }
}

// No exception leaves a command, so eqc never ends with "terminate called":
// a user's error (eq::Error) prints as its diagnostic, anything else as one
// line naming the command, exit 1.
int run_command(const CommandSpec& command, int argc, char** argv,
                const std::function<int(const Options&)>& body) {
  int code = kUserError;
  try {
    std::optional<Options> o = parse_options(argc, argv, command);
    code = o ? body(*o) : kOk;
  } catch (const Error& e) {
    code = fail(e);
  } catch (const InternalError& e) {
    fail(Error(e.what()));  // already says where, and that it is a bug of eq's
  } catch (const std::bad_alloc&) {
    // Printed without allocating: memory has just run out.
    std::fprintf(stderr,
                 "eqc %s: out of memory while running (the system refused an "
                 "allocation); a smaller model, batch or data set needs less\n",
                 command.name.c_str());
  } catch (const std::exception& e) {
    fail(Error("eqc " + command.name + ": internal error: " + e.what()));
  } catch (...) {
    fail(Error("eqc " + command.name + ": internal error: an unknown exception"));
  }
  return finish_output(code);
}

std::string Options::spelling(const std::string& name) const {
  auto it = typed.find(name);
  return it != typed.end() ? it->second : "--" + name;
}

long long whole_option(const Options& o, const std::string& key, long long fallback, long long min,
                       long long max) {
  auto v = o.key(key);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v->c_str(), &end, 10);
  // strtoll saturates at LLONG_MIN / LLONG_MAX with ERANGE: out of range too.
  if (v->empty() || *end != '\0' || errno == ERANGE || n < min || n > max)
    throw UsageError("eqc: " + o.spelling(key) + " takes a whole number " +
                     (max == LLONG_MAX
                          ? "≥ " + std::to_string(min)
                          : "from " + std::to_string(min) + " to " + std::to_string(max)) +
                     "; got '" + *v + "'");
  return n;
}

Model load_model(const Options& options) {
  ModelOptions mo;
  mo.dims = options.dims;
  if (auto dt = options.key("dtype")) {
    if (*dt != "f32" && *dt != "f64")
      throw UsageError("eqc: " + options.spelling("dtype") + " takes f32 or f64; got '" + *dt +
                       "'");
    mo.dtype = *dt == "f64" ? DType::f64 : DType::f32;
  }
  const std::string& path = options.files[0];
  auto file = std::make_shared<SourceFile>(path, read_model_source(path));
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();
  check_dim_options(module, options.dims);
  // A dim the train block's data sets (the size of an input or target) has
  // no value here: these commands read no data, so only -D can give it.
  const bool has_data = std::any_of(module.statements.begin(), module.statements.end(),
                                    [](const Stmt& st) { return st.kind == StmtKind::Train; });
  const std::set<std::string> from_data =
      has_data ? data_set_dims(module) : std::set<std::string>{};
  for (const Stmt& dim : module.statements)
    if (dim.kind == StmtKind::Dim)
      for (const ExprPtr& name : dim.names)
        if (const std::string& d = name->name.text; from_data.count(d) && !options.dims.count(d))
          diags.error(name->span, "the data sets dim " + d +
                                      ", and this command reads no data: pass -D " + d + "=N");
  diags.throw_if_errors();
  return Model::from_module(std::move(file), std::move(module), mo);
}

std::string stem(const std::string& path) {
  std::string name =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace eq::cli
