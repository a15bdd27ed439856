# Least squares with a mean and an L2 penalty: folding (mean's 1/n, dims)
# and the simplifications of gradients (·1, +0, reshapes).
dim K = 3
const λ = 1e-3
input  x : [5]
target t : [K]
param  W : [K, 5] ~ glorot
param  c : [K] ~ 0
e = W·x + c - t
loss = mean(e²) + λ*Σ(W*W) + ‖c‖²
