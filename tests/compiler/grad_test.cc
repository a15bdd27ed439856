// Every op's VJP against central differences in float64, on random inputs of
// several shapes, broadcasting and batches included. The test walks the op
// table: an op without a case here fails the test, so a new row cannot
// arrive without its gradient being checked.
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <tuple>

#include "gradcheck.hpp"

using namespace eq;
using namespace eq::ir;
using eq::testing::Leaves;
using eq::testing::random_tensor;

namespace {

// Domain of the random inputs: positive where the function needs it.
struct Domain {
  double lo, hi;
};

// One case: a graph made from leaves, the leaves to differentiate.
struct Case {
  std::string what;
  std::function<void(Graph&, Leaves&, std::vector<Node>&, std::mt19937&, Node&)> build;
};

// loss = Σ f(...) · R with a fixed random R of f's shape, so every output
// element gets a different weight (a plain Σ would hide some errors).
Node weighted(Graph& g, Leaves& leaves, Node y, std::mt19937& rng) {
  Node r = y.shape().has_batch() ? g.input("R" + std::to_string(g.size()), y.shape().example())
                                 : g.param("R" + std::to_string(g.size()), y.shape().example());
  Shape s = y.shape().has_batch() ? y.shape().example().with_front(3) : y.shape().example();
  leaves.add(r, random_tensor(s, rng, -1, 1));
  return sum(y * r, 0);
}

Node param(Graph& g, Leaves& leaves, std::vector<Node>& wrt, const std::string& name, Shape s,
           std::mt19937& rng, Domain d = {-2, 2}) {
  Node p = g.param(name, s);
  leaves.add(p, random_tensor(s, rng, d.lo, d.hi));
  wrt.push_back(p);
  return p;
}

Node batch_input(Graph& g, Leaves& leaves, std::vector<Node>& wrt, const std::string& name, Shape s,
                 std::mt19937& rng, Domain d = {-2, 2}) {
  Node x = g.input(name, s);
  leaves.add(x, random_tensor(s.with_front(3), rng, d.lo, d.hi));
  wrt.push_back(x);
  return x;
}

Domain domain_of(Op op) {
  switch (op) {
    case Op::log:
    case Op::sqrt:
    case Op::recip:
    case Op::log1p:
      return {0.3, 3};
    default:
      return {-2, 2};
  }
}

std::vector<Case> cases_for(Op op) {
  std::vector<Case> cases;
  const OpInfo& oi = info(op);
  auto unary_fn = [op](Node x) { return x.graph().make(op, {x}); };
  auto binary_fn = [op](Node a, Node b) { return a.graph().make(op, {a, b}); };
  if (oi.kind == OpKind::unary) {
    Domain d = domain_of(op);
    cases.push_back(
        {"matrix", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
           loss = weighted(g, l, unary_fn(param(g, l, w, "x", Shape{3, 4}, rng, d)), rng);
         }});
    cases.push_back(
        {"batch", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
           loss = weighted(g, l, unary_fn(batch_input(g, l, w, "x", Shape{5}, rng, d)), rng);
         }});
  } else if (oi.kind == OpKind::binary) {
    Domain da = op == Op::pow ? Domain{0.5, 2} : Domain{-2, 2};
    Domain db = op == Op::div ? Domain{0.5, 2} : Domain{-2, 2};
    std::vector<std::pair<Shape, Shape>> shapes = {{Shape{3, 4}, Shape{3, 4}},
                                                   {Shape{3, 4}, Shape{4}},
                                                   {Shape{3, 1}, Shape{1, 4}},
                                                   {Shape{}, Shape{3}},
                                                   {Shape{2, 3, 4}, Shape{3, 1}}};
    for (auto [sa, sb] : shapes)
      cases.push_back(
          {sa.str() + " with " + sb.str(),
           [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
             Node a = param(g, l, w, "a", sa, rng, da);
             Node b = param(g, l, w, "b", sb, rng, db);
             loss = weighted(g, l, binary_fn(a, b), rng);
           }});
    cases.push_back({"batch with param",
                     [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                       Node a = batch_input(g, l, w, "a", Shape{4}, rng, da);
                       Node b = param(g, l, w, "b", Shape{4}, rng, db);
                       loss = weighted(g, l, binary_fn(a, b), rng);
                     }});
    // A vector [D] over the rows of per-example matrices [T, D].
    cases.push_back({"per-example matrices with a row",
                     [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                       Node a = batch_input(g, l, w, "a", Shape{3, 4}, rng, da);
                       Node b = param(g, l, w, "b", Shape{4}, rng, db);
                       loss = weighted(g, l, binary_fn(a, b), rng);
                     }});
  } else if (oi.kind == OpKind::reduce) {
    for (int axis : {0, 1, 2})
      cases.push_back(
          {"axis " + std::to_string(axis),
           [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
             Node x = param(g, l, w, "x", Shape{3, 4}, rng);
             Node r = x.graph().make(op, {x}, [&] {
               Attrs a;
               a.axis = axis;
               return a;
             }());
             loss = r.shape().rank() ? weighted(g, l, r, rng) : r;
           }});
    cases.push_back({"per example of a batch",
                     [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                       Node x = batch_input(g, l, w, "x", Shape{2, 3}, rng);
                       Node r = x.graph().make(op, {x}, [&] {
                         Attrs a;
                         a.axis = 1;
                         return a;
                       }());
                       loss = weighted(g, l, r, rng);
                     }});
  }
  auto add = [&](std::string what, auto fn) { cases.push_back({what, fn}); };
  switch (op) {
    case Op::softmax:
    case Op::logsoftmax:
      add("matrix", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
        loss = weighted(g, l, unary_fn(param(g, l, w, "x", Shape{3, 5}, rng)), rng);
      });
      add("batch", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
        loss = weighted(g, l, unary_fn(batch_input(g, l, w, "x", Shape{4}, rng)), rng);
      });
      add("per-example matrices, row by row",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l, unary_fn(batch_input(g, l, w, "X", Shape{3, 4}, rng)), rng);
          });
      break;
    case Op::matmul:
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          add(std::string("matrix·matrix") + (ta ? " aᵀ" : "") + (tb ? " bᵀ" : ""),
              [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                Node a = param(g, l, w, "a", ta ? Shape{4, 3} : Shape{3, 4}, rng);
                Node b = param(g, l, w, "b", tb ? Shape{5, 4} : Shape{4, 5}, rng);
                loss = weighted(g, l, matmul(a, b, ta, tb), rng);
              });
      add("matrix·vector", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng,
                               Node& loss) {
        loss = weighted(
            g, l, matmul(param(g, l, w, "a", Shape{3, 4}, rng), param(g, l, w, "b", Shape{4}, rng)),
            rng);
      });
      add("vector·matrixᵀ",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l,
                            matmul(param(g, l, w, "a", Shape{4}, rng),
                                   param(g, l, w, "b", Shape{3, 4}, rng), false, true),
                            rng);
          });
      add("vector·vector",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = matmul(param(g, l, w, "a", Shape{4}, rng), param(g, l, w, "b", Shape{4}, rng));
          });
      add("batch·Wᵀ (W·x over a batch)",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node x = batch_input(g, l, w, "x", Shape{4}, rng);
            Node W = param(g, l, w, "W", Shape{3, 4}, rng);
            loss = weighted(g, l, matmul(x, W, false, true), rng);
          });
      // Per-example products (docs/language.md §9): stack·stack, stack·shared
      // and shared·stack, each flag; the shared operand's gradient is a
      // matmul_sum over the batch.
      for (int arrangement = 0; arrangement < 3; ++arrangement)
        for (bool ta : {false, true})
          for (bool tb : {false, true}) {
            const bool sa = arrangement != 2, sb = arrangement != 1;
            add(std::string(sa ? "stack" : "shared") + (ta ? "ᵀ" : "") + "·" +
                    (sb ? "stack" : "shared") + (tb ? "ᵀ" : ""),
                [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                  const Shape as = ta ? Shape{4, 3} : Shape{3, 4},
                              bs = tb ? Shape{2, 4} : Shape{4, 2};
                  Node a = sa ? batch_input(g, l, w, "a", as, rng) : param(g, l, w, "a", as, rng);
                  Node b = sb ? batch_input(g, l, w, "b", bs, rng) : param(g, l, w, "b", bs, rng);
                  loss = weighted(g, l, matmul(a, b, ta, tb), rng);
                });
          }
      break;
    case Op::matmul_acc:
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          add(std::string("c + matrix·matrix") + (ta ? " aᵀ" : "") + (tb ? " bᵀ" : ""),
              [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                Node c = param(g, l, w, "c", Shape{3, 5}, rng);
                Node a = param(g, l, w, "a", ta ? Shape{4, 3} : Shape{3, 4}, rng);
                Node b = param(g, l, w, "b", tb ? Shape{5, 4} : Shape{4, 5}, rng);
                loss = weighted(g, l, matmul_acc(c, a, b, ta, tb), rng);
              });
      add("c + batchᵀ·batch (a weight gradient)",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node c = param(g, l, w, "c", Shape{3, 4}, rng);
            Node a = batch_input(g, l, w, "a", Shape{3}, rng);
            Node b = batch_input(g, l, w, "b", Shape{4}, rng);
            loss = weighted(g, l, matmul_acc(c, a, b, true, false), rng);
          });
      break;
    case Op::matmul_sum:
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          add(std::string("Σ stack") + (ta ? "ᵀ" : "") + "·stack" + (tb ? "ᵀ" : ""),
              [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
                Node a = batch_input(g, l, w, "a", ta ? Shape{4, 3} : Shape{3, 4}, rng);
                Node b = batch_input(g, l, w, "b", tb ? Shape{2, 4} : Shape{4, 2}, rng);
                loss = weighted(g, l, matmul_sum(a, b, ta, tb), rng);
              });
      break;
    case Op::transpose:
      add("matrix", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
        loss = weighted(g, l, transpose(param(g, l, w, "x", Shape{3, 4}, rng)), rng);
      });
      add("per-example matrices",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l, transpose(batch_input(g, l, w, "X", Shape{3, 4}, rng)), rng);
          });
      break;
    case Op::gather:
      add("columns by index",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node W = param(g, l, w, "W", Shape{3, 5}, rng);
            Node idx = g.input_indices("i");
            l.add(idx, Tensor::from(Shape{3}, {4, 0, 4}, DType::i32));
            loss = weighted(g, l, gather(W, idx), rng);
          });
      break;
    case Op::scatter:
      add("a batch of rows into columns",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node G = batch_input(g, l, w, "G", Shape{2}, rng);
            Node idx = g.input_indices("i");
            l.add(idx, Tensor::from(Shape{3}, {4, 0, 4}, DType::i32));
            loss = weighted(g, l, scatter(G, idx, 5), rng);
          });
      break;
    case Op::scatter_acc:
      add("a sum plus a batch of rows into columns",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node c = param(g, l, w, "c", Shape{2, 5}, rng);
            Node G = batch_input(g, l, w, "G", Shape{2}, rng);
            Node idx = g.input_indices("i");
            l.add(idx, Tensor::from(Shape{3}, {4, 0, 4}, DType::i32));
            loss = weighted(g, l, scatter_acc(c, G, idx), rng);
          });
      break;
    case Op::gather_rows:
      // An embedding lookup: one index per example, and T per example
      // (`w·E` of a onehot[T, V] input, docs/language.md §9.7), repeats included.
      add("rows by index",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node E = param(g, l, w, "E", Shape{5, 3}, rng);
            Node idx = g.input_indices("i");
            l.add(idx, Tensor::from(Shape{3}, {4, 0, 4}, DType::i32));
            loss = weighted(g, l, gather_rows(E, idx), rng);
          });
      add("T rows per example",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node E = param(g, l, w, "E", Shape{5, 3}, rng);
            Node idx = g.input_indices("i", Shape{2});
            l.add(idx, Tensor::from(Shape{3, 2}, {4, 0, 1, 1, 4, 4}, DType::i32));
            loss = weighted(g, l, gather_rows(E, idx), rng);
          });
      break;
    case Op::scatter_rows:
      add("T rows per example into a table",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node G = batch_input(g, l, w, "G", Shape{2, 3}, rng);
            Node idx = g.input_indices("i", Shape{2});
            l.add(idx, Tensor::from(Shape{3, 2}, {4, 0, 1, 1, 4, 4}, DType::i32));
            loss = weighted(g, l, scatter_rows(G, idx, 5), rng);
          });
      break;
    case Op::reshape:
      add("matrix to vector",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l, reshape(param(g, l, w, "x", Shape{3, 4}, rng), IShape(Shape{12})),
                            rng);
          });
      break;
    case Op::expand:
      add("row to matrix",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(
                g, l, expand(param(g, l, w, "x", Shape{1, 4}, rng), IShape(Shape{3, 4})), rng);
          });
      break;
    case Op::sum_to:
      add("matrix to row", [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng,
                               Node& loss) {
        loss = weighted(g, l, sum_to(param(g, l, w, "x", Shape{3, 4}, rng), IShape(Shape{4})), rng);
      });
      break;
    case Op::sum_axis:
    case Op::amax_axis:
    case Op::amin_axis:
    case Op::logsumexp_axis:
      for (int axis : {0, 1})
        add("matrix, axis " + std::to_string(axis),
            [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
              Node x = param(g, l, w, "x", Shape{3, 4}, rng);
              loss = weighted(g, l,
                              x.graph().make(op, {x},
                                             [&] {
                                               Attrs a;
                                               a.axis = axis;
                                               return a;
                                             }()),
                              rng);
            });
      for (int axis : {1, 2, 3})
        add("per-example matrices, stored axis " + std::to_string(axis),
            [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
              Node x = batch_input(g, l, w, "x", Shape{2, 3, 4}, rng);
              Node r = x.graph().make(op, {x}, [&] {
                Attrs a;
                a.axis = axis;
                return a;
              }());
              // Broadcast back onto x, as layer norm does.
              loss = weighted(g, l, (x - r) * r, rng);
            });
      break;
    case Op::concat:
      add("param row with a batch and a matrix",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node h = param(g, l, w, "h", Shape{3}, rng);
            Node x = batch_input(g, l, w, "x", Shape{2}, rng);
            loss = weighted(g, l, concat({h, x, h * h}), rng);
          });
      add("per-example matrices with a shared row",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node X = batch_input(g, l, w, "X", Shape{2, 3}, rng);
            Node r = param(g, l, w, "r", Shape{1, 2}, rng);
            loss = weighted(g, l, concat({X, r}), rng);
          });
      break;
    case Op::slice:
      for (int axis : {0, 1})
        add("matrix, axis " + std::to_string(axis),
            [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
              loss = weighted(g, l, slice(param(g, l, w, "x", Shape{3, 4}, rng), axis, 1, 3), rng);
            });
      add("per-example matrices, rows",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l, slice(batch_input(g, l, w, "X", Shape{3, 4}, rng), 1, 2, 3), rng);
          });
      break;
    case Op::unslice:
      add("batch into a wider row",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            loss = weighted(g, l, unslice(batch_input(g, l, w, "x", Shape{2}, rng), 1, 1, 5), rng);
          });
      break;
    case Op::where:
      // c is 1 / 0 data (a comparison); a and b broadcast against it and each other.
      for (auto [sc, sa, sb] : {std::tuple{Shape{3, 4}, Shape{3, 4}, Shape{3, 4}},
                                std::tuple{Shape{3, 4}, Shape{4}, Shape{}},
                                std::tuple{Shape{3, 1}, Shape{1, 4}, Shape{3, 4}}})
        add("where " + sc.str() + " " + sa.str() + " " + sb.str(),
            [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
              Node c = g.param("c", sc);  // a leaf, not differentiated
              std::vector<double> bits;
              for (std::int64_t i = 0; i < sc.numel(); ++i)
                bits.push_back(static_cast<double>(i % 3 == 1));
              l.add(c, Tensor::from(sc, bits, DType::f64));
              Node a = param(g, l, w, "a", sa, rng);
              Node b = param(g, l, w, "b", sb, rng);
              loss = weighted(g, l, where(c, a, b), rng);
            });
      add("where over a batch",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node x = batch_input(g, l, w, "x", Shape{4}, rng);
            Node b = param(g, l, w, "b", Shape{4}, rng);
            loss = weighted(g, l, where(lt(x, constant_like(x, 0.0)), x * b, b), rng);
          });
      break;
    // The noise ops have no inputs: their cases check the gradient through a
    // product with a draw (fixed within a run's key), batched and not.
    case Op::random_normal:
    case Op::random_uniform:
    case Op::dropout_mask:
      add("x · noise over a batch",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node x = batch_input(g, l, w, "x", Shape{6}, rng);
            const IShape s = x.shape();
            Node z = op == Op::random_normal    ? random_normal(g, s, 0.5, 2, 0)
                     : op == Op::random_uniform ? random_uniform(g, s, -1, 3, 0)
                                                : dropout_mask(g, s, 0.4, 0);
            loss = weighted(g, l, sin(x) * z, rng);
          });
      add("dropout of a matrix param",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node x = param(g, l, w, "x", Shape{3, 5}, rng);
            loss = weighted(g, l, tanh(dropout(x * x, op == Op::dropout_mask ? 0.5 : 0.2, 1)), rng);
          });
      break;
    case Op::cast:
      add("cast to the same dtype",
          [=](Graph& g, Leaves& l, std::vector<Node>& w, std::mt19937& rng, Node& loss) {
            Node x = param(g, l, w, "x", Shape{3}, rng);
            loss = weighted(g, l,
                            x.graph().make(Op::cast, {x * x},
                                           [] {
                                             Attrs a;
                                             a.dtype = DType::f64;
                                             return a;
                                           }()),
                            rng);
          });
      break;
    default:
      break;
  }
  return cases;
}

// Ops whose derivative is zero or that are not differentiable values.
const std::set<Op> kNoGradient = {Op::input, Op::param, Op::constant, Op::sign,      Op::step,
                                  Op::floor, Op::eq,    Op::ne,       Op::lt,        Op::gt,
                                  Op::le,    Op::ge,    Op::onehot,   Op::batch_size};

}  // namespace

TEST_CASE("every op's VJP matches central differences in float64", "[autodiff]") {
  for (int k = 0; k < op_count(); ++k) {
    Op op = static_cast<Op>(k);
    if (kNoGradient.count(op)) continue;
    std::vector<Case> cases = cases_for(op);
    INFO("op " << op_name(op));
    REQUIRE_FALSE(cases.empty());
    for (const Case& c : cases) {
      INFO("case " << c.what);
      std::mt19937 rng(1234u + static_cast<unsigned>(k));
      Graph g(DType::f64);
      Leaves leaves;
      std::vector<Node> wrt;
      Node loss;
      c.build(g, leaves, wrt, rng, loss);
      eq::testing::gradient_error(loss, leaves, wrt);
    }
  }
}
