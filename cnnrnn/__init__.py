"""Helper package for *Convolution and Recurrence*.

Only what several chapters share lives here; each chapter still shows the code it teaches.
Importing the package silences TensorFlow's C++ start-up logging, so import it before Keras.
"""

import os

# Must be set before TensorFlow is first imported to have any effect.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from cnnrnn.config import is_quick, quick_or_full, record, seed_everything, setup  # noqa: E402

__all__ = ["is_quick", "quick_or_full", "record", "seed_everything", "setup"]
__version__ = "0.1.0"
