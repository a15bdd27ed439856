#include "eq/train/setup.hpp"

#include <algorithm>
#include <cctype>
#include <new>
#include <optional>
#include <set>

#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/nesting.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/grammar/source.hpp"
#include "eq/grammar/suggest.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/utf8.hpp"
#include "eq/train/saved_check.hpp"
#include "eq/train/vocabulary.hpp"

namespace eq {
namespace {

// An input or target as the AST declares it (before lowering).
struct Declared {
  std::string name;
  bool target = false;
  bool onehot = false;
  bool sequence = false;      // onehot[T, V]: T class indices per example
  std::string size_dim;       // the shape is `[D]` / `onehot[D]` with D a dim without a value
  std::string base;           // a timed name without its time index: data binds `x` to xₜ
  std::int64_t columns = -1;  // CSV columns it takes, when its shape says (`[10]`, onehot: 1)
  // The name data binds it by: x for xₜ.
  const std::string& data_name() const { return base.empty() ? name : base; }
};

// Columns from..to as a binding writes them: 3, or 0:4.
std::string column_range(std::int64_t from, std::int64_t to) {
  return to - from == 1 ? std::to_string(from) : std::to_string(from) + ":" + std::to_string(to);
}

// A `data = …` entry for the model's declarations, for a message: text for
// a model of timed one-hot inputs; else CSV columns in declaration order,
// inputs first, from the shapes where they say how many (`x : [10]` takes
// 0:10, a one-hot target one column).
std::string data_example(const std::vector<Declared>& declared) {
  const bool text = !declared.empty() &&
                    std::all_of(declared.begin(), declared.end(),
                                [](const Declared& d) { return d.onehot && !d.base.empty(); });
  if (text) return "data = text(\"FILE.txt\")";
  std::string out = "data = csv(\"FILE.csv\"";
  std::int64_t at = 0;
  bool known = true;
  for (bool target : {false, true})
    for (const Declared& d : declared) {
      if (d.target != target) continue;
      std::string columns = "COLUMNS";
      if (known && d.columns >= 1) {
        columns = column_range(at, at + d.columns);
        at += d.columns;
      } else {
        known = false;  // later columns cannot be counted either
      }
      out += ", " + d.data_name() + " = " + columns;
    }
  return out + ")";
}

// What `dims` placeholders stand for when the data is not read (eqc check).
constexpr std::int64_t kOpenDimPlaceholder = 7;

std::vector<std::string> dim_names(const Module& module) {
  std::vector<std::string> out;
  for (const Stmt& st : module.statements)
    if (st.kind == StmtKind::Dim)
      for (const ExprPtr& n : st.names) out.push_back(n->name.text);
  return out;
}

// The statements that make the model: all but the train block.
std::vector<const Stmt*> model_statements(const Module& module) {
  std::vector<const Stmt*> out;
  for (const Stmt& st : module.statements)
    if (st.kind != StmtKind::Train) out.push_back(&st);
  return out;
}

// "" when `saved` holds the source of the same model as `module` (named
// `name`): the same statements (their spelling and comments aside), the
// train block aside. Else says so, quoting the first statement that differs.
std::string difference(const Module& module, const std::string& name, const SavedModel& saved) {
  SourceFile saved_file(saved.source_name, saved.source);
  Diagnostics ignored;
  const Module theirs = parse_module(saved_file, ignored);
  const std::vector<const Stmt*> a = model_statements(module), b = model_statements(theirs);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && !ignored.has_errors() && same(*a[i], *b[i])) ++i;
  if (i == a.size() && i == b.size() && !ignored.has_errors()) return "";
  auto quote = [](const std::vector<const Stmt*>& list, std::size_t at,
                  const char* what) -> std::string {
    if (at >= list.size()) return std::string("  ") + what + "(nothing more)\n";
    const Stmt& st = *list[at];
    const Location l = st.span.file->location(st.span.begin);
    return std::string("  ") + what + std::string(st.span.file->line_text(l.line)) + "   (line " +
           std::to_string(l.line) + ")\n";
  };
  const std::string theirs_name =
      saved.source_name.empty() ? "the saved source" : saved.source_name;
  return "these weights were trained with another model: the source saved in them (" + theirs_name +
         ") differs from " + name + ":\n" + quote(b, i, "saved:  ") + quote(a, i, "given:  ");
}

// Throws unless `saved` holds the source of the same model as `module`.
void check_same_model(const Module& module, const std::string& name, const SavedModel& saved,
                      const std::string& saved_path) {
  const std::string differs = difference(module, name, saved);
  if (!differs.empty())
    throw Error(saved_path + ": " + differs + "pass --force to use them anyway");
}

// A dim the data sets, with where its value comes from (for messages).
struct DataDim {
  std::int64_t value = 0;
  std::string origin;
};

}  // namespace

void check_dim_options(const Module& module, const std::map<std::string, std::int64_t>& dims) {
  const std::vector<std::string> known = dim_names(module);
  auto lower = [](std::string t) {
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  for (const auto& [name, value] : dims) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string message = "-D " + name + "=" + std::to_string(value) + ": ";
    const Stmt* other = nullptr;
    for (const Stmt& st : module.statements)
      for (const ExprPtr& n : st.names)
        if (n->name.text == name) other = &st;
    if (other && other->kind == StmtKind::Equation)
      message += "'" + name + "' is defined by an equation, not a dim";
    else if (other)
      message += "'" + name + "' is " + (other->kind == StmtKind::Input ? "an " : "a ") +
                 stmt_keyword(other->kind) + ", not a dim";
    else
      message += "the model has no dim '" + name + "'";
    // The nearest dim: the same name in another case, else the closest spelling.
    std::string near;
    for (const std::string& k : known)
      if (lower(k) == lower(name)) near = k;
    if (near.empty()) near = nearest_name(name, known);
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    message += list.empty() ? " (it declares no dims)" : " (its dims: " + list + ")";
    throw Error(message);
  }
}

namespace {
// `message` without a leading "NAME: " naming the file of `block`.
std::string without_file_name(const Stmt& block, const std::string& message) {
  const std::string own = block.keyword_span.file->name() + ": ";
  return message.starts_with(own) ? message.substr(own.size()) : message;
}
}  // namespace

std::set<std::string> data_set_dims(const Module& module) {
  std::set<std::string> open, out;
  for (const Stmt& st : module.statements)
    if (st.kind == StmtKind::Dim && !st.value)
      for (const ExprPtr& n : st.names) open.insert(n->name.text);
  for (const Stmt& st : module.statements)
    if ((st.kind == StmtKind::Input || st.kind == StmtKind::Target) && st.shape.size() == 1 &&
        st.shape[0]->kind == ExprKind::Name && open.count(st.shape[0]->name.text))
      out.insert(st.shape[0]->name.text);
  return out;
}

std::string model_difference(const Setup& setup, const SavedModel& saved) {
  SourceFile file(setup.source_name, setup.source);
  Diagnostics diags;
  const Module module = parse_module(file, diags);
  return difference(module, setup.source_name, saved);
}

std::string entry_named_in(const Stmt* block, const std::string& message) {
  if (!block) return "";
  const std::string text = without_file_name(*block, message);
  for (const TrainEntry& e : block->entries)
    if (text.starts_with(e.key + " = ")) return e.key;
  return "";
}

// A CSV file with its text in NFC, as the .eq source is: a header or label
// typed with a combining accent (e + U+0302) is the name the model spells
// precomposed (ê), and one class, not two. Text that is not UTF-8 is left to
// the CSV reader's located error.
CsvTable load_csv_nfc(const std::string& path) {
  std::string text = read_file(path);
  refuse_binary(text, path, "CSV data");
  if (text.size() < (std::size_t{1} << 31) && utf8::find_invalid(text) == std::string::npos)
    text = normalize_nfc(text);
  return parse_csv(std::move(text), path);
}

// The bindings that `--data f.csv` suggests for a model whose train block
// binds no columns, from the file where it reads: each target the last
// columns in turn (by header name where there is one), the inputs the
// columns before them (one input: all of them).
std::string binding_hint(const std::string& path, const std::vector<Declared>& declared) {
  const CsvTable table = load_csv_nfc(path);  // a file that cannot be read says so first
  const std::int64_t cols = table.cols();
  const std::vector<std::string>& header = table.header();
  std::int64_t targets = 0, inputs = 0;
  for (const Declared& d : declared) (d.target ? targets : inputs) += 1;
  std::int64_t first_target = std::max<std::int64_t>(1, cols - targets);
  // Several inputs whose shapes say their widths take them in turn.
  std::int64_t widths = 0;
  bool known = inputs > 1;
  for (const Declared& d : declared)
    if (!d.target) {
      known = known && d.columns >= 1;
      widths += std::max<std::int64_t>(d.columns, 0);
    }
  known = known && widths <= first_target;
  std::string out;
  std::int64_t input = 0, target = 0, at = 0;
  for (const Declared& d : declared) {
    std::string columns;
    if (d.target) {
      const std::int64_t c = std::min(cols - 1, first_target + target++);
      columns = c < static_cast<std::int64_t>(header.size())
                    ? "\"" + header[static_cast<std::size_t>(c)] + "\""
                    : std::to_string(c);
    } else if (known) {
      columns = column_range(at, at + d.columns);
      at += d.columns;
    } else if (inputs == 1 || first_target <= inputs) {
      columns = column_range(0, first_target);
    } else {
      // Several inputs of unknown widths: one column each, the last the rest.
      const std::int64_t c = input++;
      columns = input < inputs ? std::to_string(c) : column_range(c, first_target);
    }
    out += ", " + d.data_name() + " = " + columns;
  }
  return out;
}

std::string at_train_block(const Stmt* block, const std::string& key, const std::string& message) {
  if (!block) return message;
  Span where = block->keyword_span;
  const std::string text = without_file_name(*block, message);
  const std::string entry = key.empty() ? entry_named_in(block, message) : key;
  for (const TrainEntry& e : block->entries)
    if (e.key == entry) where = e.value ? e.value->span : e.span;
  Diagnostics d;
  if (message.find(": error: ") != std::string::npos) {
    d.note(where, "in the data of the train block");
    return message + (message.ends_with("\n") ? "" : "\n") + d.render();
  }
  d.error(where, text);
  return d.render();
}

namespace {

Setup setup_source_here(const std::string& name, const std::string& text,
                        const std::string& base_dir, const SetupOptions& options) {
  Setup s;
  s.source_name = name;
  s.source = text;
  // Parsed once: the train block and the declarations are read from this
  // module before lowering, and the module is then lowered as it is.
  auto file = std::make_shared<SourceFile>(name, text);
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();
  check_dim_options(module, options.dims);
  if (options.saved && !options.force)
    check_same_model(module, name, *options.saved, options.saved_path);
  // Why the weights a run starts from may not fit: said if they do not.
  std::string start_differs = options.start ? difference(module, name, *options.start) : "";
  if (start_differs.ends_with('\n')) start_differs.pop_back();

  const Stmt* block = nullptr;
  std::set<std::string> open_dims;  // `dim V` without a value
  // `dim D = 2` (or -D D=2): for the widths the data hints count.
  std::map<std::string, std::int64_t> number_dims = options.dims;
  std::vector<Declared> declared;
  for (const Stmt& st : module.statements) {
    if (st.kind == StmtKind::Train && !block) block = &st;
    if (st.kind == StmtKind::Dim && !st.value)
      for (const ExprPtr& n : st.names) open_dims.insert(n->name.text);
    if (st.kind == StmtKind::Dim && st.value && st.value->kind == ExprKind::Number)
      for (const ExprPtr& n : st.names)
        number_dims.emplace(n->name.text, static_cast<std::int64_t>(st.value->number));
  }
  for (const Stmt& st : module.statements) {
    if (st.kind != StmtKind::Input && st.kind != StmtKind::Target) continue;
    for (const ExprPtr& n : st.names) {
      Declared d{n->name.text, st.kind == StmtKind::Target,
                 st.onehot,    st.onehot && st.shape.size() == 2,
                 "",           n->name.timed ? n->name.base : ""};
      if (st.shape.size() == 1 && st.shape[0]->kind == ExprKind::Name &&
          open_dims.count(st.shape[0]->name.text))
        d.size_dim = st.shape[0]->name.text;
      if (st.onehot && st.shape.size() == 1)
        d.columns = 1;
      else if (!st.onehot && st.shape.size() == 1 && st.shape[0]->kind == ExprKind::Number)
        d.columns = static_cast<std::int64_t>(st.shape[0]->number);
      else if (!st.onehot && st.shape.size() == 1 && st.shape[0]->kind == ExprKind::Name &&
               number_dims.count(st.shape[0]->name.text))
        d.columns = number_dims.at(st.shape[0]->name.text);
      declared.push_back(d);
    }
  }
  // Checking mode collects the train block's, the data's and the model's
  // errors here and throws them together after lowering.
  std::string errors;
  bool config_ok = true;
  try {
    s.config = train_config(block, options.overrides, base_dir);
  } catch (const Error& e) {
    if (!options.check) throw;
    errors += e.what();
    config_ok = false;
  }

  std::map<std::string, std::int64_t> dims;
  if (options.saved) {
    dims = options.saved->dims;
    s.config.dtype = options.saved->dtype;
  }
  for (const auto& [k, v] : options.dims) dims[k] = v;

  const DataSpec& spec = s.config.data;
  const bool load_data =
      config_ok && options.load_data && !(options.check && spec.kind == DataSpec::Kind::none);
  // The data was named by the block (not by --data): its errors are located there.
  const Stmt* data_block = options.overrides.count("data") ? nullptr : block;
  // `--data other.csv` replaces the block's file and keeps its bindings: a
  // message about the data gains a note at the bindings it was read with.
  const auto given = options.overrides.find("data");
  const bool bare_path = given != options.overrides.end() && block && bare_data_path(given->second);
  // `about_bindings`: a DataBindingError (which columns, how many per
  // example), not a bad field, located already, or an unreadable file.
  auto data_error = [&](const std::string& message, bool about_bindings = false) {
    if (bare_path && about_bindings)
      for (const TrainEntry& e : block->entries)
        if (e.key == "data" && e.value &&
            !e.value->span.file->slice(e.value->span).starts_with("text(")) {
          Diagnostics d;
          d.note(e.value->span,
                 "--data " + given->second + " is read with the bindings of the train block");
          return message + (message.ends_with("\n") ? "" : "\n") + d.render();
        }
    return at_train_block(data_block, "data", message);
  };
  // A name the data binds: a declared one, or a timed one by its base (rows
  // of a series: `x = 0:3` binds xₜ, docs/language.md §9).
  auto find_declared = [&](const std::string& n) -> const Declared* {
    for (const Declared& d : declared)
      if (d.name == n) return &d;
    for (const Declared& d : declared)
      if (!d.base.empty() && d.base == n) return &d;
    return nullptr;
  };
  std::map<std::string, DataDim> data_dims;
  bool data_ok = load_data;
  std::optional<CsvTable> csv;  // kept to locate the data's errors at their line
  // The weights whose labels and vocabulary read the data, if any: those
  // of eval / predict, or those a training run starts from, another
  // model's too (warm starts of an edited model): whether they fit the
  // model is checked below, and said with why when they do not.
  const SavedModel* known = options.saved ? options.saved : options.start;
  const std::string& known_path = options.saved ? options.saved_path : options.start_path;
  try {
    if (load_data && spec.kind == DataSpec::Kind::none) {
      const std::string data = data_example(declared);
      throw Error(
          name + ": no data: " +
          (block ? "add `" + data + "` to the train block, or give --data"
                 : "the model has no train block: give --data, or add `train { " + data + " }`"));
    }
    if (load_data && spec.kind == DataSpec::Kind::csv && spec.columns.empty()) {
      // `--data f.csv` on a model whose train block binds no columns.
      throw Error(spec.path + ": which columns are the model's inputs and targets? Bind them: " +
                  "csv(\"" + spec.path + "\"" + binding_hint(spec.path, declared) +
                  ") (column numbers, ranges or header names), in the train block's data or "
                  "--data");
    }
    if (load_data && spec.kind == DataSpec::Kind::csv) {
      const CsvTable& table = csv.emplace(load_csv_nfc(spec.path));
      std::vector<CsvBinding> bindings;
      for (const auto& [n, columns] : spec.columns) {
        const Declared* d = find_declared(n);
        if (options.inputs_only && d && d->target) continue;
        // A onehot input or target (docs/language.md §9): its column holds
        // class indices 0…V−1, or labels in sorted order (kept with the weights).
        // A onehot[T, V] input: T columns of class indices.
        bindings.push_back({n, columns, d && d->onehot && !d->sequence, d && d->sequence});
      }
      s.data = csv_dataset(table, bindings);
      // Saved labels: classes keep the indices they were trained with.
      if (known)
        for (DataColumn& c : s.data.columns) {
          auto it = known->labels.find(c.name);
          if (it == known->labels.end() || c.labels.empty()) continue;
          for (const CsvBinding& b : bindings)
            if (b.name == c.name) {
              CsvTable::Classes k = table.classes(table.select(b.columns)[0], it->second);
              c.values = std::move(k.indices);
              c.labels = std::move(k.labels);
            }
        }
    } else if (load_data && spec.kind == DataSpec::Kind::npy) {
      std::vector<NpyBinding> bindings;
      for (const auto& [n, path] : spec.files) {
        const Declared* d = find_declared(n);
        if (options.inputs_only && d && d->target) continue;
        bindings.push_back({n, path, d && d->onehot});
      }
      s.data = npy_dataset(bindings);
    } else if (load_data && spec.kind == DataSpec::Kind::text) {
      s.data.source = spec.path;  // names the text in the trainer's messages
      // Saved weights read new text with the vocabulary they were trained on.
      if (known && !known->vocabulary.empty()) {
        s.vocabulary = known->vocabulary;
        s.text = encode_text(read_file(spec.path), s.vocabulary, known_path, spec.path);
        // Training on from them: their vocabulary sizes the model, not the text.
        if (!options.saved)
          for (const Declared& d : declared)
            if (!d.size_dim.empty() && d.onehot)
              data_dims[d.size_dim] = {
                  static_cast<std::int64_t>(vocabulary_symbols(s.vocabulary, known_path).size()),
                  "the vocabulary of " + known_path};
      } else {
        TextData t = load_text(spec.path);
        s.vocabulary = t.vocabulary_utf8();
        s.text = t.symbols;
        for (const Declared& d : declared)
          if (!d.size_dim.empty() && d.onehot)
            data_dims[d.size_dim] = {static_cast<std::int64_t>(t.vocabulary.size()),
                                     "the characters of " + spec.path};
      }
    }
    // Columns take the declared name they bind (`x` → xₜ).
    for (DataColumn& c : s.data.columns)
      if (const Declared* d = find_declared(c.name)) c.name = d->name;
    // Dims the data sets.
    for (const DataColumn& c : s.data.columns) {
      const Declared* d = find_declared(c.name);
      if (!d || d->size_dim.empty()) continue;
      const std::string origin = c.origin + " of " + s.data.source;
      if (!c.labels.empty())
        data_dims[d->size_dim] = {static_cast<std::int64_t>(c.labels.size()), origin};
      else if (c.values.shape().rank() == 2)
        data_dims[d->size_dim] = {c.values.shape()[1], origin};
    }
  } catch (const Error& e) {
    const bool bindings = dynamic_cast<const DataBindingError*>(&e) != nullptr;
    if (!options.check) throw Error(data_error(e.what(), bindings));
    errors += data_error(e.what(), bindings);
    data_ok = false;
  } catch (const std::bad_alloc&) {
    throw Error(data_error("out of memory while loading the data (" + spec.path + ")"));
  }
  for (const auto& [dim, d] : data_dims) {
    if (auto given = options.dims.find(dim);
        given != options.dims.end() && given->second != d.value)
      throw Error("-D " + dim + "=" + std::to_string(given->second) +
                  " disagrees with the data, which sets " + dim + " = " + std::to_string(d.value) +
                  " (" + d.origin + "); leave " + dim + " to the data");
    if (!options.saved || !dims.count(dim)) dims[dim] = d.value;
  }

  ModelOptions model_options{dims, s.config.dtype};
  // Checking without the data: a dim the data would set (the size of an
  // input's or target's shape) takes a placeholder; any other dim with no
  // value is the error `eqc train` would report.
  std::string placed;
  if (options.check && !data_ok)
    for (const std::string& d : data_set_dims(module))
      if (model_options.dims.emplace(d, kOpenDimPlaceholder).second)
        placed += (placed.empty() ? "" : ", ") + d;
  try {
    s.model = std::make_unique<Model>(Model::from_module(file, std::move(module), model_options));
    // An output is a prediction: reading a target it would score itself
    // against the answer (check and train took it; predict refused it).
    for (const auto& [output, node] : s.model->outputs())
      check_reads_no_target(*s.model, std::span(&node, 1), "the output '" + output + "'");
  } catch (const Error& e) {
    if (!options.check) throw;
    errors += e.what();
    if (!placed.empty())
      errors += "note: the data sets " + placed + "; eqc check used " +
                std::to_string(kOpenDimPlaceholder) + " in its place\n";
  }
  if (!errors.empty()) throw Error(errors);
  // Text is one long sequence: a model reads it step by step, carrying a state.
  if (load_data && spec.kind == DataSpec::Kind::text && !s.model->timed())
    throw Error(data_error(spec.path +
                           ": text data is one long sequence, for a time model (one whose "
                           "equations read an earlier step, hₜ₋₁); no equation of " +
                           name + " does"));
  // `window` unrolls time; in a model without it, it would go unused unsaid.
  if (s.config.window > 0 && !s.model->timed()) {
    const std::string n = std::to_string(s.config.window);
    const std::string why =
        " is for time models (with hₜ and hₜ₋₁); no equation of this model reads an earlier "
        "step, so it is not used";
    const TrainEntry* entry = nullptr;
    if (block && !options.overrides.count("window"))
      for (const TrainEntry& e : block->entries)
        if (e.key == "window") entry = &e;
    Diagnostics d;
    if (entry) d.warning(entry->span, "window = " + n + why);
    s.model->add_warning(entry ? d.render() : "warning: --window " + n + why + "\n");
  }
  // The saved metadata fits this model before the data or the weights meet it.
  if (options.saved) check_saved_model(*options.saved, *s.model, options.saved_path, options.force);
  // Of the weights a run starts from, what reads the data (labels, scaling,
  // vocabulary); dims are the weights' shapes, which set_params checks.
  if (options.start)
    check_saved_model(*options.start, *s.model, options.start_path, false, start_differs,
                      /*dims=*/false);

  if (load_data && spec.kind != DataSpec::Kind::text) {
    std::vector<DataDeclaration> decls;
    auto add = [&](const ModelLeaf& l, const char* role) {
      decls.push_back({l.name, role, l.declared_shape(), l.onehot > 0});
    };
    for (const ModelLeaf& l : s.model->inputs()) add(l, "input");
    if (!options.inputs_only)
      for (const ModelLeaf& l : s.model->targets()) add(l, "target");
    try {
      fit_dataset(s.data, decls, csv ? &*csv : nullptr);
    } catch (const DataBindingError& e) {
      throw Error(data_error(e.what(), true));
    } catch (const Error& e) {
      throw Error(data_error(e.what()));
    }
    // Numbers past f32 become ±inf when a batch is let in, and the run would
    // blame its first product: said here, at the field. Inputs that will be
    // scaled are checked after scaling (Batches).
    check_range(
        s.data, s.config.dtype, csv ? &*csv : nullptr,
        [&](const DataColumn& c) -> std::optional<std::string> {
          const bool input = std::any_of(s.model->inputs().begin(), s.model->inputs().end(),
                                         [&](const ModelLeaf& l) { return l.name == c.name; });
          if (options.saved)
            return input && options.saved->scale.count(c.name)
                       ? std::nullopt
                       : std::optional<std::string>(
                             "the saved weights compute in f32, as they were trained");
          // A time model takes no scale (text_windows.cc).
          if (!input || s.model->timed()) return "train with `dtype = f64` in the train block";
          // Scaled, and checked after scaling (Batches): by the
          // weights a run starts from (ExampleBatches), or as asked.
          const bool asked = s.config.scale != Scaling::none;
          const bool scaled = options.start ? !options.start->scale.empty() &&
                                                  (options.start->scale.count(c.name) || asked)
                                            : asked;
          if (scaled) return std::nullopt;
          return std::string(
              "scale the inputs (`scale = standard` in the train block) "
              "or train with `dtype = f64`");
        });
  }
  if (options.start && !options.saved) {
    // The weights keep the scaling they learnt with, none included.
    s.start_scale = options.start->scale;
    const bool scaled = !options.start->scale.empty();
    if (scaled != (s.config.scale != Scaling::none))
      s.model->add_warning("warning: " + options.start_path + " was trained on " +
                           (scaled ? "scaled inputs, and this run scales them as it did"
                                   : "unscaled inputs, and this run leaves them so") +
                           " (scale = " + std::string(scaling_name(s.config.scale)) +
                           " is not applied)\n");
  }
  for (const DataColumn& c : s.data.columns)
    if (!c.labels.empty()) s.labels[c.name] = c.labels;
  if (options.saved)
    for (const auto& [n, l] : options.saved->labels) s.labels.emplace(n, l);
  return s;
}

}  // namespace

Setup setup_source(const std::string& name, const std::string& text, const std::string& base_dir,
                   const SetupOptions& options) {
  // On a stack for the deepest expression the text can hold (nesting.hpp).
  return with_stack_for(text.size(),
                        [&] { return setup_source_here(name, text, base_dir, options); });
}

Setup copy_setup(const Setup& setup) {
  Setup s;
  s.model = std::make_unique<Model>(Model::from_source(
      setup.source_name, setup.source, ModelOptions{setup.model->dims(), setup.config.dtype}));
  s.config = setup.config;
  s.data = setup.data;
  s.labels = setup.labels;
  s.vocabulary = setup.vocabulary;
  s.text = setup.text;
  s.source_name = setup.source_name;
  s.source = setup.source;
  s.start_scale = setup.start_scale;
  return s;
}

Setup setup_saved_source(const SetupOptions& options) {
  EQ_ASSERT(options.saved, "setup_saved_source without a saved model");
  const SavedModel& saved = *options.saved;
  try {
    return setup_source(saved.source_name, saved.source, "", options);
  } catch (const Error& e) {
    const std::string_view what = e.what();
    const std::string at = saved.source_name + ":";
    // "name:LINE:…": a place in the saved source.
    if (!what.starts_with(at) || what.size() == at.size() ||
        !std::isdigit(static_cast<unsigned char>(what[at.size()])))
      throw;
    throw Error(options.saved_path + ": the source saved in it (as " + saved.source_name +
                ") has an error:\n" + std::string(what));
  }
}

Setup setup_file(const std::string& path, const SetupOptions& options) {
  return setup_source(path, read_model_source(path), parent_dir(path), options);
}

}  // namespace eq
