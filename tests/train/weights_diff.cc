// weights_diff A.safetensors B.safetensors REL: succeeds when both files
// hold the same tensors (names, shapes) and every tensor of A is within REL
// of B's, measured against B's largest magnitude; else prints the worst
// tensor and fails. For the shell tests of multi-process training, whose
// weights equal a single process's to rounding, not to the bit.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "eq/runtime/error.hpp"
#include "eq/runtime/safetensors.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: weights_diff A.safetensors B.safetensors REL\n");
    return 2;
  }
  try {
    const eq::SafetensorsFile a = eq::load_safetensors(argv[1]), b = eq::load_safetensors(argv[2]);
    const double rel = std::strtod(argv[3], nullptr);
    if (a.tensors.size() != b.tensors.size()) {
      std::fprintf(stderr, "weights_diff: %zu tensors against %zu\n", a.tensors.size(),
                   b.tensors.size());
      return 1;
    }
    for (const auto& [name, want] : b.tensors) {
      const eq::Tensor* got = a.find(name);
      if (!got || !(got->shape() == want.shape())) {
        std::fprintf(stderr, "weights_diff: %s: missing or of another shape in %s\n", name.c_str(),
                     argv[1]);
        return 1;
      }
      double scale = 0, worst = 0;
      for (std::int64_t k = 0; k < want.numel(); ++k) {
        scale = std::max(scale, std::abs(want.at(k)));
        worst = std::max(worst, std::abs(got->at(k) - want.at(k)));
      }
      if (!(worst <= rel * scale)) {
        std::fprintf(stderr,
                     "weights_diff: %s differs by %g of its largest magnitude %g (allowed %g)\n",
                     name.c_str(), scale > 0 ? worst / scale : worst, scale, rel);
        return 1;
      }
    }
  } catch (const eq::Error& e) {
    std::fprintf(stderr, "weights_diff: %s\n", e.what());
    return 1;
  }
  return 0;
}
