# Logistic regression with the cross-entropy written out, a squared-norm
# penalty and a log(1 + …) term: every stabilisation and ‖·‖² rule fires.
const λ = 0.01
input  x : [3]
target y : [1]
param  w : [3] ~ normal(0, 0.5)
param  b ~ 0
z = w·x + b
p = 1/(1 + exp(-z))
loss = -Σ(y*log(σ(z)) + (1 - y)*log(1 - σ(z))) + λ*‖w‖² + 0.1*log(1 + z*z) + 0*Σ(p)
output p
