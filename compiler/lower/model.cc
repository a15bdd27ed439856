#include "compiler/lower/model.hpp"

#include <fstream>
#include <sstream>

#include "compiler/lower/lowering.hpp"
#include "grammar/parse.hpp"
#include "runtime/error.hpp"

namespace eq {

// The order of the work; lowering.hpp says what each part does.
void Model::Lowering::run() {
  collect();
  for (const Stmt& s : m_.module_->statements) declare(s);
  for (const Stmt& s : m_.module_->statements)
    if (s.kind == StmtKind::Equation || s.kind == StmtKind::Const) resolve(s.names[0]->name, s.names[0]->span);
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
  Model m;
  m.file_ = std::make_shared<SourceFile>(name, text);
  m.graph_ = std::make_unique<ir::Graph>(options.dtype);
  Diagnostics diags;
  m.module_ = std::make_unique<Module>(parse_module(*m.file_, diags));
  if (!diags.has_errors()) {
    Lowering lowering(m, options, diags);
    lowering.run();
  }
  diags.throw_if_errors();
  m.warnings_ = diags.render();
  return m;
}

Model Model::load(const std::string& path, const ModelOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": error: cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return from_source(path, text.str(), options);
}

}  // namespace eq
