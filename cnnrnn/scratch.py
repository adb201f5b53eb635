"""NumPy reference implementations built in the chapters, reused by later chapters and tests.

Each function is written for clarity, not speed, and is checked against the Keras layer it
explains (see tests/ and the chapters themselves). Layout conventions follow Keras:
images are ``(batch, height, width, channels)``, sequences ``(batch, time, features)``.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (used as the sections fill in; remove this noqa then)

# ============================================================================================
# Part I: convolution and pooling
# ============================================================================================


def conv_output_size(n, kernel_size, stride=1, padding="valid"):
    """Length of a convolution's (or pooling's) output along one axis of length ``n``.

    ``valid``: ``floor((n - k) / s) + 1``; ``same`` (Keras/TensorFlow): ``ceil(n / s)``, which is
    ``floor((n + 2p - k) / s) + 1`` with just enough padding ``p`` (Dumoulin & Visin 2016).
    """
    if padding == "valid":
        return (n - kernel_size) // stride + 1
    if padding == "same":
        return -(-n // stride)  # ceil(n / s)
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")


def same_padding(n, kernel_size, stride=1):
    """``(before, after)`` zero padding that Keras' ``padding="same"`` adds along an axis of length
    ``n``: in total just enough for ``ceil(n / s)`` outputs, the odd one (if any) at the end."""
    total = max((conv_output_size(n, kernel_size, stride, "same") - 1) * stride + kernel_size - n, 0)
    return total // 2, total - total // 2


def _pad_hw(x, kernel_size, stride, padding, value=0.0):
    """Pad the height and width axes of ``x (batch, h, w, c)`` as Keras does for ``padding``."""
    if padding == "valid":
        return x
    if padding != "same":
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    (kh, kw), (sh, sw) = kernel_size, stride
    pads = [(0, 0), same_padding(x.shape[1], kh, sh), same_padding(x.shape[2], kw, sw), (0, 0)]
    return np.pad(x, pads, constant_values=value)


def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def _windows(x, kernel_size, stride):
    """Every (kh, kw) window of ``x (batch, h, w, c)`` at the given stride, as a view of shape
    ``(batch, out_h, out_w, c, kh, kw)`` (no copy)."""
    (kh, kw), (sh, sw) = kernel_size, stride
    view = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    return view[:, ::sh, ::sw]


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    """A 2-D convolution (strictly, cross-correlation) as ``keras.layers.Conv2D`` computes it.

    ``x (batch, h, w, c_in)``, ``kernel (kh, kw, c_in, c_out)`` as in ``Conv2D.get_weights()``,
    ``bias (c_out,)`` or None; ``stride`` an int or a pair; ``padding`` "valid" or "same".
    Each output is the sum over one window and all input channels of window x kernel, plus bias.
    Returns ``(batch, out_h, out_w, c_out)`` in float64.
    """
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    size, stride = kernel.shape[:2], _pair(stride)
    windows = _windows(_pad_hw(x, size, stride, padding), size, stride)  # (b, oh, ow, cin, kh, kw)
    out = np.einsum("bhwcij,ijco->bhwo", windows, kernel)
    return out if bias is None else out + np.asarray(bias, dtype=np.float64)


def max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """``keras.layers.MaxPooling2D``: the largest value in each window, channel by channel.

    ``stride`` defaults to ``pool_size`` (non-overlapping windows), as in Keras. With "same",
    the padded cells are -inf, so they never win.
    """
    x = np.asarray(x, dtype=np.float64)
    size = _pair(pool_size)
    stride = size if stride is None else _pair(stride)
    windows = _windows(_pad_hw(x, size, stride, padding, value=-np.inf), size, stride)
    return windows.max(axis=(-2, -1))


def avg_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """``keras.layers.AveragePooling2D``: the mean of each window, channel by channel.

    With "same", Keras (TensorFlow) averages over the real cells of a window only, not the
    padding: we sum the window and divide by how many real cells it covers.
    """
    x = np.asarray(x, dtype=np.float64)
    size = _pair(pool_size)
    stride = size if stride is None else _pair(stride)
    sums = _windows(_pad_hw(x, size, stride, padding), size, stride).sum(axis=(-2, -1))
    ones = np.ones((1, *x.shape[1:3], 1))
    counts = _windows(_pad_hw(ones, size, stride, padding), size, stride).sum(axis=(-2, -1))
    return sums / counts


def global_avg_pool2d(x):
    """``keras.layers.GlobalAveragePooling2D``: one mean per channel, ``(batch, c)``."""
    return np.asarray(x, dtype=np.float64).mean(axis=(1, 2))


def global_max_pool2d(x):
    """``keras.layers.GlobalMaxPooling2D``: one maximum per channel, ``(batch, c)``."""
    return np.asarray(x, dtype=np.float64).max(axis=(1, 2))


def receptive_field(layers):
    """Receptive field (in input pixels) of one unit after a stack of layers, and its jump.

    ``layers`` is a sequence of ``(kernel_size, stride)`` pairs, input side first (a pooling
    layer counts as one, too). Each layer widens the field by ``(k - 1)`` times the distance in
    input pixels between neighbouring units of its input, the *jump*, and multiplies the jump by
    its stride: ``r <- r + (k - 1) * j``, ``j <- j * s``, from ``r = j = 1``.
    Returns ``(r, j)``.
    """
    r, j = 1, 1
    for k, s in layers:
        r, j = r + (k - 1) * j, j * s
    return r, j


# ============================================================================================
# Part II: recurrent cells
# ============================================================================================


def simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0=None, return_sequences=False):
    """A SimpleRNN layer, one step at a time (Elman 1990).

    ``h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``, for ``x`` of shape
    ``(batch, time, features)``. The weights have the shapes of
    ``keras.layers.SimpleRNN(units).get_weights()``: ``kernel (features, units)``,
    ``recurrent_kernel (units, units)``, ``bias (units,)``. ``h0`` is the initial state
    ``(batch, units)`` (zeros if None). Returns the last state ``(batch, units)``, or every state
    ``(batch, time, units)`` when ``return_sequences`` is true.
    """
    x = np.asarray(x, dtype=np.float64)
    batch, steps, _ = x.shape
    h = np.zeros((batch, recurrent_kernel.shape[0])) if h0 is None else np.asarray(h0, np.float64)
    states = []
    for t in range(steps):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


# saved from chapter 11 (the LSTM cell), where it is taught
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(
    x, kernel, recurrent_kernel, bias, h0=None, c0=None, return_sequences=False, return_gates=False
):
    """An LSTM layer, gate by gate (Hochreiter & Schmidhuber 1997, with the forget gate of
    Gers et al. 2000), in the layout of ``keras.layers.LSTM(units).get_weights()``.

    ``kernel (features, 4*units)``, ``recurrent_kernel (units, 4*units)``, ``bias (4*units,)``;
    the four column blocks are, in Keras' order, the input gate ``i``, the forget gate ``f``,
    the candidate cell ``g`` (Keras calls it ``c``) and the output gate ``o``. For each step::

        i = sigmoid(x_t W_i + h U_i + b_i)     f = sigmoid(x_t W_f + h U_f + b_f)
        g = tanh(x_t W_g + h U_g + b_g)        o = sigmoid(x_t W_o + h U_o + b_o)
        c = f * c + i * g                      h = o * tanh(c)

    ``x`` is ``(batch, time, features)``; ``h0``, ``c0`` are ``(batch, units)`` (zeros if None).
    Returns the last ``h`` (batch, units), or every ``h`` (batch, time, units) when
    ``return_sequences``; with ``return_gates`` also a dict of ``i, f, g, o, c``, each
    ``(batch, time, units)``.
    """
    x = np.asarray(x, dtype=np.float64)
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((batch, units)) if h0 is None else np.asarray(h0, np.float64)
    c = np.zeros((batch, units)) if c0 is None else np.asarray(c0, np.float64)
    steps_seen = {name: [] for name in ("h", "i", "f", "g", "o", "c")}
    for t in range(steps):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias  # all four gates at once
        z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)  # Keras' column order: i, f, c, o
        i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
        c = f * c + i * g  # forget part of the old memory, write part of the new
        h = o * np.tanh(c)  # show part of the memory
        for name, value in zip(steps_seen, (h, i, f, g, o, c), strict=True):
            steps_seen[name].append(value)
    out = np.stack(steps_seen["h"], axis=1) if return_sequences else h
    if return_gates:
        return out, {name: np.stack(steps_seen[name], axis=1) for name in ("i", "f", "g", "o", "c")}
    return out


def gru_forward(x, kernel, recurrent_kernel, bias, h0=None, return_sequences=False, return_gates=False):
    """A GRU layer, gate by gate (Cho et al. 2014), in the layout of
    ``keras.layers.GRU(units).get_weights()`` with either value of ``reset_after``.

    ``kernel (features, 3*units)``, ``recurrent_kernel (units, 3*units)``; column blocks in
    Keras' order: update gate ``z``, reset gate ``r``, candidate ``n`` (Keras: ``h``). The bias
    decides the variant: shape ``(2, 3*units)`` is Keras' default ``reset_after=True``, with
    separate input (row 0) and recurrent (row 1) biases and the reset gate applied *after* the
    recurrent matrix product::

        z = sigmoid(x_t W_z + b_z + h U_z + b'_z)     r = sigmoid(x_t W_r + b_r + h U_r + b'_r)
        n = tanh(x_t W_n + b_n + r * (h U_n + b'_n))   h = z * h + (1 - z) * n

    Shape ``(3*units,)`` is ``reset_after=False`` (Cho et al.'s original), with
    ``n = tanh(x_t W_n + (r * h) U_n + b_n)``. Note Keras' convention: ``z`` near 1 *keeps* the
    old state. Returns as :func:`lstm_forward`; the gates dict has ``z, r, n``.
    """
    x = np.asarray(x, dtype=np.float64)
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    bias = np.asarray(bias, np.float64)
    reset_after = bias.ndim == 2
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * units))
    h = np.zeros((batch, units)) if h0 is None else np.asarray(h0, np.float64)
    steps_seen = {name: [] for name in ("h", "z", "r", "n")}
    for t in range(steps):
        x_z, x_r, x_n = np.split(x[:, t] @ kernel + b_in, 3, axis=1)
        h_z, h_r, h_n = np.split(h @ recurrent_kernel + b_rec, 3, axis=1)
        z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
        if reset_after:
            n = np.tanh(x_n + r * h_n)
        else:
            n = np.tanh(x_n + (r * h) @ recurrent_kernel[:, 2 * units :])
        h = z * h + (1 - z) * n  # z keeps the old state, 1 - z takes the candidate
        for name, value in zip(steps_seen, (h, z, r, n), strict=True):
            steps_seen[name].append(value)
    out = np.stack(steps_seen["h"], axis=1) if return_sequences else h
    if return_gates:
        return out, {name: np.stack(steps_seen[name], axis=1) for name in ("z", "r", "n")}
    return out
