// What a weights file's metadata says about its model (checkpoint.hpp),
// checked against the model it is used with, before anything reads it.
// decode_metadata checks each value on its own (JSON types, whole numbers,
// a vocabulary in code point order); this checks how they fit the model:
//   eq.labels      each names a one-hot target, with at most its classes,
//                  each label once
//   eq.scale       each names an input of numbers; offset and factor have
//                  one finite value per feature of the input
//   eq.vocabulary  one symbol per class of the one-hot input it encodes
// Every command that reads saved weights goes through setup (setup.hpp),
// which calls this once the model is lowered: a file changed after eqc
// wrote it is an error naming the file, never an out-of-bounds read later.
#pragma once

#include <string>

#include "eq/compiler/lower/model.hpp"
#include "eq/train/checkpoint.hpp"

namespace eq {

// Throws eq::Error naming `path` (the weights file) and the metadata key;
// `forced`: the user gave --force (the weights may be another model's);
// `other_model`: why the sources differ (setup.cc's difference()), said
// after what does not fit instead of asking whether the file was edited.
// `dims`: whether eq.dims must name the model's dims (not for weights a
// run only starts from: their shapes are checked as they are set).
void check_saved_model(const SavedModel& saved, const Model& model, const std::string& path,
                       bool forced = false, const std::string& other_model = "", bool dims = true);

}  // namespace eq
