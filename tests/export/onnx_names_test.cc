// ASCII folding of eq's Unicode names for ONNX (compiler/export/onnx_names.hpp).
#include "eq/compiler/export/onnx_names.hpp"

#include <catch2/catch.hpp>

using eq::onnx_export::ascii_name;

TEST_CASE("model names fold to ASCII identifiers", "[export]") {
  CHECK(ascii_name("x") == "x");
  CHECK(ascii_name("W_out2") == "W_out2");
  CHECK(ascii_name("W₁") == "W_1");
  CHECK(ascii_name("Wᵢ") == "W_i");
  CHECK(ascii_name("hₜ₋₁") == "h_tm1");
  CHECK(ascii_name("xₜ₊₂") == "x_tp2");
  CHECK(ascii_name("ŷ") == "y_hat");
  CHECK(ascii_name("y\xCC\x82") == "y_hat");  // y + combining circumflex (not NFC)
  CHECK(ascii_name("ŷₜ") == "y_hat_t");
  CHECK(ascii_name("ĉₜ") == "c_hat_t");
  CHECK(ascii_name("σ₂") == "sigma_2");
  CHECK(ascii_name("Δw") == "Deltaw");
  CHECK(ascii_name("Wᵀ") == "WT");
  CHECK(ascii_name("2x") == "_2x");
  CHECK(ascii_name("a→b") == "au2192b");
}

TEST_CASE("folded names are made unique in their graph", "[export]") {
  std::set<std::string> taken;
  CHECK(eq::onnx_export::unique_ascii_name("ŷ", taken) == "y_hat");
  CHECK(eq::onnx_export::unique_ascii_name("y_hat", taken) == "y_hat_2");
  CHECK(eq::onnx_export::unique_ascii_name("y\xCC\x82", taken) == "y_hat_3");
  CHECK(taken.size() == 3);
}
