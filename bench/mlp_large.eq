# bench/mlp_large.eq — a large MLP for the data-parallel benchmark (issue 14,
# bench/scaling.sh): 1024 → 4096 → 4096 → 10, batch 256, 21 M parameters
# (84 MB of f32 gradient a step), on synthetic data the script writes.
input  x : [1024]
target y : onehot[10]

param W₁ : [4096, 1024] ~ he
param b₁ : [4096]       ~ 0
param W₂ : [4096, 4096] ~ he
param b₂ : [4096]       ~ 0
param W₃ : [10, 4096]   ~ glorot
param b₃ : [10]         ~ 0

h₁ = relu(W₁·x + b₁)
h₂ = relu(W₂·h₁ + b₂)
ŷ = softmax(W₃·h₂ + b₃)
loss = -Σ(y*log(ŷ))

output ŷ

train {
  data      = npy(x = "x.npy", y = "y.npy")
  optimizer = sgd(lr = 0.01, momentum = 0.9)
  batch     = 256
  validate  = 0
  seed      = 0
}
