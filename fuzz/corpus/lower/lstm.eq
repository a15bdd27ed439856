# models/lstm.eq — character-level LSTM language model (the example of LANGUAGE.md;
# its equations unchanged, its train block run long enough to reach 1.75 nats)
dim V                         # vocabulary size: taken from the data
dim H = 128

input  xₜ : onehot[V]         # the symbol at step t
target yₜ : onehot[V]         # the symbol at step t+1

param Wᵢ, Wf, Wₒ, Wc : [H, V] ~ glorot
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

train {
  data      = text("data/tinyshakespeare.txt")
  optimizer = adam(lr = 2e-3)
  clip      = 5
  batch     = 32
  window    = 50
  epochs    = 6
  validate  = 0.05
  seed      = 0
}
