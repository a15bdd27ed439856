#!/usr/bin/env python3
"""Changes a safetensors file as a user (or a damaged disk) might, for tests.

  safetensors_edit.py IN OUT meta KEY VALUE       set __metadata__[KEY] = VALUE
  safetensors_edit.py IN OUT value TENSOR I X     element I of TENSOR (f32/f64) = X
                                                  (X: a number, nan, inf or -inf)
Written with the standard library only, from the public format: an 8-byte
little-endian header length, the JSON header, then the tensors' bytes.
"""
import json
import struct
import sys


def main():
    src, dst, what = sys.argv[1:4]
    data = open(src, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = bytearray(data[8 + n:])
    if what == "meta":
        key, value = sys.argv[4:6]
        header["__metadata__"][key] = value
    elif what == "value":
        name, index, x = sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
        t = header[name]
        fmt = {"F32": "<f", "F64": "<d"}[t["dtype"]]
        at = t["data_offsets"][0] + index * struct.calcsize(fmt)
        body[at:at + struct.calcsize(fmt)] = struct.pack(fmt, x)
    else:
        sys.exit("unknown edit " + what)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(dst, "wb").write(struct.pack("<Q", len(text)) + text + bytes(body))


if __name__ == "__main__":
    main()
