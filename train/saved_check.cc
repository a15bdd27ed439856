#include "eq/train/saved_check.hpp"

#include <cmath>
#include <set>

#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {
namespace {

const ModelLeaf* find_leaf(const std::vector<ModelLeaf>& leaves, const std::string& name) {
  for (const ModelLeaf& l : leaves)
    if (l.name == name) return &l;
  return nullptr;
}

// Why metadata may not fit: the file was edited, or (--force) it holds
// another model's weights.
constexpr const char* kChanged = "; was the file changed after eqc wrote it?";
constexpr const char* kForced = "; --force used the weights of another model, and they do not fit";

void check_labels(const SavedModel& saved, const Model& model, const std::string& path,
                  const std::string& why) {
  const std::string what = path + ": metadata 'eq.labels'";
  for (const auto& [name, labels] : saved.labels) {
    // A one-hot target's, or a one-hot input's read from a CSV column of labels.
    const ModelLeaf* t = find_leaf(model.targets(), name);
    if (!t) t = find_leaf(model.inputs(), name);
    if (!t || !t->onehot)
      throw Error(what + " holds classes of '" + name +
                  "', which is not a one-hot input or target of " + model.source().name() + why);
    if (labels.empty() || static_cast<std::int64_t>(labels.size()) > t->onehot)
      throw Error(what + " names " + std::to_string(labels.size()) + " classes of " + name +
                  ", but the model's " + name + " is onehot[" + std::to_string(t->onehot) + "]" +
                  why);
    std::set<std::string_view> seen;
    for (const std::string& l : labels)
      if (!seen.insert(l).second)
        throw Error(what + " names the class '" + utf8::shorten(l) + "' of " + name + " twice" +
                    why);
  }
}

void check_scale(const SavedModel& saved, const Model& model, const std::string& path,
                 const std::string& why) {
  const std::string what = path + ": metadata 'eq.scale'";
  for (const auto& entry : saved.scale) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const std::string& name = entry.first;
    const auto& s = entry.second;
    const ModelLeaf* in = find_leaf(model.inputs(), name);
    if (!in || in->onehot)
      throw Error(what + " scales '" + name + "', which is not an input of numbers of " +
                  model.source().name() + why);
    const std::int64_t features = in->node.shape().example().numel();
    auto check = [&](const std::vector<double>& v, const char* part) {
      if (static_cast<std::int64_t>(v.size()) != features)
        throw Error(what + ": the " + part + " of " + name + " has " + std::to_string(v.size()) +
                    " values, but the input has " + std::to_string(features) + " features" + why);
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
          throw Error(what + ": the " + part + " of " + name + " is not finite at feature " +
                      std::to_string(i) + why);
    };
    check(s.offset, "offset");
    check(s.factor, "factor");
  }
}

// The symbols of eq.vocabulary (decode_metadata checked their order) against
// the one-hot input that takes them, as the sampler and the text reader find it.
void check_vocabulary(const SavedModel& saved, const Model& model, const std::string& path) {
  if (saved.vocabulary.empty()) return;
  std::int64_t symbols = 0;
  for (std::size_t i = 0; i < saved.vocabulary.size(); ++symbols) {
    char32_t cp = 0;
    const int n = utf8::decode(saved.vocabulary, i, cp);
    EQ_ASSERT(n > 0, "decode_metadata let invalid UTF-8 through in eq.vocabulary");
    i += static_cast<std::size_t>(n);
  }
  for (const ModelLeaf& l : model.inputs())
    if (l.onehot) {
      if (symbols != l.onehot)
        throw Error(path + ": the saved vocabulary has " + std::to_string(symbols) +
                    " symbols but the model's input takes " + std::to_string(l.onehot));
      return;
    }
  throw Error(path + ": metadata 'eq.vocabulary' holds the symbols of a text, but " +
              model.source().name() +
              " has no one-hot input to read them; was the file changed after eqc wrote it?");
}

// Every saved dim is one of the model's (a value for a dim it lacks would
// otherwise go unused, unsaid).
void check_dims(const SavedModel& saved, const Model& model, const std::string& path,
                const std::string& why) {
  for (const auto& [name, value] : saved.dims)
    if (!model.dims().count(name))
      throw Error(path + ": metadata 'eq.dims' gives " + name + " = " + std::to_string(value) +
                  ", but " + model.source().name() + " has no dim " + name + why);
}

}  // namespace

void check_saved_model(const SavedModel& saved, const Model& model, const std::string& path,
                       bool forced, const std::string& other_model, bool dims) {
  const std::string why = !other_model.empty() ? "\n" + path + ": " + other_model
                          : forced             ? kForced
                                               : kChanged;
  check_labels(saved, model, path, why);
  check_scale(saved, model, path, why);
  check_vocabulary(saved, model, path);
  if (dims) check_dims(saved, model, path, why);
}

}  // namespace eq
