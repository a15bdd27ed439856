# A dim only a param uses has no value: no data could set it, so eqc check
# reports what eqc train would (the data-set K takes a placeholder).
dim K
dim Q
input x : [4]
target y : onehot[K]
param W : [K, 4] ~ glorot
param V : [Q, 4] ~ glorot
ŷ = softmax(W·x)
loss = -Σ(y*log(ŷ)) + Σ(V·x)
