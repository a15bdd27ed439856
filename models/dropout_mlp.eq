# models/dropout_mlp.eq — mlp.eq with dropout on the hidden layer (Srivastava
# et al., "Dropout: a simple way to prevent neural networks from overfitting",
# 2014): while training, each hidden unit is zeroed with probability ½ and the
# rest doubled; validation, eval and predict run without it (their compiled
# programs do not contain it), so they are deterministic.
dim H = 256

input  x : [64]          # pixel intensities 0..16
target y : onehot[10]    # the digit

param W₁ : [H, 64] ~ he
param b₁ : [H]     ~ 0
param W₂ : [10, H] ~ glorot
param b₂ : [10]    ~ 0

h = dropout(relu(W₁·x + b₁), 0.5)
ŷ = softmax(W₂·h + b₂)
loss = -Σ(y*log(ŷ))

output ŷ

train {
  data      = csv("data/digits.csv", x = 0:64, y = "label")
  optimizer = adam(lr = 1e-3)
  scale     = minmax
  batch     = 32
  epochs    = 30
  validate  = 0.2
  seed      = 0
}
