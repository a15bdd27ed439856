# models/gru.eq — character-level GRU (Cho et al. 2014) on tinyshakespeare
dim V                         # vocabulary size: taken from the data
dim H = 128

input  xₜ : onehot[V]
target yₜ : onehot[V]

param W_z, Wᵣ, Wₕ : [H, V] ~ glorot
param U_z, Uᵣ, Uₕ : [H, H] ~ orthogonal
param B_z, Bᵣ, Bₕ : [H]    ~ 0
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0

zₜ = σ(W_z·xₜ + U_z·hₜ₋₁ + B_z)          # update gate
rₜ = σ(Wᵣ·xₜ + Uᵣ·hₜ₋₁ + Bᵣ)             # reset gate
ĥₜ = tanh(Wₕ·xₜ + Uₕ·(rₜ*hₜ₋₁) + Bₕ)     # candidate state
hₜ = (1 - zₜ)*hₜ₋₁ + zₜ*ĥₜ
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
