"""Chapter 16's PM2.5 preparation: short gaps filled, 15 features an hour, and the windows.

Chapter 16 (time-series forecasting) forecasts Beijing's PM2.5 ``HORIZON`` hours ahead from the
last ``HISTORY`` hours: gaps of at most ``MAX_GAP`` hours interpolated and longer ones left
missing, the wind direction one-hot, the hour and the day of the year on circles, and windows
cut by ``keras.utils.timeseries_dataset_from_array``. Every function here is written out in that
chapter and checked equal to its copy by ``tests/test_taught_once.py``; so are the constants named
in ``CONSTANTS_FROM``. Chapter 26 forecasts from the same windows with a Transformer.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

# Chapter 16's assignments of these names are checked equal to the ones below.
CONSTANTS_FROM = ("16_forecasting", ("MAX_GAP", "HISTORY", "HORIZON"))

MAX_GAP = 3  # hours: shorter gaps are interpolated, longer ones stay missing
HISTORY, HORIZON = 24, 6  # hours of history in, the value 6 hours later out


# saved from chapter 16
def fill_short_gaps(pm):
    """Gaps of at most MAX_GAP hours interpolated, longer ones left
    missing; and which hours the sensor measured."""
    missing = pm.isna()
    run = (missing != missing.shift()).cumsum()  # one id per run
    run_length = missing.groupby(run).transform("size")  # hours in each run
    short_gap = missing & (run_length <= MAX_GAP)
    filled = pm.where(~short_gap, pm.interpolate(limit_area="inside"))
    return filled, ~missing


# saved from chapter 16
def hourly_features(series):
    """The wind direction one-hot, and the hour of the day and the day of
    the year as points on circles; the other columns as they are."""
    wind = pd.get_dummies(series["cbwd"], prefix="wind", dtype="float32")
    hour = series.index.hour.to_numpy()
    day = series.index.dayofyear.to_numpy()
    return (
        series.drop(columns="cbwd")
        .join(wind)
        .assign(
            hour_sin=np.sin(2 * np.pi * hour / 24),
            hour_cos=np.cos(2 * np.pi * hour / 24),
            year_sin=np.sin(2 * np.pi * day / 365.25),
            year_cos=np.cos(2 * np.pi * day / 365.25),
        )
        .astype("float32")
    )


# saved from chapter 16
def make_windows(x, y):
    # Every window of HISTORY rows of x, with the y of the row HORIZON
    # rows after its last one, as NumPy arrays.
    windows = keras.utils.timeseries_dataset_from_array(
        x[:-HORIZON],
        targets=y[HISTORY - 1 + HORIZON :],
        sequence_length=HISTORY,
        batch_size=len(x),  # the whole split in one batch
    )
    inputs, targets = next(iter(windows))  # TensorFlow tensors
    return np.asarray(inputs), np.asarray(targets)
