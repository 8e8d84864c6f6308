#!/usr/bin/python3
"""XGBoost's own predict on a float32 matrix, for bench/scoring/run.ts (Debian python3-xgboost).

Prints one JSON line: the best seconds of `repeat` timed calls of Booster.predict(DMatrix) and
Booster.inplace_predict(numpy), and writes the predictions next to the input. DMatrix
construction is excluded: one fresh DMatrix per call is built before timing starts (a DMatrix
predicted twice would be answered from XGBoost's prediction cache, not predicted).
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb

model_file, matrix_file, rows, features, threads, repeat = sys.argv[1:7]
rows, features, threads, repeat = int(rows), int(features), int(threads), int(repeat)
x = np.fromfile(matrix_file, dtype=np.float32).reshape(rows, features)
booster = xgb.Booster(model_file=model_file)
booster.set_param({"nthread": threads})


def best(fn, args):
    times, out = [], None
    for arg in args:
        start = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - start)
    return min(times), out


booster.inplace_predict(x[:1000], missing=np.nan)  # warm-up: threads, model configuration
matrices = [xgb.DMatrix(x, missing=np.nan, nthread=threads) for _ in range(repeat)]
predict_s, predictions = best(booster.predict, matrices)
inplace_s, _ = best(lambda _: booster.inplace_predict(x, missing=np.nan), range(repeat))
# one thread: no OpenMP, so no spin-waiting when other processes load the machine
booster.set_param({"nthread": 1})
single_s, _ = best(booster.predict, [xgb.DMatrix(x, missing=np.nan, nthread=threads) for _ in range(repeat)])
predictions.astype(np.float32).tofile(matrix_file + ".xgb.f32")
print(json.dumps({"predict": predict_s, "inplace": inplace_s, "single": single_s, "xgboost": xgb.__version__}))
