// The public header of eq: include this one to embed the parser and the Machine.
#pragma once

#include "runtime/error.hpp"
#include "runtime/tensor.hpp"
