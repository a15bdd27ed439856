#include "eq/train/checkpoint.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {
namespace {

std::string code_point(char32_t cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  return code;
}

// eq.vocabulary holds the text's distinct characters in code point order:
// symbol i is the i-th, and text_to_symbols finds a character by binary
// search. A file changed after eqc wrote it (reordered, a character doubled,
// bytes cut) is an error here, naming the file, rather than an internal check
// or wrong symbols later.
void check_vocabulary(const std::string& v, const std::string& path) {
  const std::string what = path + ": metadata 'eq.vocabulary'";
  char32_t last = 0;
  std::size_t index = 0;
  for (std::size_t i = 0; i < v.size(); ++index) {
    char32_t cp = 0;
    const int n = utf8::decode(v, i, cp);
    if (n == 0) throw Error(what + " is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    if (index > 0 && cp <= last)
      throw Error(what + " is not in code point order: character " + std::to_string(index + 1) +
                  " (" + code_point(cp) + ") " + (cp == last ? "repeats" : "comes after") + " " +
                  code_point(last) + "; was the file changed after eqc wrote it?");
    last = cp;
    i += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::map<std::string, std::string> encode_metadata(const SavedModel& s) {
  using nlohmann::json;
  std::map<std::string, std::string> m;
  m.emplace("eq.format", "1");
  m["eq.source"] = s.source;
  m["eq.source_name"] = s.source_name;
  m["eq.dims"] = json(s.dims).dump();
  if (!s.labels.empty()) m["eq.labels"] = json(s.labels).dump();
  if (!s.vocabulary.empty()) m["eq.vocabulary"] = s.vocabulary;
  m["eq.seed"] = std::to_string(s.seed);
  m["eq.dtype"] = std::string(dtype_name(s.dtype));
  if (!s.scale.empty()) {
    json scale = json::object();
    for (const auto& [name, f] : s.scale)
      scale[name] = {{"offset", f.offset}, {"factor", f.factor}};
    m["eq.scale"] = scale.dump();
  }
  if (s.position) {
    m["eq.step"] = std::to_string(s.position->step);
    m["eq.epoch"] = std::to_string(s.position->epoch);
    m["eq.epoch_step"] = std::to_string(s.position->epoch_step);
    m["eq.epoch_steps"] = std::to_string(s.position->epoch_steps);
    m["eq.rng"] = s.position->rng;
    m["eq.optimizer"] = s.position->optimizer;
    m["eq.epoch_metrics"] = json{{"loss_sum", s.position->epoch_loss_sum},
                                 {"examples", s.position->epoch_examples},
                                 {"correct", s.position->epoch_correct}}
                                .dump();
  }
  return m;
}

SavedModel decode_metadata(const std::map<std::string, std::string>& m, const std::string& path) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  };
  auto need = [&](const char* key) -> const std::string& {
    const std::string* v = get(key);
    if (!v)
      throw Error(path + ": no '" + key + "' in the metadata; was this file written by eqc train?");
    return *v;
  };
  auto integer = [&](const char* key) {
    const std::string& v = need(key);
    try {
      std::size_t used = 0;
      long long n = std::stoll(v, &used);
      if (used == v.size() && n >= 0) return static_cast<std::int64_t>(n);
    } catch (const std::exception&) {
    }
    throw Error(path + ": metadata '" + key + "' should be a whole number; got '" + v + "'");
  };
  SavedModel s;
  s.source = need("eq.source");
  s.source_name = need("eq.source_name");
  // Each JSON entry in the form eqc writes, else an error that says which
  // entry and what it should hold (not the JSON library's exception text).
  struct NotInForm {};
  auto json_entry = [&](const char* key, const char* form, auto read) {
    const std::string& text = need(key);
    const std::string wrong = path + ": metadata '" + key + "' should be " + form +
                              ", as eqc writes it; was the file changed after eqc wrote it?";
    try {
      read(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception&) {
      throw Error(wrong);
    } catch (const NotInForm&) {
      throw Error(wrong);
    }
  };
  json_entry("eq.dims", "a JSON object of whole numbers ({\"H\": 128})",
             [&](const nlohmann::json& j) {
               if (!j.is_object()) throw NotInForm{};
               s.dims = j.get<std::map<std::string, std::int64_t>>();
             });
  if (get("eq.labels"))
    json_entry("eq.labels", "a JSON object of lists of strings ({\"y\": [\"a\", \"b\"]})",
               [&](const nlohmann::json& j) {
                 if (!j.is_object()) throw NotInForm{};
                 s.labels = j.get<std::map<std::string, std::vector<std::string>>>();
               });
  // A label twice would map two classes to one: refused before any data is
  // read with these labels (check_saved_model checks them against the model).
  for (const auto& [name, labels] : s.labels) {
    std::set<std::string_view> seen;
    for (const std::string& l : labels)
      if (!seen.insert(l).second)
        throw Error(path + ": metadata 'eq.labels' names the class '" + utf8::shorten(l) + "' of " +
                    name + " twice; was the file changed after eqc wrote it?");
  }
  if (get("eq.scale"))
    json_entry("eq.scale",
               "a JSON object of {\"offset\": [numbers], \"factor\": [numbers]} per input",
               [&](const nlohmann::json& scale) {
                 if (!scale.is_object()) throw NotInForm{};
                 for (auto it = scale.begin(); it != scale.end(); ++it) {
                   if (!it.value().is_object()) throw NotInForm{};
                   s.scale[it.key()] = {it.value().at("offset").get<std::vector<double>>(),
                                        it.value().at("factor").get<std::vector<double>>()};
                 }
               });
  // Dims become shapes: a size below 1 never is one (check_saved_model
  // checks the rest against the model).
  for (const auto& [name, value] : s.dims)
    if (value < 1)
      throw Error(path + ": metadata 'eq.dims' gives " + name + " = " + std::to_string(value) +
                  "; a dim is a positive whole number");
  if (auto v = get("eq.vocabulary")) {
    check_vocabulary(*v, path);
    s.vocabulary = *v;
  }
  // Files of a later layout than this eqc reads (the key is "1" so far;
  // files from before it was written have none).
  if (auto v = get("eq.format"); v && *v != "1")
    throw Error(path + ": metadata 'eq.format' is '" + *v +
                "': written by a later eqc than this one, which reads format 1");
  s.seed = static_cast<std::uint64_t>(integer("eq.seed"));
  const std::string& dt = need("eq.dtype");
  if (dt == "f32")
    s.dtype = DType::f32;
  else if (dt == "f64")
    s.dtype = DType::f64;
  else
    throw Error(path + ": metadata 'eq.dtype' should be f32 or f64; got '" + dt + "'");
  if (get("eq.step")) {
    TrainPosition p;
    p.step = integer("eq.step");
    p.epoch = integer("eq.epoch");
    p.epoch_step = integer("eq.epoch_step");
    if (get("eq.epoch_steps")) p.epoch_steps = integer("eq.epoch_steps");
    // Every epoch of a run takes its epoch_steps: the step count, the epoch
    // and the step within it agree (an edited eq.epoch would resume with
    // another epoch's shuffle, or past the end of one).
    if (p.epoch_steps > 0 && (p.epoch_step > p.epoch_steps || p.epoch > p.step / p.epoch_steps ||
                              p.epoch * p.epoch_steps + p.epoch_step != p.step))
      throw Error(path + ": metadata 'eq.step' " + std::to_string(p.step) + ", 'eq.epoch' " +
                  std::to_string(p.epoch) + " and 'eq.epoch_step' " + std::to_string(p.epoch_step) +
                  " do not agree with " + std::to_string(p.epoch_steps) +
                  " steps an epoch; was the file changed after eqc wrote it?");
    p.rng = need("eq.rng");
    if (auto v = get("eq.optimizer")) p.optimizer = *v;
    if (get("eq.epoch_metrics"))
      json_entry("eq.epoch_metrics",
                 "a JSON object {\"loss_sum\": 12.5, \"examples\": 40, \"correct\": 31} "
                 "(correct at most examples)",
                 [&](const nlohmann::json& j) {
                   if (!j.is_object() || j.size() != 3 || !j.contains("loss_sum") ||
                       !j["loss_sum"].is_number() || !j.contains("examples") ||
                       !j["examples"].is_number_unsigned() || !j.contains("correct") ||
                       !j["correct"].is_number_unsigned())
                     throw NotInForm{};
                   p.epoch_loss_sum = j["loss_sum"].get<double>();
                   p.epoch_examples = j["examples"].get<std::int64_t>();
                   p.epoch_correct = j["correct"].get<std::int64_t>();
                   if (!std::isfinite(p.epoch_loss_sum) || p.epoch_correct > p.epoch_examples)
                     throw NotInForm{};
                 });
    s.position = p;
  }
  return s;
}

void save_solver(Solver& solver, SafetensorsFile& file) {
  for (auto& [name, tensor] : solver.state())
    file.tensors.emplace_back(kOptimizerPrefix + name, *tensor);
}

bool restore_solver(Solver& solver, const SafetensorsFile& file, std::int64_t step) {
  solver.set_step_count(step);
  // The slots name the optimizer (m and v are adam's, momentum is sgd's with
  // μ > 0, plain sgd has none): other slots are another optimizer's state.
  // The same slots with a tensor missing or of another shape is a damaged
  // file: an error below, as for the weights.
  std::set<std::string, std::less<>> saved, taken;
  for (const auto& [name, tensor] : file.tensors)
    if (name.starts_with(kOptimizerPrefix)) saved.insert(name.substr(name.rfind('.') + 1));
  for (std::string_view slot : solver.slot_names()) taken.emplace(slot);
  if (saved != taken) return false;
  for (auto& [name, tensor] : solver.state()) {
    const std::string key = kOptimizerPrefix + name;
    expect_tensor(file, key, tensor->dtype(), tensor->shape());
    std::memcpy(tensor->raw(), file.find(key)->raw(), tensor->bytes());
  }
  return true;
}

}  // namespace eq
