# Expression forms from docs/language.md §1–§3, one per line.
dim n = 4
a = 3 + 0.5 + .5 + 1e-3 + 2.5E+4
b = ½ + ¼ + ¾ + π
c = 2x
d = ½(a+b)
e = W_hh·h + b_ih
f = h_{t-1} + W_i + W_{i} + Wᵢ + W_f + Wf
g = a + b − c - d
h = a*b ⊙ c ∘ d × e
i = a/b ÷ c
j = A·B ⋅ C ∙ D @ E
k = -x + +y + √z
l = x^2^3 + x² + x³ + Aᵀ
m = σ(x) + sigmoid(x) + tanh(x) + relu(x) + softplus(x) + exp(x)
o = log(x) + ln(x) + log1p(x) + expm1(x) + sqrt(x) + abs(x) + sin(x) + cos(x)
p = square(x) + softmax(x) + logsoftmax(x) + Σ(x) + sum(x) + mean(x)
q = max(a, b) + min(a, b) + max(a) + min(a) + norm(x) + ‖x‖ + transpose(A)
r = -x²
s = (a + b)·(c - d)
u = ĉₜ + ŷ + x̄ + ẋ + h′ + h″ + h₁ₜ
v = 2π; w = ½(a+b)/2x
