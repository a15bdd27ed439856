#include "eq/compiler/lower/model.hpp"

#include <algorithm>
#include <map>

#include "eq/compiler/lower/lowering.hpp"
#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/nesting.hpp"
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
  return with_stack_for(text.size(), [&] {
    auto file = std::make_shared<SourceFile>(name, text);
    Diagnostics diags;
    Module module = parse_module(*file, diags);
    diags.throw_if_errors();
    return from_module(std::move(file), std::move(module), options);
  });
}

Model Model::from_module(std::shared_ptr<SourceFile> file, Module module,
                         const ModelOptions& options) {
  const std::size_t size = file ? file->text().size() : 0;
  return with_stack_for(size,
                        [&] { return lower_module(std::move(file), std::move(module), options); });
}

Model Model::lower_module(std::shared_ptr<SourceFile> file, Module module,
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

std::vector<CarriedState> carried_states(const Model& model, const std::vector<ir::Node>& outputs) {
  std::vector<CarriedState> all = carried_states(model);
  std::vector<char> needed(all.size(), 0);
  for (bool grew = true; grew;) {
    grew = false;
    std::vector<ir::Node> roots = outputs;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (needed[i]) roots.push_back(all[i].next);
    const std::vector<char> keep = ir::reachable(model.graph(), roots);
    for (std::size_t i = 0; i < all.size(); ++i)
      for (const ir::Node& leaf : all[i].leaves)
        if (!needed[i] && leaf && keep[static_cast<std::size_t>(leaf.id())])
          needed[i] = 1, grew = true;
  }
  std::vector<CarriedState> out;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (needed[i]) out.push_back(std::move(all[i]));
  return out;
}

void check_reads_no_target(const Model& model, std::span<const ir::Node> roots,
                           std::string_view doing) {
  if (roots.empty() || model.targets().empty()) return;
  const ir::Graph& graph = model.graph();
  const std::vector<char> keep =
      ir::reachable(graph, std::vector<ir::Node>(roots.begin(), roots.end()));
  // The targets, and the one-hot forms of class targets: lowering makes one
  // per target and shares it, so its place is the first equation that
  // reads the target, not necessarily one the prediction needs.
  // An earlier step of a target (yₜ₋₁, a state's leaf whose next value is
  // yₜ) is the target too, read as that leaf.
  struct Read {
    const ModelLeaf* target;
    std::string as;  // the name read: yₜ, or yₜ₋₁
  };
  std::map<ir::NodeId, Read> targets;
  for (const ModelLeaf& t : model.targets()) targets[t.node.id()] = {&t, t.name};
  for (const ModelState& st : model.states())
    if (auto it = targets.find(st.next.id()); st.next && it != targets.end())
      targets[st.node.id()] = {it->second.target, st.leaf};
  for (ir::NodeId id = 0; id < graph.size(); ++id) {
    const ir::NodeData& n = graph.data(id);
    if (n.op == ir::Op::onehot && n.inputs.size() == 1 && targets.count(n.inputs[0]))
      targets[id] = targets[n.inputs[0]];
  }
  auto read_of = [&](ir::NodeId id) -> const Read* {
    auto it = targets.find(id);
    return it == targets.end() ? nullptr : &it->second;
  };
  auto target_of = [&](ir::NodeId id) -> const ModelLeaf* {
    const Read* r = read_of(id);
    return r ? r->target : nullptr;
  };
  for (ir::NodeId id = 0; id < graph.size(); ++id) {
    if (!keep[static_cast<std::size_t>(id)] || target_of(id)) continue;
    for (ir::NodeId in : graph.data(id).inputs) {
      const Read* r = read_of(in);
      if (!r) continue;
      const std::string message =
          std::string(doing) + " reads the target " + r->target->name +
          (r->as == r->target->name ? "" : " (as " + r->as + ")") +
          ", which predictions do not have: an `output` may depend on inputs and parameters only";
      throw Error(ir::error_at(graph.data(id).origin, message, model.source().name()));
    }
  }
  // A root that is itself a target (`output y`).
  for (const ir::Node& r : roots)
    if (const ModelLeaf* t = target_of(r.id()))
      throw Error(model.source().name() + ": " + std::string(doing) + " is the target " + t->name +
                  ", which predictions do not have");
}

}  // namespace eq
