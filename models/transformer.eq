# models/transformer.eq — one pre-norm transformer block (Vaswani et al.
# 2017, with the layer norm moved in front of each sublayer as in Xiong et
# al. 2020) on handwritten digits read as 8 rows of 8 pixels: self-attention
# and a gelu feed-forward, each on a layer-normalised copy of the rows and
# added back to them; the rows are then pooled and classified.
dim T = 8                # rows of an image: the sequence
dim D = 8                # pixels in a row: one row's features
dim E = 64               # width of the model
dim F = 128              # width of the feed-forward layer
dim C = 10               # classes

input  X : [T, D]        # pixel intensities 0..16, row by row
target y : onehot[C]     # the digit

param W_e : [D, E] ~ glorot           # a row's embedding
param P   : [T, E] ~ normal(0, 0.1)   # where the row is (learnt positions)
param γ₁, γ₂, γ₃ : [E] ~ 1            # layer-norm gains
param β₁, β₂, β₃ : [E] ~ 0            # and biases
param W_q, Wₖ, Wᵥ, Wₒ : [E, E] ~ glorot
param W₁ : [E, F] ~ glorot
param b₁ : [F] ~ 0
param W₂ : [F, E] ~ glorot
param b₂ : [E] ~ 0
param W_y : [E, C] ~ glorot
param b_y : [C] ~ 0
const ε = 1e-5

H  = (X/16)·W_e + P                                   # [T, E]

μ₁ = mean(H, axis = -1)                               # layer norm, row by row
H₁ = γ₁*(H - μ₁) / √(mean((H - μ₁)², axis = -1) + ε) + β₁
Q  = H₁·W_q
K  = H₁·Wₖ
V  = H₁·Wᵥ
A  = softmax(Q·Kᵀ / √E)                               # [T, T]: row i weighs every row
U  = H + (A·V)·Wₒ                                     # attention, residual

μ₂ = mean(U, axis = -1)
U₂ = γ₂*(U - μ₂) / √(mean((U - μ₂)², axis = -1) + ε) + β₂
Z  = U + (gelu(U₂·W₁ + b₁)·W₂ + b₂)                   # feed-forward, residual

μ₃ = mean(Z, axis = -1)                               # the final norm of pre-norm
Z₃ = γ₃*(Z - μ₃) / √(mean((Z - μ₃)², axis = -1) + ε) + β₃
z  = vec(mean(Z₃, axis = 0))                          # pooled over the rows: [E]
ŷ  = softmax(z·W_y + b_y)
loss = -Σ(y*log(ŷ))

output ŷ

train {
  data      = csv("data/digits.csv", X = 0:64, y = "label")
  optimizer = adam(lr = 1e-3)
  batch     = 32
  epochs    = 60
  validate  = 0.2
  seed      = 0
}
