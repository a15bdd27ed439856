#include "eq/compiler/parser.hpp"

#include "eq/grammar/lexer.hpp"
#include "eq/grammar/names.hpp"
#include "eq/grammar/nesting.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

class Parser::Dictionary : public lower::Scope {
 public:
  explicit Dictionary(const std::map<std::string, lower::Binding>& bindings)
      : bindings_(bindings) {}
  const lower::Binding* find(const NameParts& name, Span, Diagnostics&) override {
    auto found = bindings_.find(name.text);
    return found == bindings_.end() ? nullptr : &found->second;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, binding] : bindings_) out.push_back(name);
    return out;
  }

 private:
  const std::map<std::string, lower::Binding>& bindings_;
};

Parser::Parser(Graph& graph) : graph_(graph) {}

namespace {

// Why `name` cannot be bound — it is not one name as an equation writes it
// (then no equation could ever use the binding) — or "" when it can.
std::string not_a_name(std::string_view name) {
  const SourceFile file("the name", std::string(name));
  Diagnostics diags;
  Lexer lexer(file, diags);
  const Token first = lexer.next();
  const Tok after = lexer.next().kind;
  const bool one_name = first.kind == Tok::Name && (after == Tok::Newline || after == Tok::End) &&
                        !diags.has_errors() && first.begin == 0 && first.end == file.text().size();
  if (one_name) return "";
  const bool alone = after == Tok::Newline || after == Tok::End;
  if (first.kind == Tok::Builtin && alone) return "it is a built-in function's name";
  if (first.kind == Tok::Pi && alone) return "π is the number, not a name";
  switch (first.kind) {
    case Tok::Dim:
    case Tok::Input:
    case Tok::Target:
    case Tok::Param:
    case Tok::State:
    case Tok::Const:
    case Tok::Output:
    case Tok::Noise:
    case Tok::Train:
      if (alone)
        return "it is a keyword of the language (dim, input, target, param, state, "
               "const, output, noise, train)";
      break;
    default:
      break;
  }
  if (name.empty()) return "it is empty";
  return "an equation would not read it as one name (a letter, then letters, digits, primes "
         "and subscripts: x, Wᵢ, W_f, h_{t-1})";
}

}  // namespace

void Parser::set(std::string_view name, Node node) {
  if (const std::string why = not_a_name(name); !why.empty())
    throw Error("Parser::set: cannot bind '" + std::string(name) + "': " + why);
  if (!node) throw Error("Parser::set: cannot bind '" + std::string(name) + "' to a null node");
  if (&node.graph() != &graph_)
    throw Error("Parser::set: the node for '" + std::string(name) +
                "' belongs to another eq::Graph");
  lower::Binding b{node, 0};
  if (node.op() == ir::Op::input && node.dtype() == DType::i32 && node.attrs().size > 0)
    b.onehot = node.attrs().size;
  bindings_[canonical_name(name)] = b;
}

Node Parser::get(std::string_view name) const {
  auto found = bindings_.find(canonical_name(name));
  return found == bindings_.end() ? Node() : found->second.node;
}

std::vector<std::string> Parser::names() const { return Dictionary(bindings_).names(); }

Node Parser::parse(std::string_view expression) {
  return with_stack_for(expression.size(), [&] { return parse_here(expression); });
}

Node Parser::parse_here(std::string_view expression) {
  auto file = std::make_shared<SourceFile>("<parse>", std::string(expression));
  Diagnostics diags;
  ExprPtr e = parse_expression(*file, diags);
  diags.throw_if_errors();
  Dictionary dictionary(bindings_);
  lower::Context cx{graph_, dictionary, diags, file, &next_stream_};
  lower::Binding b = lower::lower_expression(*e, cx);
  diags.throw_if_errors();
  ++parsed_;
  if (b.onehot) return ir::onehot(b.node, b.onehot, graph_.dtype());
  return b.node;
}

Node Parser::define(std::string_view equation) {
  return with_stack_for(equation.size(), [&] { return define_here(equation); });
}

Node Parser::define_here(std::string_view equation) {
  auto file = std::make_shared<SourceFile>("<define>", std::string(equation));
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();
  if (module.statements.size() != 1 || module.statements[0].kind != StmtKind::Equation) {
    Span whole = file->span(0, static_cast<std::uint32_t>(file->text().size()));
    diags.error(whole, "define() takes one equation, `name = expression`");
    diags.throw_if_errors();
  }
  const Stmt& s = module.statements[0];
  Dictionary dictionary(bindings_);
  lower::Context cx{graph_, dictionary, diags, file, &next_stream_};
  lower::Binding b = lower::lower_expression(*s.value, cx);
  diags.throw_if_errors();
  const std::string& name = s.names[0]->name.text;
  if (graph_.data(b.node.id()).name.empty()) graph_.set_name(b.node, name);
  bindings_[name] = b;
  return b.onehot ? ir::onehot(b.node, b.onehot, graph_.dtype()) : b.node;
}

}  // namespace eq
