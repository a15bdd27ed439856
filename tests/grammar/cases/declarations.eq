dim H = 128                    # fixed dimension; `eqc ... -D H=256` overrides it
dim V                          # no value: the data sets it (vocabulary, class count, columns)
input  x : [4]                 # one example's features
input  xₜ : onehot[V]          # a sequence of symbols
target y : onehot[3]           # a class index; one-hot inside equations
target y : [1]                 # a real-valued target
param  W₁, W₂ : [H, 4] ~ glorot   # trainable; initializer after ~
param  a ~ 0                   # a scalar parameter
state  hₜ : [H] = 0            # optional: initial value of a recurrence (default 0)
const  λ = 1e-4                # a named constant
output ŷ                       # what `predict` / `sample` read
