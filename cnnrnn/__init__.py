"""Helper package for *Convolution and Recurrence*.

Only what several chapters share lives here; each chapter still shows the code it teaches.
Importing the package silences TensorFlow's C++ start-up logging, so import it before Keras.
"""

import os
import sys
import tempfile

# Must be set before TensorFlow is first imported to have any effect.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# librosa compiles some functions with numba on first use and caches the machine code, by default
# inside the installed package (read-only on some machines): keep the cache in the temporary
# folder, and compile without optimisation, twice as fast for the book's small inputs. Numba reads
# these when it is first imported, so they are set here, before any chapter imports librosa.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "numba-cache"))
os.environ.setdefault("NUMBA_OPT", "0")


def _import_keras_quietly() -> None:
    """Import Keras (and its backend) with the process's standard error pointed at /dev/null.

    TensorFlow 2.21 prints "oneDNN custom operations are on" from C++ while it loads, before its
    logging is configured, so TF_CPP_MIN_LOG_LEVEL does not stop it; in a notebook it would show
    as a stderr output under the imports cell. Python exceptions still propagate as usual.
    """
    if "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_import_keras_quietly()

from cnnrnn.config import (  # noqa: E402
    is_quick,
    quick_or_full,
    record,
    run_seed,
    seed_everything,
    setup,
)

__all__ = ["is_quick", "quick_or_full", "record", "run_seed", "seed_everything", "setup"]
__version__ = "0.1.0"
