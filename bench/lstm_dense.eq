# bench/lstm_dense.eq — the char-LSTM of models/lstm.eq over dense inputs: each
# step reads a vector of N numbers (an embedding, a frame of features) instead
# of a one-hot symbol, so its input projections Wᵢ·xₜ are products, not
# lookups. For lstm_bench (`lstm_bench bench/lstm_dense.eq STEPS B`), which
# feeds random numbers: what the pass stack-steps gains on a window.
dim V                         # classes of the target: set by lstm_bench
dim N = 128                   # numbers a step
dim H = 128

input  xₜ : [N]
target yₜ : onehot[V]

param Wᵢ, Wf, Wₒ, Wc : [H, N] ~ glorot
param Uᵢ, Uf, Uₒ, Uc : [H, H] ~ orthogonal
param Bᵢ, Bf, Bₒ, Bc : [H]    ~ 0
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0

iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)
fₜ = σ(Wf·xₜ + Uf·hₜ₋₁ + Bf)
oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)
ĉₜ = tanh(Wc·xₜ + Uc·hₜ₋₁ + Bc)
cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ
hₜ = oₜ*tanh(cₜ)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))

output ŷₜ
