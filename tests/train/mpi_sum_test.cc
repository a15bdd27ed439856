// The sums of MpiCommunicator (run under `mpirun -np 2`): small buffers
// through MPI_Allreduce, large ones through shared memory (NodeSum,
// train/node_sum.hpp) — in place and into another buffer, f32, f64 and
// int64, sizes that are not a multiple of the ranks, the alignment or the
// round, and sums back to back. Each rank knows every rank's input (a
// function of rank and index), so it adds them itself, in rank order, as
// the reference: the sums must be those bits exactly, on every rank.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "eq/train/mpi_communicator.hpp"
#include "eq/train/node_sum.hpp"

namespace eq::testing {
extern Communicator* world;
}

using namespace eq;

namespace {

Communicator& world() { return *testing::world; }

// Rank r's element k: values whose sums round (f32, f64) or overflow 2^53
// (int64), so that a wrong order or a lost part shows.
template <class T>
T element(int rank, std::size_t k, int salt) {
  const auto x = static_cast<std::uint64_t>(k) * 2654435761u + static_cast<std::uint64_t>(salt);
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>((std::uint64_t{1} << 60) / 7 * static_cast<std::uint64_t>(rank + 1) + x);
  else
    return static_cast<T>(static_cast<double>(x % 100003) / 7.0 * (rank + 1.5) - 5000.0);
}

template <class T>
std::vector<T> input(int rank, std::size_t n, int salt) {
  std::vector<T> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = element<T>(rank, k, salt);
  return v;
}

// Σ over ranks in rank order, element by element.
template <class T>
std::vector<T> reference(std::size_t n, int salt) {
  std::vector<T> sum = input<T>(0, n, salt);
  for (int r = 1; r < world().size(); ++r)
    for (std::size_t k = 0; k < n; ++k) sum[k] += element<T>(r, k, salt);
  return sum;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// The first index where they differ, for the message.
template <class T>
std::size_t first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  for (std::size_t k = 0; k < a.size(); ++k)
    if (std::memcmp(&a[k], &b[k], sizeof(T)) != 0) return k;
  return a.size();
}

template <class T>
void check_sums(std::size_t n, int salt) {
  INFO("elements " << n << ", " << sizeof(T) << " bytes each");
  const std::vector<T> want = reference<T>(n, salt);
  // Into another buffer (float and double have that form).
  if constexpr (!std::is_integral_v<T>) {
    const std::vector<T> in = input<T>(world().rank(), n, salt);
    std::vector<T> out(n, T(-1));
    world().allreduce_sum(std::span<const T>(in), std::span<T>(out));
    INFO("into another buffer: first difference at " << first_difference(out, want));
    CHECK(same_bits(out, want));
    CHECK(same_bits(in, input<T>(world().rank(), n, salt)));  // the input is left alone
  }
  // In place.
  std::vector<T> data = input<T>(world().rank(), n, salt + 1);
  world().allreduce_sum(std::span<T>(data));
  const std::vector<T> want_in_place = reference<T>(n, salt + 1);
  INFO("in place: first difference at " << first_difference(data, want_in_place));
  CHECK(same_bits(data, want_in_place));
}

constexpr std::size_t kRound = NodeSum::kRoundBytes;
constexpr std::size_t kMin = NodeSum::kMinBytes;

}  // namespace

TEST_CASE("mpi: sums through MPI_Allreduce and through shared memory", "[mpi][sum]") {
  REQUIRE(world().size() == 2);
  SECTION("f32") {
    for (std::size_t n : {std::size_t{1}, kMin / 4 - 1, kMin / 4, kMin / 4 + 3, kRound / 4 + 17,
                          kRound / 4 * 2 + kRound / 8 + 5})
      check_sums<float>(n, static_cast<int>(n % 97));
  }
  SECTION("f64") {
    for (std::size_t n : {kMin / 8 - 1, kMin / 8 + 1, kRound / 8 * 2 + 333})
      check_sums<double>(n, 3);
  }
  SECTION("int64") {
    for (std::size_t n : {std::size_t{4}, kMin / 8 + 9, kRound / 8 + 1})
      check_sums<std::int64_t>(n, 5);
  }
  SECTION("back to back, of other sizes, one round each and less") {
    // Each call's rounds go to the other half of the segment from the last
    // one's: a rank that runs ahead must not overwrite what another reads.
    for (int i = 0; i < 7; ++i)
      check_sums<float>(kRound / 4 - 16 * static_cast<std::size_t>(i) - i, i);
  }
}

TEST_CASE("mpi: NodeSum is used when every rank shares this machine", "[mpi][sum]") {
  MPI_Comm comm = MPI_COMM_WORLD;
  std::unique_ptr<NodeSum> sum = NodeSum::on_one_machine(&comm);
  REQUIRE(sum);  // mpirun -np 2 on one machine
  const std::size_t n = kRound / 4 + 1000;
  std::vector<float> data = input<float>(world().rank(), n, 11);
  sum->sum(std::span<const float>(data), std::span<float>(data));
  CHECK(same_bits(data, reference<float>(n, 11)));
  // Every rank holds the same bits.
  const std::string bytes(reinterpret_cast<const char*>(data.data()), n * sizeof(float));
  const std::vector<std::string> all = world().gather(bytes);
  for (std::size_t r = 1; r < all.size(); ++r) CHECK(all[r] == all[0]);
}
