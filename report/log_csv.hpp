// The `--log` CSV file of `eqc train`: one row per epoch, written as the run
// goes and read back by `eqc report`.
//
//   epoch,step,loss,accuracy,val_loss,val_accuracy,seconds,lr
//   1,8,0.912345,0.591667,0.801234,0.666667,0.00123,0.1
//
// Numbers have six significant digits; a metric the run does not have is an
// empty field. The reader takes the columns by name, so logs written before
// the lr column existed still read (without a learning rate).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eq/report/history.hpp"

namespace eq::report {

// The header line, with its newline.
std::string log_header();
// One epoch's line, with its newline.
std::string log_row(const EpochPoint& e);

// The rows of a log. Throws eq::Error at the file, or at the field, when a
// required column (epoch, step, loss) is missing or a field is not a number.
std::vector<EpochPoint> parse_log(std::string text, const std::string& path);
std::vector<EpochPoint> read_log(const std::string& path);

}  // namespace eq::report
