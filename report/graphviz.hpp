// The graph picture of a report: Graphviz's `dot`, found on PATH, turns the
// dot text of `eqc graph` into SVG. Graphviz is optional; without it the
// report says so instead.
#pragma once

#include <string>

namespace eq::report {

struct GraphPicture {
  std::string svg;   // the <svg> element, without XML prolog or doctype; or empty
  std::string note;  // when svg is empty: why, as plain text (e.g. dot is not installed)
};

// Runs `dot -Tsvg` on `dot_text` (through temporary files, no shell).
GraphPicture render_dot(const std::string& dot_text);

}  // namespace eq::report
