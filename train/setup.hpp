// Setup: everything a run needs before the first step, in the order it must
// happen. The train block is read first (from the parsed module, before
// lowering), then its data is loaded, because the data may set a dim that
// has no value (`dim V`: the classes of a one-hot target, the columns of an
// input, the text vocabulary); only then is the model lowered with those
// dims, and the data checked against the declared shapes (fit_dataset).
//
// For eval / predict / run, a saved model's metadata (checkpoint.hpp) gives
// the dims, class labels, vocabulary and dtype it was trained with, so new
// data maps its labels (or characters) to the same class indices. Weights
// saved from another model (a different source, the train block aside) are
// refused unless forced.
//
// Dims from outside (-D NAME=VALUE) must name a dim of the model. A dim the
// data sets (`dim V`) may be given too — a command that has no data needs
// it — but only with the value the data gives it.
//
// A mistake in the data of a train block (a missing file, columns that do
// not fit the declarations, too many classes) is located on the block's
// `data` line. In checking mode (`eqc check`), the errors of the train
// block, the data and the model are all reported together.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/data.hpp"
#include "eq/train/checkpoint.hpp"
#include "eq/train/config.hpp"

namespace eq {

struct SetupOptions {
  std::map<std::string, std::int64_t> dims;      // -D NAME=VALUE
  std::map<std::string, std::string> overrides;  // --KEY VALUE (train keys and lr)
  const SavedModel* saved = nullptr;             // eval / predict / run
  std::string saved_path;                        // its file, for messages
  bool force = false;                            // saved weights of another source: use them
  // train --init / --resume: the weights the run starts from. Their labels
  // and vocabulary read the data, so that class k and symbol k keep the
  // meaning the weights learnt (new data with other symbols is an error at
  // the first one the weights do not know, never a silent reshuffle).
  const SavedModel* start = nullptr;
  std::string start_path;
  bool inputs_only = false;  // predict / run: bind no targets
  bool load_data = true;     // false: model and config only
  // eqc check: load the data only when the block names some, keep going
  // after a train-block or data error (dims the data would set take a
  // placeholder), and throw every error together.
  bool check = false;
};

struct Setup {
  std::unique_ptr<Model> model;
  TrainConfig config;
  Dataset data;  // fitted to the model's declarations (f64 numbers, i32 classes)
  std::map<std::string, std::vector<std::string>> labels;  // class target → labels
  std::string vocabulary;                                  // text data
  Tensor text{DType::i32, Shape{0}};                       // text data: i32 symbols
  std::string source_name, source;                         // the .eq file
  // --init / --resume: the input scaling of the weights the run starts
  // from (empty: none), which it keeps (the weights learnt inputs scaled
  // so) instead of fitting one to the data. Without a start: fitted as
  // config.scale says.
  std::optional<std::map<std::string, FeatureScale>> start_scale;
};

// From a `.eq` file; block paths are relative to its folder.
Setup setup_file(const std::string& path, const SetupOptions& options);
// From source text (a saved model's), with block paths relative to base_dir.
Setup setup_source(const std::string& name, const std::string& text, const std::string& base_dir,
                   const SetupOptions& options);

// From the source saved in a weights file (options.saved, read from
// options.saved_path). An error located in that source says where the
// source came from: the file named in it may since have changed or gone.
Setup setup_saved_source(const SetupOptions& options);

// The same run set up again for a thread that trains beside `setup`
// (ThreadTeam, thread_team.hpp): a model of its own, lowered from the same
// source with the same dims and dtype — building a training program adds
// to its model's graph, so two Trainers cannot share one — and copies of
// the data, the labels and the vocabulary.
Setup copy_setup(const Setup& setup);

// The dims a train block's data can set: those with no value that are the
// one size of an input or target (`input x : [D]`, `target y : onehot[D]`).
std::set<std::string> data_set_dims(const Module& module);

// Throws eq::Error unless every name of `dims` (-D) is a dim of `module`;
// the message names the nearest dim.
void check_dim_options(const Module& module, const std::map<std::string, std::int64_t>& dims);

// "" when `saved` holds the source of the model `setup` was made from (the
// train block, spelling and comments aside); else a message saying they
// differ, quoting the first statement that does, ending in a newline.
std::string model_difference(const Setup& setup, const SavedModel& saved);

// The key of the train block's entry that `message` is about — the message
// opens with "KEY = ", after a leading "NAME: " naming the model's file, as
// "scale = standard is not applied …" does — or "".
std::string entry_named_in(const Stmt* block, const std::string& message);

// `message` located on the train block: at its entry `key` when the block
// has one (with key "", the entry_named_in the message), else at the `train`
// keyword. A message located
// already (in a data file) keeps its place and gains a note at the block; a
// leading "NAME: " naming the model's file is dropped. Without a block,
// `message`.
std::string at_train_block(const Stmt* block, const std::string& key, const std::string& message);

}  // namespace eq
