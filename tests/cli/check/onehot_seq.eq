dim V = 7              # a value: data never sets a dim of onehot[T, V] alone
input  c : onehot[3, V]
target w : onehot[2, V]
input  xₜ : onehot[3, V]
param C : [V, 4] ~ normal(0, 0.1)
param H : [8, 3] ~ glorot
param E : [5, 4] ~ glorot
x = vec(c·C)
h = tanh(H·x)
e = c·E
