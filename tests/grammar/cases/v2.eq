# docs/language.md §9 (version 2), every example as printed, plus each new form.

# Per-example matrices and self-attention.
dim T = 8
dim D = 8
dim Dₖ = 16
input X : [T, D]
param W_q, W_k, W_v : [D, Dₖ] ~ glorot
Q = X·W_q    K = X·W_k    V = X·W_v        # W_q : [D, Dₖ] …
A = softmax(Q·Kᵀ / √Dₖ)                     # [T, T]
Y = A·V                                      # [T, Dₖ]

# Reductions along one axis.
s₁ = Σ(A, axis = 0) + mean(A, axis = 1) + max(A, axis = -1) + min(A, axis = k)
s₂ = logsumexp(A, axis = -1) + logsumexp(A)
μ = mean(X, axis = -1)
Xₙ = (X - μ) / √(mean((X - μ)², axis = -1) + ε)

# Concatenation, indexing, slices.
fₜ = σ(W_f·[hₜ₋₁, xₜ] + b_f)
c₁ = [a, b, c]
i₁ = h[a:b] + h[:b] + h[a:] + h[:]
i₂ = X[i] + X[a:b] + X[:, a:b] + X[0, 1]
i₃ = h[H:2H] + h[:H] + h[H + 1:2(H + 1)] + X[-1] + X[:, -1]
i₄ = f(x)[0] + (a + b)[1] + [a, b][0:1] + x²[0] + Xᵀ[0] + ‖x‖[0] + 2x[0] + X[0][1]
v = vec(X)
param W_c : [H, H + V] ~ glorot
param W_d : [2H] ~ 0

# Comparisons and choice.
m₁ = (a < b) + (a > b) + (a ≤ b) + (a <= b) + (a ≥ b) + (a >= b) + (a ≠ b) + (a != b)
m₂ = where(c < 0, a, b)
m₃ = a + b < c·d
huber = where(abs(r) ≤ δ, ½r², δ*(abs(r) - ½δ))

# More built-ins.
b₁ = clip(x, lo, hi) + logsumexp(x) + erf(x) + gelu(x) + elu(x) + leaky_relu(x, α = 0.01)
b₂ = sign(x) + floor(x) + dropout(x, p) + dropout(x, 0.5)

# Noise.
noise ε : [Z] ~ normal(0, 1)
noise u₁, u₂ : [Z] ~ uniform(a, b)
noise η ~ uniform(-1, 1)
z = μ + exp(s/2)*ε

# Sequences of indices and numbers.
input w : onehot[T, V]
E₁ = w·E

train {
  data = csv("series.csv", x = 0:3, y = 3)
  clip = 5
}
