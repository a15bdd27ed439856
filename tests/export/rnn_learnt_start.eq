# tests/export/rnn_learnt_start.eq — models/rnn.eq with a learnt initial
# state h₀ (a param): eq.states carries its trained values (export_test.sh).
dim V
dim H = 16

input  xₜ : onehot[V]
target yₜ : onehot[V]

param Wₓ : [H, V] ~ glorot
param Wₕ : [H, H] ~ orthogonal
param b  : [H]    ~ 0
param h₀ : [H]    ~ 0.1
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0

state hₜ : [H] = h₀

hₜ = tanh(Wₓ·xₜ + Wₕ·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))

output ŷₜ

train {
  data      = text("data/tinyshakespeare.txt")
  optimizer = adam(lr = 2e-3)
  batch     = 8
  window    = 20
  validate  = 0.05
  seed      = 0
}
