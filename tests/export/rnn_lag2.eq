# tests/export/rnn_lag2.eq — models/rnn.eq with its output reading hₜ₋₂ as
# well as hₜ: the export of a state read two steps back (export_test.sh).
dim V
dim H = 16

input  xₜ : onehot[V]
target yₜ : onehot[V]

param Wₓ : [H, V]  ~ glorot
param Wₕ : [H, H]  ~ orthogonal
param b  : [H]     ~ 0
param Wy : [V, 2H] ~ glorot
param By : [V]     ~ 0

state hₜ : [H] = 0.1

hₜ = tanh(Wₓ·xₜ + Wₕ·hₜ₋₁ + b)
ŷₜ = softmax(Wy·[hₜ, hₜ₋₂] + By)
lossₜ = -Σ(yₜ*log(ŷₜ))

output ŷₜ

train {
  data      = text("data/tinyshakespeare.txt")
  optimizer = adam(lr = 2e-3)
  batch     = 8
  window    = 10
  epochs    = 1
  validate  = 0.05
  seed      = 0
}
