// docs/language.md is checked against the parser: every ```eq example
// parses, except in a §9 subsection still marked "not yet implemented"; the
// list of such subsections at the top of §9 names exactly those; and the
// complete model at the top is models/lstm.eq, which the model tests train.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/parse.hpp"

namespace {

std::filesystem::path root() {
  const char* dir = std::getenv("EQ_SOURCE_DIR");
  return dir ? dir : ".";
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Example {
  int line;             // of its first line in language.md
  std::string section;  // "4", "9.2", …: the heading it is under
  std::string text;
};

// The reference read as the test needs it.
struct Reference {
  std::vector<Example> examples;
  std::map<std::string, std::string> status;  // "9.1" → "available" / "not yet implemented"
  std::set<std::string> listed_missing;       // the sections the top of §9 lists
};

Reference read_reference() {
  Reference r;
  const std::vector<std::string> lines = lines_of(read(root() / "docs/language.md"));
  const std::regex heading(R"(^#{2,3} (\d+(\.\d+)?)\.? )");
  const std::regex status(R"(^\*Status: (available|not yet implemented)\.\*$)");
  const std::regex listed(R"(^- §(9\.\d+) )");
  std::string section;
  bool in_missing_list = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    std::smatch m;
    if (std::regex_search(l, m, heading)) section = m[1];
    if (std::regex_match(l, m, status)) r.status[section] = m[1];
    if (l.rfind("**Status in this build.**", 0) == 0) in_missing_list = true;
    if (in_missing_list && std::regex_search(l, m, listed)) r.listed_missing.insert(m[1]);
    if (in_missing_list && l.rfind("###", 0) == 0) in_missing_list = false;
    if (l == "```eq") {
      Example e{static_cast<int>(i) + 2, section, ""};
      for (++i; i < lines.size() && lines[i] != "```"; ++i) e.text += lines[i] + "\n";
      r.examples.push_back(e);
    }
  }
  return r;
}

}  // namespace

TEST_CASE("docs/language.md: every example of an available feature parses",
          "[grammar][language-doc]") {
  const Reference r = read_reference();
  REQUIRE(r.examples.size() >= 5);
  int checked = 0;
  for (const Example& e : r.examples) {
    auto st = r.status.find(e.section);
    if (st != r.status.end() && st->second != "available") continue;
    INFO("docs/language.md:" << e.line << " (§" << e.section << ")\n" << e.text);
    eq::SourceFile file("language.md", e.text);
    eq::Diagnostics d;
    eq::parse_module(file, d);
    INFO(d.render());
    CHECK_FALSE(d.has_errors());
    ++checked;
  }
  CHECK(checked >= 3);  // the model on top, §4 and §7 at least
}

TEST_CASE("docs/language.md: §9 lists exactly the subsections not implemented",
          "[grammar][language-doc]") {
  const Reference r = read_reference();
  std::set<std::string> missing;
  for (const auto& [section, status] : r.status) {
    CHECK(section.rfind("9.", 0) == 0);  // only version-2 features carry a status
    if (status != "available") missing.insert(section);
  }
  CHECK(r.status.size() >= 8);
  CHECK(missing == r.listed_missing);
}

TEST_CASE("docs/language.md: the model at the top is models/lstm.eq", "[grammar][language-doc]") {
  const Reference r = read_reference();
  REQUIRE_FALSE(r.examples.empty());
  CHECK(r.examples[0].section.empty());  // before §1
  // The model file has two lines of comments on top.
  std::string model = read(root() / "models/lstm.eq");
  for (int i = 0; i < 2; ++i) model.erase(0, model.find('\n') + 1);
  CHECK(r.examples[0].text == model);
}
