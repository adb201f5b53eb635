"""What Keras' random augmentation layers cost per training step, on the backend and machine at hand.

Chapter 03 puts RandomRotation, RandomTranslation and RandomZoom in front of its CNN. On an
NVIDIA H200 with the JAX backend (Keras 3.15.1, JAX 0.11.2) the chapter trained at 300-400 ms per
step, and this benchmark found why: the small CNN alone took 1.4 ms per step, and each one of the
three layers added 78-91 ms (on this 2-core CPU with TensorFlow: 59 ms alone, 53-73 ms with one).

    KERAS_BACKEND=jax python tools/bench_augmentation.py
"""

import time

import keras
import numpy as np
from keras import layers

STEPS, BATCH_SIZE = 40, 128


def small_cnn(augmentation):
    model = keras.Sequential([
        keras.Input((28, 28, 1)), *augmentation,
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10),
    ])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def main():
    from cnnrnn.timing import machine_description

    keras.utils.set_random_seed(0)
    x = np.random.rand(BATCH_SIZE * STEPS, 28, 28, 1).astype("float32")
    y = np.random.randint(0, 10, len(x))
    choices = {"none": [], "rotation": [layers.RandomRotation(0.05, fill_mode="constant")],
               "translation": [layers.RandomTranslation(0.1, 0.1, fill_mode="constant")],
               "zoom": [layers.RandomZoom(0.1, fill_mode="constant")]}
    print(machine_description())
    for name, augmentation in choices.items():
        model = small_cnn(augmentation)
        model.fit(x[:256], y[:256], batch_size=BATCH_SIZE, epochs=1, verbose=0)  # compile, warm up
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)
            seconds.append(time.perf_counter() - start)
        milliseconds = np.median(seconds) / STEPS * 1e3
        print(f"augmentation={name:12s} {milliseconds:7.1f} ms per step (median of 3 epochs)")


if __name__ == "__main__":
    main()
