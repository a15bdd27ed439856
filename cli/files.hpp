// The files a command reads and writes, checked before it writes any: an
// output that is also an input, or another output, would destroy what the
// user has — `eqc train m.eq -o m.eq` used to replace the model's source
// with weights, `--log r.csv -o r.csv` the log with the weights.
#pragma once

#include <string>
#include <vector>

#include "eq/train/config.hpp"

namespace eq::cli {

// A file and what it is to the user: {"m.eq", "the model's source"},
// {"out.csv", "-o"}. An empty path is no file.
struct FileRole {
  std::string path;
  std::string what;
};

// The data files of a train block's (or --data's) source.
std::vector<FileRole> data_files(const DataSpec& data);

// Throws UsageError when a file of `writes` is one of `reads` or another of
// `writes` (the same file under any path: links, ./, ../).
void check_distinct(const std::vector<FileRole>& reads, const std::vector<FileRole>& writes);

}  // namespace eq::cli
