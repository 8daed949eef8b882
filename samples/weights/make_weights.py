# Makes the sample weights files (run once; nothing at build or test time needs Python):
#   cd samples/weights && python3 make_weights.py
# rnn16.safetensors: what safetensors.torch.save_file(model.state_dict(), path) writes for
#   nn.RNN(4, 16) (tanh) under "rnn." and an nn.Linear(16, 1) head under "head.", float32 as PyTorch
#   trains, initialised as PyTorch does (uniform ±1/√n). Written with the standard library: the
#   format is an 8-byte header length, a JSON header and the little-endian data.
# numpy_rnn.npz: a NumPy assignment's RNN (h @ Wh + x @ Wx + b, head h @ Wy + by) with n = 8,
#   m = 4, k = 1, saved with np.savez: read it with layout=row.
import json
import struct
import numpy as np

rng = np.random.default_rng(2026)


def save_safetensors(path, tensors):
    header, offset, blobs = {'__metadata__': {'format': 'pt'}}, 0, []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype='<f4')
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)  # the data starts 8-byte aligned, as the safetensors library writes it
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


n, m, k = 16, 4, 1
bound = 1 / np.sqrt(n)
u = lambda *shape: rng.uniform(-bound, bound, shape)
save_safetensors('rnn16.safetensors', {
    'rnn.weight_ih_l0': u(n, m), 'rnn.weight_hh_l0': u(n, n), 'rnn.bias_ih_l0': u(n), 'rnn.bias_hh_l0': u(n),
    'head.weight': u(k, n), 'head.bias': u(k),
})

n = 8
np.savez('numpy_rnn.npz', Wx=rng.standard_normal((m, n)) * 0.5, Wh=rng.standard_normal((n, n)) / np.sqrt(n),
         b=np.zeros(n), Wy=rng.standard_normal((n, k)) * 0.3, by=np.zeros(k))
