#include "train/setup.hpp"

#include <set>

#include "grammar/parse.hpp"
#include "runtime/error.hpp"
#include "runtime/file_io.hpp"

namespace eq {
namespace {

// An input or target as the AST declares it (before lowering).
struct Declared {
  std::string name;
  bool target = false;
  bool onehot = false;
  std::string size_dim;  // the shape is `[D]` / `onehot[D]` with D a dim without a value
};

}  // namespace

Setup setup_source(const std::string& name, const std::string& text, const std::string& base_dir,
                   const SetupOptions& options) {
  Setup s;
  s.source_name = name;
  s.source = text;
  // Parsed once: the train block and the declarations are read from this
  // module before lowering, and the module is then lowered as it is.
  auto file = std::make_shared<SourceFile>(name, text);
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();

  const Stmt* block = nullptr;
  std::set<std::string> open_dims;  // `dim V` without a value
  std::vector<Declared> declared;
  for (const Stmt& st : module.statements) {
    if (st.kind == StmtKind::Train && !block) block = &st;
    if (st.kind == StmtKind::Dim && !st.value)
      for (const ExprPtr& n : st.names) open_dims.insert(n->name.text);
  }
  for (const Stmt& st : module.statements) {
    if (st.kind != StmtKind::Input && st.kind != StmtKind::Target) continue;
    for (const ExprPtr& n : st.names) {
      Declared d{n->name.text, st.kind == StmtKind::Target, st.onehot, ""};
      if (st.shape.size() == 1 && st.shape[0]->kind == ExprKind::Name &&
          open_dims.count(st.shape[0]->name.text))
        d.size_dim = st.shape[0]->name.text;
      declared.push_back(d);
    }
  }
  s.config = train_config(block, options.overrides, base_dir);

  std::map<std::string, std::int64_t> dims;
  if (options.saved) {
    dims = options.saved->dims;
    s.config.dtype = options.saved->dtype;
  }
  for (const auto& [k, v] : options.dims) dims[k] = v;

  const DataSpec& spec = s.config.data;
  auto find_declared = [&](const std::string& n) -> const Declared* {
    for (const Declared& d : declared)
      if (d.name == n) return &d;
    return nullptr;
  };
  if (options.load_data && spec.kind == DataSpec::Kind::none)
    throw Error(name + ": no data: add `data = csv(\"f.csv\", x = 0:4, y = 4)` to the train block "
                       "or give --data");
  if (options.load_data && spec.kind == DataSpec::Kind::csv) {
    CsvTable table = load_csv(spec.path);
    std::vector<CsvBinding> bindings;
    for (const auto& [n, columns] : spec.columns) {
      const Declared* d = find_declared(n);
      if (options.inputs_only && d && d->target) continue;
      bindings.push_back({n, columns, d && d->target && d->onehot});
    }
    s.data = csv_dataset(table, bindings);
    // Saved labels: classes keep the indices they were trained with.
    if (options.saved)
      for (DataColumn& c : s.data.columns) {
        auto it = options.saved->labels.find(c.name);
        if (it == options.saved->labels.end() || c.labels.empty()) continue;
        for (const CsvBinding& b : bindings)
          if (b.name == c.name) {
            CsvTable::Classes k = table.classes(table.select(b.columns)[0], it->second);
            c.values = std::move(k.indices);
            c.labels = std::move(k.labels);
          }
      }
  } else if (options.load_data && spec.kind == DataSpec::Kind::npy) {
    std::vector<NpyBinding> bindings;
    for (const auto& [n, path] : spec.files) {
      const Declared* d = find_declared(n);
      if (options.inputs_only && d && d->target) continue;
      bindings.push_back({n, path, d && d->target && d->onehot});
    }
    s.data = npy_dataset(bindings);
  } else if (options.load_data && spec.kind == DataSpec::Kind::text) {
    TextData t = load_text(spec.path);
    s.vocabulary = t.vocabulary_utf8();
    s.text = t.symbols;
    for (const Declared& d : declared)
      if (!d.size_dim.empty() && d.onehot && !dims.count(d.size_dim))
        dims[d.size_dim] = static_cast<std::int64_t>(t.vocabulary.size());
  }
  // Dims the data sets.
  for (const DataColumn& c : s.data.columns) {
    const Declared* d = find_declared(c.name);
    if (!d || d->size_dim.empty() || dims.count(d->size_dim)) continue;
    if (!c.labels.empty()) dims[d->size_dim] = static_cast<std::int64_t>(c.labels.size());
    else if (c.values.shape().rank() == 2) dims[d->size_dim] = c.values.shape()[1];
  }

  s.model = std::make_unique<Model>(Model::from_module(file, std::move(module), {dims, s.config.dtype}));
  if (options.load_data && spec.kind != DataSpec::Kind::text) {
    std::vector<DataDeclaration> decls;
    auto add = [&](const ModelLeaf& l, const char* role) {
      decls.push_back({l.name, role, l.onehot ? Shape{l.onehot} : l.node.shape().example(),
                       l.onehot > 0});
    };
    for (const ModelLeaf& l : s.model->inputs()) add(l, "input");
    if (!options.inputs_only)
      for (const ModelLeaf& l : s.model->targets()) add(l, "target");
    fit_dataset(s.data, decls);
  }
  for (const DataColumn& c : s.data.columns)
    if (!c.labels.empty()) s.labels[c.name] = c.labels;
  if (options.saved)
    for (const auto& [n, l] : options.saved->labels) s.labels.emplace(n, l);
  return s;
}

Setup setup_file(const std::string& path, const SetupOptions& options) {
  return setup_source(path, read_file(path), parent_dir(path), options);
}

}  // namespace eq
