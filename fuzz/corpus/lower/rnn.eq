# models/rnn.eq — character-level tanh RNN (Elman) on tinyshakespeare
dim V                         # vocabulary size: taken from the data
dim H = 128

input  xₜ : onehot[V]
target yₜ : onehot[V]

param Wₓ : [H, V] ~ glorot
param Wₕ : [H, H] ~ orthogonal
param b  : [H]    ~ 0
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0

hₜ = tanh(Wₓ·xₜ + Wₕ·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))

output ŷₜ

train {
  data      = text("data/tinyshakespeare.txt")
  optimizer = adam(lr = 2e-3)
  clip      = 5
  batch     = 32
  window    = 50
  epochs    = 4
  validate  = 0.05
  seed      = 0
}
