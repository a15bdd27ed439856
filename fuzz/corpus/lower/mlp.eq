# models/mlp.eq — handwritten digits (8×8 images) with one hidden layer: 64 → 128 → 10
dim H = 128

input  x : [64]          # pixel intensities 0..16
target y : onehot[10]    # the digit

param W₁ : [H, 64] ~ he
param b₁ : [H]     ~ 0
param W₂ : [10, H] ~ glorot
param b₂ : [10]    ~ 0

h = relu(W₁·x + b₁)
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
