#include "eq/train/config.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/grammar/suggest.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

namespace eq {

std::string_view scaling_name(Scaling s) {
  switch (s) {
    case Scaling::none:
      return "none";
    case Scaling::standard:
      return "standard";
    case Scaling::minmax:
      return "minmax";
  }
  return "none";
}

const std::vector<std::string>& train_keys() {
  static const std::vector<std::string> keys = {"data",     "optimizer", "epochs", "steps",
                                                "batch",    "window",    "clip",   "decay",
                                                "validate", "seed",      "scale",  "dtype"};
  return keys;
}

bool overridable_key(const std::string& key) {
  return key == "lr" ||
         std::find(train_keys().begin(), train_keys().end(), key) != train_keys().end();
}

bool bare_data_path(const std::string& text) {
  return !text.starts_with("csv(") && !text.starts_with("npy(") && !text.starts_with("text(");
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::string join_path(const std::string& dir, const std::string& path) {
  if (dir.empty() || (!path.empty() && path[0] == '/')) return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

namespace {

// A key as the user wrote it: names are canonicalised (learning_rate would
// read learningᵣₐₜₑ), but a message quotes the text.
std::string as_written(const std::string& key, Span span) {
  return span.file ? std::string(span.file->slice(span)) : key;
}

std::string unknown_key(const std::string& written) {
  std::string message = "unknown train key '" + written + "'";
  const std::string near = nearest_name(written, train_keys());
  if (!near.empty()) message += "; did you mean '" + near + "'?";
  return message;
}

// Reads entries into a config, reporting to `diags`.
class Reader {
 public:
  Reader(TrainConfig& config, Diagnostics& diags) : c_(config), diags_(diags) {}

  // `key` is canonical; messages quote it as written at `key_span`.
  void entry(const std::string& key, Span key_span, const Expr& v, const std::string& base_dir) {
    if (key == "data") return data(v, base_dir);
    if (key == "optimizer") return optimizer(v);
    if (key == "lr") {
      if (auto x = positive(v, "lr")) c_.solver.lr = *x;
      return;
    }
    if (key == "epochs") {
      if (auto n = whole(v, "epochs", 1)) c_.epochs = *n;
    } else if (key == "steps") {
      if (auto n = whole(v, "steps", 1)) c_.steps = *n;
    } else if (key == "batch") {
      if (auto n = whole(v, "batch", 1)) c_.batch = *n;
    } else if (key == "window") {
      if (auto n = whole(v, "window", 1)) c_.window = *n;
    } else if (key == "seed") {
      if (auto n = whole(v, "seed", 0)) c_.seed = static_cast<std::uint64_t>(*n);
    } else if (key == "clip") {
      if (auto x = non_negative(v, "clip")) c_.solver.clip = *x;
    } else if (key == "decay") {
      if (auto x = non_negative(v, "decay")) c_.solver.decay = *x;
    } else if (key == "validate") {
      auto x = number(v);
      // !(x ≥ 0): a NaN (validate = 0/0) fails every comparison, so test the range that holds.
      if (!x || !(*x >= 0 && *x < 1))
        diags_.error(v.span,
                     "validate takes the held-out share of the data, a number in [0, 1), "
                     "e.g. 0.2");
      else
        c_.validate = *x;
    } else if (key == "scale") {
      const std::string w = word(v);
      if (w == "none")
        c_.scale = Scaling::none;
      else if (w == "standard")
        c_.scale = Scaling::standard;
      else if (w == "minmax")
        c_.scale = Scaling::minmax;
      else
        diags_.error(v.span, "scale takes standard, minmax or none");
    } else if (key == "dtype") {
      const std::string w = word(v);
      if (w == "f32")
        c_.dtype = DType::f32;
      else if (w == "f64")
        c_.dtype = DType::f64;
      else
        diags_.error(v.span, "dtype takes f32 or f64");
    } else {
      diags_.error(key_span, unknown_key(as_written(key, key_span)));
    }
  }

 private:
  // A constant: numbers with + - * / ^ and signs.
  static std::optional<double> number(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number:
        return e.number;
      case ExprKind::Unary: {
        auto x = number(*e.args[0]);
        if (!x || e.op == Op::Sqrt) return x ? std::optional(std::sqrt(*x)) : std::nullopt;
        return e.op == Op::Neg ? -*x : *x;
      }
      case ExprKind::Binary: {
        auto a = number(*e.args[0]), b = number(*e.args[1]);
        if (!a || !b) return std::nullopt;
        if (e.op == Op::Pow) return std::pow(*a, *b);
        return arithmetic(e.op, *a, *b);
      }
      default:
        return std::nullopt;
    }
  }
  static std::string word(const Expr& e) {
    if (e.kind == ExprKind::Name) return e.name.text;
    if (e.kind == ExprKind::String) return e.text;
    return "";
  }
  std::optional<std::int64_t> whole(const Expr& e, const char* key, std::int64_t min) {
    auto x = number(e);
    if (!x || *x != std::floor(*x) || *x < static_cast<double>(min) || *x > 9.0e15) {
      diags_.error(e.span, std::string(key) + " takes a whole number" +
                               (min > 0 ? " ≥ " + std::to_string(min) : std::string(" ≥ 0")));
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*x);
  }
  std::optional<double> non_negative(const Expr& e, const char* key) {
    auto x = number(e);
    if (!x || !std::isfinite(*x) || *x < 0) {
      diags_.error(e.span, std::string(key) + " takes a number ≥ 0");
      return std::nullopt;
    }
    return x;
  }
  std::optional<double> positive(const Expr& e, const char* key) {
    auto x = number(e);
    if (!x || !std::isfinite(*x) || *x <= 0) {
      diags_.error(e.span, std::string(key) + " takes a number > 0");
      return std::nullopt;
    }
    return x;
  }

  void optimizer(const Expr& e) {
    static const std::vector<std::string> kinds = {"sgd", "adam", "rmsprop", "adagrad"};
    const bool call = e.kind == ExprKind::Call;
    const std::string name = call ? e.name.text : word(e);
    const Span name_span = call ? e.name_span : e.span;
    SolverConfig s;
    if (name == "sgd")
      s = SolverConfig::sgd(0.01);
    else if (name == "adam")
      s = SolverConfig::adam(1e-3);
    else if (name == "rmsprop")
      s = SolverConfig::rmsprop(1e-2);
    else if (name == "adagrad")
      s = SolverConfig::adagrad(1e-2);
    else {
      std::string message = "unknown optimizer";
      if (!name.empty()) message += " '" + name + "'";
      const std::string near = nearest_name(name, kinds);
      message += near.empty() || name.empty() ? "; use sgd, adam, rmsprop or adagrad"
                                              : "; did you mean '" + near + "'?";
      diags_.error(name_span, message);
      return;
    }
    s.clip = c_.solver.clip;
    s.decay = c_.solver.decay;
    if (call) {
      if (e.args.size() > 1)
        diags_.error(e.args[1]->span, name + " takes one positional argument, lr");
      if (!e.args.empty())
        if (auto x = positive(*e.args[0], "lr")) s.lr = *x;
      for (const KeywordArg& k : e.kwargs) {
        const std::string& key = k.name.text;
        const std::string written = as_written(key, k.name_span);
        std::vector<std::string> known = {"lr", "η"};
        double* slot = nullptr;
        if (key == "lr" || key == "η") slot = &s.lr;
        if (s.kind == SolverConfig::Kind::sgd) {
          known.insert(known.end(), {"momentum", "μ", "nesterov"});
          if (key == "momentum" || key == "μ") slot = &s.momentum;
          if (key == "nesterov") {
            const std::string w = word(*k.value);
            if (w == "true" || w == "false")
              s.nesterov = w == "true";
            else
              diags_.error(k.value->span, "nesterov takes true or false");
            continue;
          }
        } else {
          known.insert(known.end(), {"ε", "eps", "epsilon"});
          if (key == "ε" || key == "eps" || key == "epsilon") slot = &s.eps;
        }
        if (s.kind == SolverConfig::Kind::adam) {
          known.insert(known.end(), {"β₁", "β₂", "beta1", "beta2"});
          if (key == "β₁" || key == "beta1" || key == "beta₁") slot = &s.beta1;
          if (key == "β₂" || key == "beta2" || key == "beta₂") slot = &s.beta2;
        }
        if (s.kind == SolverConfig::Kind::rmsprop) {
          known.insert(known.end(), {"ρ", "rho"});
          if (key == "ρ" || key == "rho") slot = &s.rho;
        }
        if (!slot) {
          std::string message = name + " has no argument '" + written + "'";
          const std::string near = nearest_name(key, known);
          if (!near.empty()) message += "; did you mean '" + near + "'?";
          diags_.error(k.name_span, message);
          continue;
        }
        auto x = number(*k.value);
        if (!x || !std::isfinite(*x))
          diags_.error(k.value->span, written + " takes a number");
        else
          *slot = *x;
      }
    }
    try {
      s.validate();
    } catch (const Error& err) {
      diags_.error(e.span, err.what());
      return;
    }
    c_.solver = s;
  }

  void data(const Expr& e, const std::string& base_dir) {
    const std::string name = e.kind == ExprKind::Call ? e.name.text : "";
    DataSpec d;
    if (name == "csv")
      d.kind = DataSpec::Kind::csv;
    else if (name == "npy")
      d.kind = DataSpec::Kind::npy;
    else if (name == "text")
      d.kind = DataSpec::Kind::text;
    else {
      diags_.error(e.kind == ExprKind::Call ? e.name_span : e.span,
                   "data takes csv(\"f.csv\", x = 0:4, y = 4), npy(x = \"x.npy\", y = \"y.npy\") "
                   "or text(\"f.txt\")");
      return;
    }
    const std::size_t want_args = d.kind == DataSpec::Kind::npy ? 0 : 1;
    if (e.args.size() != want_args || (want_args == 1 && e.args[0]->kind != ExprKind::String)) {
      diags_.error(e.span, want_args ? name + " takes the file name first, as a string"
                                     : std::string("npy takes only name = \"file.npy\" arguments"));
      return;
    }
    if (want_args) d.path = join_path(base_dir, e.args[0]->text);
    if (d.kind == DataSpec::Kind::text && !e.kwargs.empty()) {
      diags_.error(e.kwargs[0].name_span,
                   "text data binds the model's time-indexed input and target "
                   "itself; it takes no name = ... arguments");
      return;
    }
    for (const KeywordArg& k : e.kwargs) {
      const Expr& v = *k.value;
      if (d.kind == DataSpec::Kind::npy) {
        if (v.kind != ExprKind::String)
          diags_.error(v.span, "npy takes a file name for " + k.name.text + ", as a string");
        else
          d.files.emplace_back(k.name.text, join_path(base_dir, v.text));
      } else if (auto sel = columns(v)) {
        d.columns.emplace_back(k.name.text, *sel);
      } else {
        diags_.error(v.span,
                     "a column is a zero-based index (4), a range (0:4) or a header name "
                     "(\"label\")");
      }
    }
    c_.data = d;
  }

  // A csv column selection as the AST holds it: a header name (a string),
  // a range of whole numbers, or one whole number.
  static std::optional<ColumnSelector> columns(const Expr& v) {
    auto index = [](const Expr& e) -> std::optional<std::int64_t> {
      auto x = number(e);
      if (!x || *x < 0 || *x != std::floor(*x) || *x > 9.0e15) return std::nullopt;
      return static_cast<std::int64_t>(*x);
    };
    ColumnSelector sel;
    if (v.kind == ExprKind::String) {
      sel.kind = ColumnSelector::Kind::name;
      sel.name = v.text;
      return sel;
    }
    if (v.kind == ExprKind::Range) {
      auto a = index(*v.args[0]), b = index(*v.args[1]);
      if (!a || !b) return std::nullopt;
      sel.kind = ColumnSelector::Kind::range;
      sel.begin = *a;
      sel.end = *b;
      return sel;
    }
    auto i = index(v);
    if (!i) return std::nullopt;
    sel.begin = *i;
    return sel;
  }

  TrainConfig& c_;
  Diagnostics& diags_;
};

}  // namespace

TrainConfig train_config(const Stmt* block, const std::map<std::string, std::string>& overrides,
                         const std::string& base_dir) {
  TrainConfig config;
  Diagnostics diags;
  Reader reader(config, diags);
  if (block) {
    std::map<std::string, Span> seen;
    for (const TrainEntry& e : block->entries) {
      if (auto it = seen.find(e.key); it != seen.end()) {
        diags.error(e.key_span, "train key '" + as_written(e.key, e.key_span) + "' is set twice");
        diags.note(it->second, "first set here");
        continue;
      }
      seen[e.key] = e.key_span;
      reader.entry(e.key, e.key_span, *e.value, base_dir);
    }
  }
  // Overrides: optimizer before lr (so --lr changes the new optimizer's rate).
  std::vector<std::unique_ptr<SourceFile>> files;  // spans point into them
  auto apply = [&](const std::string& key, const std::string& text) {
    // An override's key is not in any file: an unknown one (a library's
    // SetupOptions::overrides; eqc passes train keys alone) is shown as the
    // command-line option it stands for.
    if (!overridable_key(key)) {
      files.push_back(std::make_unique<SourceFile>("overrides", "--" + key + " " + text));
      const Span at = files.back()->span(2, static_cast<uint32_t>(2 + key.size()));
      diags.error(at, unknown_key(key));
      return;
    }
    files.push_back(std::make_unique<SourceFile>("--" + key, text));
    const SourceFile& f = *files.back();
    const Span whole = f.span(0, static_cast<uint32_t>(f.text().size()));
    // `--data other.csv`: a bare path replaces the file and keeps the bindings.
    if (key == "data" && bare_data_path(text)) {
      if (config.data.kind == DataSpec::Kind::npy || config.data.kind == DataSpec::Kind::none) {
        const bool csv = text.size() > 4 && text.compare(text.size() - 4, 4, ".csv") == 0;
        if (!csv || config.data.kind == DataSpec::Kind::npy) {
          diags.error(
              whole,
              "give the whole data source here, e.g. --data 'npy(x = \"x.npy\", y = \"y.npy\")'");
          return;
        }
        config.data.kind = DataSpec::Kind::csv;
      }
      config.data.path = text;
      return;
    }
    if (ExprPtr value = parse_train_value(f, diags)) reader.entry(key, Span{}, *value, "");
  };
  for (const char* first : {"optimizer"})
    if (auto it = overrides.find(first); it != overrides.end()) apply(it->first, it->second);
  for (const auto& [key, text] : overrides)
    if (key != "optimizer" && key != "lr") apply(key, text);
  if (auto it = overrides.find("lr"); it != overrides.end()) apply("lr", it->second);
  diags.throw_if_errors();
  return config;
}

std::int64_t held_out_count(double validate, std::int64_t n) {
  const double share = validate * static_cast<double>(n);
  // A product a few ulps under a whole number is that number.
  return static_cast<std::int64_t>(std::floor(share * (1 + 1e-12)));
}

void check_train_config(const TrainConfig& c, const std::string& source) {
  auto refuse = [&](const std::string& key, const std::string& takes, const std::string& got) {
    throw Error(source + ": " + key + " takes " + takes + "; got " + got);
  };
  if (c.batch < 1) refuse("batch", "a whole number ≥ 1", std::to_string(c.batch));
  if (c.window < 0) refuse("window", "a whole number ≥ 1", std::to_string(c.window));
  if (!(c.validate >= 0 && c.validate < 1))
    refuse("validate", "a number in [0, 1)", format_number(c.validate));
  if (c.steps && *c.steps < 1) refuse("steps", "a whole number ≥ 1", std::to_string(*c.steps));
  if (!c.steps && c.epochs < 1) refuse("epochs", "a whole number ≥ 1", std::to_string(c.epochs));
}

}  // namespace eq
