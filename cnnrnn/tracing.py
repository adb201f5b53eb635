"""One training step traced once, not twice, on TensorFlow.

On TensorFlow, Keras 3 creates a model's optimizer state (Adam's two moments per weight) and its
metrics' counters while it traces the first training step. TensorFlow does not keep a traced
function that created variables: it traces the step a second time, so that every model pays for
its first ``fit`` twice (about half a second a model on the book's 2-core machine: in quick
mode, where each model trains for a few seconds, that adds up). On JAX, and on TensorFlow under
a distribution strategy, Keras instead builds that state before it traces, from the shapes of
the data.

:func:`build_before_tracing` makes Keras do the same on TensorFlow without a strategy. The model,
its weights, its optimizer's state and every number it produces stay exactly what they were;
only the second trace is gone. :func:`setup` calls it. If this Keras builds differently (a
private method renamed), nothing is changed and the book runs as before, only slower.
"""

from __future__ import annotations

# Keras' own method, kept on the class once it is replaced: its presence says the change is in
# place, and the tests compare the two.
KERAS_OWN = "_cnnrnn_keras_own_build"


def build_before_tracing() -> bool:
    """Have Keras build optimizer and metric state before tracing ``fit`` and ``evaluate`` on
    TensorFlow, as it does on JAX. Returns True when the change is in place."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return False  # JAX builds first already
    try:
        from keras.src.backend.tensorflow.trainer import TensorFlowTrainer
    except ImportError:
        return False
    if hasattr(TensorFlowTrainer, KERAS_OWN):
        return True
    original = getattr(TensorFlowTrainer, "_maybe_symbolic_build", None)
    if original is None or not hasattr(TensorFlowTrainer, "_symbolic_build"):
        return False

    def build_first(self, iterator=None, data_batch=None):
        if getattr(self, "_distribute_strategy", None) is not None:
            return original(self, iterator=iterator, data_batch=data_batch)
        if data_batch is None:
            # The shapes of the data, without drawing a batch: a dataset that draws its own
            # order (cnnrnn.batching) must not be advanced.
            data_batch = getattr(getattr(iterator, "_distributed_dataset", None), "element_spec", None)
            if data_batch is None:
                return None  # Keras builds while tracing, as before
        try:
            self._symbolic_build(data_batch=data_batch)
        except Exception:  # noqa: BLE001 - a model Keras cannot build from shapes alone
            pass  # ... is built while tracing, as before: only slower
        return None

    setattr(TensorFlowTrainer, KERAS_OWN, original)
    TensorFlowTrainer._maybe_symbolic_build = build_first
    return True
