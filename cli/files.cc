#include "cli/files.hpp"

#include <filesystem>
#include <system_error>

#include "cli/options.hpp"

namespace eq::cli {

namespace fs = std::filesystem;

namespace {

// One file under two paths: the same inode when both exist, else the same
// path once made absolute and normal (a file not there yet).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  const bool a_exists = fs::exists(a, ea), b_exists = fs::exists(b, eb);
  if (a_exists && b_exists) {
    std::error_code e;
    return fs::equivalent(a, b, e) && !e;
  }
  if (a_exists != b_exists) return false;
  const fs::path pa = fs::weakly_canonical(fs::absolute(a, ea), ea);
  const fs::path pb = fs::weakly_canonical(fs::absolute(b, eb), eb);
  return !ea && !eb && pa == pb;
}

}  // namespace

std::vector<FileRole> data_files(const DataSpec& data) {
  std::vector<FileRole> files;
  if (!data.path.empty()) files.push_back({data.path, "the data file"});
  for (const auto& [name, path] : data.files) files.push_back({path, "the data file of " + name});
  return files;
}

void check_distinct(const std::vector<FileRole>& reads, const std::vector<FileRole>& writes) {
  for (std::size_t w = 0; w < writes.size(); ++w) {
    const FileRole& out = writes[w];
    if (out.path.empty()) continue;
    for (const FileRole& in : reads)
      if (!in.path.empty() && same_file(out.path, in.path))
        throw UsageError("eqc: " + out.what + " " + out.path + " is " + in.what +
                         (in.path == out.path ? "" : " (" + in.path + ")") +
                         ": writing there would destroy it; choose another file");
    for (std::size_t v = 0; v < w; ++v)
      if (!writes[v].path.empty() && same_file(out.path, writes[v].path))
        throw UsageError("eqc: " + writes[v].what + " and " + out.what + " are one file (" +
                         out.path + "): give them different names");
  }
}

}  // namespace eq::cli
