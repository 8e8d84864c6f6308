#!/usr/bin/python3
"""A deep model for bench/scoring: ROUNDS trees of max_depth DEPTH, binary:logistic.

    train_deep.py REFERENCE_CSV OUTPUT_JSON [ROUNDS=400] [DEPTH=8]

Trained on 100,000 rows drawn from the shipped model's reference rows (the tools/datagen
features), jittered by +-10 %, 3 % missing, with labels drawn from the shipped model's
probabilities: noisy labels make full-depth trees. Deterministic (seeded); XGBoost 1.7.4.
"""
import sys

import numpy as np
import xgboost as xgb

reference_file, output_file = sys.argv[1:3]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 400
depth = int(sys.argv[4]) if len(sys.argv) > 4 else 8
rng = np.random.default_rng(7)
data = np.genfromtxt(reference_file, delimiter=",", skip_header=1)[:, 1:]
base, probability = data[:, :-1], data[:, -1]
rows = 100_000
pick = rng.integers(0, len(base), rows)
x = (base[pick] * rng.uniform(0.9, 1.1, size=(rows, base.shape[1]))).astype(np.float32)
x[rng.uniform(size=x.shape) < 0.03] = np.nan
y = (rng.uniform(size=rows) < probability[pick]).astype(np.float32)
params = {"objective": "binary:logistic", "max_depth": depth, "eta": 0.05, "tree_method": "hist", "seed": 1}
booster = xgb.train(params, xgb.DMatrix(x, label=y, missing=np.nan), rounds)
booster.save_model(output_file)
