"""cnnrnn.pm25: chapter 16's PM2.5 gaps, features and windows (saved for chapter 26)."""

import numpy as np
import pandas as pd

from cnnrnn import pm25


def test_fill_short_gaps_fills_only_gaps_of_at_most_max_gap_hours():
    long_gap = pm25.MAX_GAP + 1
    values = [np.nan, 1.0, np.nan, 3.0] + [np.nan] * long_gap + [10.0, np.nan]
    pm = pd.Series(values, index=pd.date_range("2010-01-01", periods=len(values), freq="h"))
    filled, observed = pm25.fill_short_gaps(pm)
    assert np.isnan(filled.iloc[0]) and np.isnan(filled.iloc[-1])  # not inside: left
    assert filled.iloc[2] == 2.0  # a one-hour gap, interpolated
    assert filled.iloc[4 : 4 + long_gap].isna().all()  # a long gap, left missing
    assert observed.tolist() == pm.notna().tolist()


def test_hourly_features_puts_wind_and_time_on_columns():
    index = pd.date_range("2010-01-01", periods=6, freq="h")
    series = pd.DataFrame(
        {"pm2.5": np.arange(6.0), "TEMP": 1.0, "cbwd": ["NW", "NE", "SE", "cv", "NW", "NW"]},
        index=index,
    )
    features = pm25.hourly_features(series)
    assert features.columns[0] == "pm2.5" and "cbwd" not in features
    assert (features.dtypes == "float32").all()
    wind = features.filter(like="wind_")
    assert wind.shape[1] == 4 and (wind.sum(axis=1) == 1).all()
    radius = features["hour_sin"] ** 2 + features["hour_cos"] ** 2
    np.testing.assert_allclose(radius, 1, rtol=1e-6)
    assert features.shape[1] == 2 + 4 + 4


def test_make_windows_pairs_history_hours_with_the_value_horizon_later():
    n, width = 60, 3
    x = np.arange(n * width, dtype="float32").reshape(n, width)
    y = np.arange(n, dtype="float32") * 10
    inputs, targets = pm25.make_windows(x, y)
    count = n - pm25.HISTORY - pm25.HORIZON + 1
    assert inputs.shape == (count, pm25.HISTORY, width) and targets.shape == (count,)
    for i in (0, count - 1):
        np.testing.assert_array_equal(inputs[i], x[i : i + pm25.HISTORY])
        assert targets[i] == y[i + pm25.HISTORY - 1 + pm25.HORIZON]
