# models/vae.eq — a variational autoencoder (Kingma & Welling, "Auto-Encoding
# Variational Bayes", 2014) on the 8×8 digits, trained on the pixels alone
# (no target). The encoder gives q(z|x) = N(μ, diag eˢ); z is drawn by the
# reparametrisation trick; the decoder gives p(x|z), a Bernoulli per pixel.
# loss is the negative ELBO of one example: reconstruction + KL(q ‖ N(0, I)).
dim D = 64                     # pixels
dim H = 128
dim Z = 8                      # the code

input x : [D]                  # pixel intensities 0…16

param W₁ : [H, D] ~ glorot
param b₁ : [H]    ~ 0
param Wμ, Ws : [Z, H] ~ glorot
param bμ, bs : [Z]    ~ 0
param W₂ : [H, Z] ~ glorot
param b₂ : [H]    ~ 0
param W₃ : [D, H] ~ glorot
param b₃ : [D]    ~ 0

noise ε : [Z] ~ normal(0, 1)   # drawn afresh for every example at every step

p = x / 16                     # intensities in [0, 1]
h = tanh(W₁·p + b₁)
μ = Wμ·h + bμ
s = Ws·h + bs                  # log σ²
z = μ + exp(s/2)*ε             # z ~ q(z|x)
l = W₃·tanh(W₂·z + b₂) + b₃    # the decoder's logits
rec = Σ(softplus(l) - p*l)     # −log p(x|z), Bernoulli with logits l
kl = -0.5 * Σ(1 + s - μ² - exp(s))
loss = rec + kl                # −ELBO

x̄ = 16σ(W₃·tanh(W₂·μ + b₂) + b₃)   # the reconstruction of the mean code
output x̄

train {
  data      = csv("data/digits.csv", x = 0:64)
  optimizer = adam(lr = 1e-3)
  batch     = 32
  epochs    = 100
  validate  = 0.2
}
