#include "eq/compiler/lower/model.hpp"

#include <algorithm>

#include "eq/compiler/lower/lowering.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"

namespace eq {

// The order of the work; lowering.hpp says what each part does.
void Model::Lowering::run() {
  collect();
  for (const Stmt& s : m_.module_->statements) declare(s);
  for (const Stmt& s : m_.module_->statements)
    if (s.kind == StmtKind::Equation || s.kind == StmtKind::Const)
      resolve(s.names[0]->name, s.names[0]->span);
  finish_states();
  find_loss();
  find_outputs();
}

Model::Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::from_source(const std::string& name, const std::string& text,
                         const ModelOptions& options) {
  auto file = std::make_shared<SourceFile>(name, text);
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();
  return from_module(std::move(file), std::move(module), options);
}

Model Model::from_module(std::shared_ptr<SourceFile> file, Module module,
                         const ModelOptions& options) {
  Model m;
  m.file_ = std::move(file);
  m.graph_ = std::make_unique<ir::Graph>(options.dtype);
  m.module_ = std::make_unique<Module>(std::move(module));
  Diagnostics diags;
  Lowering lowering(m, options, diags);
  lowering.run();
  diags.throw_if_errors();
  m.warnings_ = diags.render();
  return m;
}

std::vector<CarriedState> carried_states(const Model& model) {
  // "₀" … "₉", three bytes each in UTF-8.
  auto subscript = [](int k) {
    static const char* const digits[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
    std::string out;
    for (char c : std::to_string(k)) out += digits[c - '0'];
    return out;
  };
  std::vector<CarriedState> out;
  for (const ModelState& s : model.states()) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const CarriedState& c) { return c.name == s.name; });
    if (it == out.end()) {
      CarriedState c;
      c.name = s.name;
      c.next = s.next;
      c.init_value = s.init_value;
      c.init_param = s.init_param;
      it = out.insert(out.end(), std::move(c));
    }
    while (it->depth() < static_cast<std::size_t>(s.delay)) {
      it->slots.push_back(s.name + "₋" + subscript(static_cast<int>(it->depth()) + 1));
      it->leaves.emplace_back();
    }
    it->slots[static_cast<std::size_t>(s.delay - 1)] = s.leaf;
    it->leaves[static_cast<std::size_t>(s.delay - 1)] = s.node;
  }
  return out;
}

std::string read_model_source(const std::string& path) {
  std::string bytes = read_file(path);
  const BinaryKind kind = binary_kind(bytes);
  const std::string not_source = ": this is " + describe(kind) + ", not a model's source: ";
  if (kind == BinaryKind::safetensors)
    throw Error(path + not_source +
                "eval, predict and export take it with -w (eqc eval MODEL.eq -w " + path +
                "), and eqc run " + path + " uses the source saved in it");
  if (kind == BinaryKind::npy)
    throw Error(path + not_source + "a train block reads it (data = npy(x = \"" + path + "\", …))");
  if (path.ends_with(".csv"))
    throw Error(path +
                ": this is a CSV data file, not a model's source: a train block reads it "
                "(data = csv(\"" +
                path + "\", …)), or --data " + path + " gives it to a command");
  return bytes;
}

Model Model::load(const std::string& path, const ModelOptions& options) {
  return from_source(path, read_model_source(path), options);
}

}  // namespace eq
