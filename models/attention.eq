# models/attention.eq — handwritten digits read as a sequence: each 8×8 image
# is 8 rows of 8 pixels, one self-attention layer (pre-norm, residual) lets
# every row look at every other, the rows are max-pooled and classified.
# Training drops a tenth of the pixels (dropout on the input): without it
# the layer fits the training rows exactly and validates at ~93 %.
dim T = 8                # rows of an image: the sequence
dim D = 8                # pixels in a row: one row's features
dim E = 64               # width of the model
dim C = 10               # classes

input  X : [T, D]        # pixel intensities 0..16, row by row
target y : onehot[C]     # the digit

param W_e : [D, E] ~ glorot           # a row's embedding
param P   : [T, E] ~ normal(0, 0.1)   # where the row is (learnt positions)
param γ   : [E] ~ 1
param β   : [E] ~ 0
param W_q, Wₖ, Wᵥ : [E, E] ~ glorot
param W_y : [E, C] ~ glorot
param b_y : [C] ~ 0
const ε = 1e-5

H  = dropout(X/16, 0.1)·W_e + P                     # [T, E]
μ  = mean(H, axis = -1)                             # layer normalisation, row by row
Hₙ = γ*(H - μ) / √(mean((H - μ)², axis = -1) + ε) + β
Q  = Hₙ·W_q
K  = Hₙ·Wₖ
V  = Hₙ·Wᵥ
A  = softmax(Q·Kᵀ / √E)                             # [T, T]: row i weighs every row
Z  = H + A·V                                        # residual
z  = vec(max(Z, axis = 0))                          # max-pooled over the rows: [E]
ŷ  = softmax(z·W_y + b_y)
loss = -Σ(y*log(ŷ))

output ŷ

train {
  data      = csv("data/digits.csv", X = 0:64, y = "label")
  optimizer = adam(lr = 2e-3)
  batch     = 64
  epochs    = 100
  validate  = 0.2
  seed      = 0
}
