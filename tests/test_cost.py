"""cnnrnn.cost.multiply_adds, as chapter 04 teaches it: convolution and Dense layers only."""

import keras
from keras import layers

from cnnrnn.cost import multiply_adds


def test_a_conv3d_weight_is_used_at_every_output_voxel():
    model = keras.Sequential([keras.Input((4, 10, 10, 1)), layers.Conv3D(2, 3)])
    assert multiply_adds(model) == 2 * 8 * 8 * (3 * 3 * 3 * 1 * 2)


def test_layers_without_a_kernel_count_nothing():
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        layers.Rescaling(1 / 255),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(),
    ])
    assert multiply_adds(model) == 0
