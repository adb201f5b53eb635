"""cnnrnn.config.quiet() silences the warnings that say nothing to a reader, and only those."""

import warnings

from cnnrnn.config import quiet


def _shown(message, module="keras.src.saving"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        quiet()
        warnings.warn_explicit(message, UserWarning, "somewhere.py", 1, module=module)
    return [str(w.message) for w in caught]


def test_keras_optimizer_loading_advice_is_silenced():
    assert _shown("Skipping variable loading for optimizer 'adam', because it has 1 variables") == []


def test_gaussian_process_bound_warning_is_silenced_only_from_scikit_learn():
    message = "The optimal value found for dimension 0 of parameter k1__length_scale is close"
    assert _shown(message, module="sklearn.gaussian_process.kernels") == []
    assert _shown(message, module="elsewhere") == [message]


def test_other_warnings_still_show():
    assert _shown("something the reader should see") == ["something the reader should see"]


def test_keras_notice_that_a_dataset_is_not_shuffled_by_fit_is_silenced_only_from_keras():
    message = ("`shuffle=True` was passed, but will be ignored since the data `x` was provided as "
               "a tf.data.Dataset.")
    assert _shown(message, module="keras.src.trainers.data_adapters") == []
    assert _shown(message, module="elsewhere") == [message]
