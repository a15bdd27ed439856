// Setup: everything a run needs before the first step, in the order it must
// happen. The train block is read first (from the parsed module, before
// lowering), then its data is loaded, because the data may set a dim that
// has no value (`dim V`: the classes of a one-hot target, the columns of an
// input, the text vocabulary); only then is the model lowered with those
// dims, and the data checked against the declared shapes (fit_dataset).
//
// For eval / predict / run, a saved model's metadata (checkpoint.hpp) gives
// the dims, class labels and dtype it was trained with, so new data maps its
// labels to the same class indices.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "compiler/lower/model.hpp"
#include "train/checkpoint.hpp"
#include "train/config.hpp"
#include "runtime/data.hpp"

namespace eq {

struct SetupOptions {
  std::map<std::string, std::int64_t> dims;       // -D NAME=VALUE
  std::map<std::string, std::string> overrides;   // --KEY VALUE (train keys and lr)
  const SavedModel* saved = nullptr;              // eval / predict / run
  bool inputs_only = false;                       // predict / run: bind no targets
  bool load_data = true;                          // false: model and config only
};

struct Setup {
  std::unique_ptr<Model> model;
  TrainConfig config;
  Dataset data;  // fitted to the model's declarations (f64 numbers, i32 classes)
  std::map<std::string, std::vector<std::string>> labels;  // class target → labels
  std::string vocabulary;                                   // text data
  Tensor text{DType::i32, Shape{0}};                        // text data: i32 symbols
  std::string source_name, source;                          // the .eq file
};

// From a `.eq` file; block paths are relative to its folder.
Setup setup_file(const std::string& path, const SetupOptions& options);
// From source text (a saved model's), with block paths relative to base_dir.
Setup setup_source(const std::string& name, const std::string& text, const std::string& base_dir,
                   const SetupOptions& options);

}  // namespace eq
