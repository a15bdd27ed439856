// The training report as one self-contained HTML file: inline CSS and SVG,
// no scripts, nothing fetched. Sections, top to bottom: the curves (loss and
// accuracy against steps and against seconds, the learning rate), the
// confusion matrix of the validation split, text samples, the model's
// equations, the graph picture, and the time per kernel.
//
// While a run trains the page asks the browser to reload it every 10 s, so an
// open report follows the run; a finished report does not.
#pragma once

#include <string>
#include <string_view>

#include "eq/report/history.hpp"

namespace eq::report {

std::string render_report(const RunHistory& history);

// The page's <meta name="generator">: a training run's page (with the
// equations, the graph and the kernel times) or one drawn from a log.
inline constexpr const char* kFromTraining = "eqc train";
inline constexpr const char* kFromLog = "eqc report";
// Whether the start of an HTML file is a page `eqc train --report` wrote.
bool written_by_training(std::string_view page_start);

}  // namespace eq::report
