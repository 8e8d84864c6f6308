#!/usr/bin/python3
"""The whole-process baseline of bench/scoring: what `lakepipe score` does, in Python XGBoost.

    xgb_score.py MODEL FEATURES_CSV OUTPUT_CSV

Reads the features CSV (no header: the id, then the features; an empty field is missing) with
pandas' C reader, predicts with Booster.inplace_predict (all cores) and writes `id,score` lines,
each score the float32 prediction as its shortest float64 repr (what `lakepipe score` writes).
Debian's python3-xgboost 1.7.4, python3-pandas and python3-numpy
(tools/setup/install-system-deps.sh --with-training).
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

model_file, features_file, output_file = sys.argv[1:4]
booster = xgb.Booster(model_file=model_file)
features = booster.num_features()
frame = pd.read_csv(
    features_file,
    header=None,
    dtype={0: str, **{k: np.float32 for k in range(1, features + 1)}},
    keep_default_na=False,
    na_values=[""],
)
scores = booster.inplace_predict(frame.iloc[:, 1:].to_numpy(dtype=np.float32), missing=np.nan)
pd.DataFrame({"id": frame[0], "score": scores.astype(np.float64)}).to_csv(
    output_file, header=False, index=False
)
