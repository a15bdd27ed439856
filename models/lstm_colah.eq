# models/lstm_colah.eq — the char-LSTM of lstm.eq written as Christopher Olah's
# "Understanding LSTM Networks" (2015) prints it: each gate multiplies the
# previous output and the input joined, [hₜ₋₁, xₜ], by one matrix. It is the
# same model: W_f = [Uf | Wf] maps lstm.eq's weights across (its first H
# columns meet hₜ₋₁, the last V meet xₜ), and tests/compiler/lstm_colah_test.cc
# holds the two losses equal. The one-hot xₜ's part of each product stays a
# column lookup (the split-products pass; see `eqc ir`).
dim V                         # vocabulary size: taken from the data
dim H = 128

input  xₜ : onehot[V]         # the symbol at step t
target yₜ : onehot[V]         # the symbol at step t+1

param W_f, W_i, W_C, W_o : [H, H + V] ~ glorot
param b_f, b_i, b_C, b_o : [H]        ~ 0
param W_y : [V, H] ~ glorot
param b_y : [V]    ~ 0

fₜ = σ(W_f·[hₜ₋₁, xₜ] + b_f)     # forget gate
iₜ = σ(W_i·[hₜ₋₁, xₜ] + b_i)     # input gate
Ĉₜ = tanh(W_C·[hₜ₋₁, xₜ] + b_C)  # candidate values
Cₜ = fₜ*Cₜ₋₁ + iₜ*Ĉₜ
oₜ = σ(W_o·[hₜ₋₁, xₜ] + b_o)     # output gate
hₜ = oₜ*tanh(Cₜ)
ŷₜ = softmax(W_y·hₜ + b_y)
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
