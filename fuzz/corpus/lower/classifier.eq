# A two-layer softmax classifier written the naive way: log(softmax(·)).
dim H = 6
input  x : [4]
target y : onehot[3]
param  W₁ : [H, 4] ~ glorot
param  b₁ : [H] ~ 0
param  W₂ : [3, H] ~ glorot
param  b₂ : [3] ~ 0
h = tanh(W₁·x + b₁)
ŷ = softmax(W₂·h + b₂)
loss = -Σ(y*log(ŷ))
output ŷ
