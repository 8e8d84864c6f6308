#!/usr/bin/python3
"""Train the lakepipe scoring model (and the scorer's test fixtures) with XGBoost.

Offline only: needs Debian's python3-xgboost 1.7.4 and python3-numpy. Nothing at run time or
in CI runs this; its outputs are committed. See README.md beside this file.

  # the production model, from tools/datagen output (CSV / JSON lines, optionally .gz)
  /usr/bin/python3 tools/model-training/train.py bench-tests --data DIR \
      --out services/sagemaker-scoring/model

  # a fixture for one objective, on synthetic data with missing values
  /usr/bin/python3 tools/model-training/train.py synthetic --objective multi:softprob \
      --out services/sagemaker-scoring/src/test-fixtures/multi-softprob
"""

import argparse
import csv
import gzip
import io
import json
import os
import sys

import numpy as np
import xgboost as xgb

FEATURES = [
    "duration_s",
    "temperature_c",
    "voltage_v",
    "current_a",
    "vibration_mm_s",
    "pressure_kpa",
    "error_count",
]
LABEL = "failed_in_field"
ID = "test_id"
OBJECTIVES = ["binary:logistic", "reg:squarederror", "reg:logistic", "multi:softprob"]


def fmt_value(v):
    """A feature as the ETL writes it: empty for missing, else the shortest exact decimal."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return repr(float(v))


def fmt_prediction(p):
    """XGBoost predicts in float32: print the float32 value exactly (shortest round-trip repr)."""
    return repr(float(np.float32(p)))


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def parse_number(text):
    if text is None:
        return np.nan
    if isinstance(text, (int, float)):
        return float(text)
    text = text.strip()
    if text == "":
        return np.nan
    try:
        return float(text)
    except ValueError:
        return None  # a bad row: skipped, as the ETL would reject it


def read_bench_tests(folder):
    """Rows of bench_tests from every .csv/.jsonl(.gz) under folder: (ids, X, y)."""
    ids, rows, labels, skipped = [], [], [], 0
    files = sorted(
        os.path.join(root, f)
        for root, _, names in os.walk(folder)
        for f in names
        if f.endswith((".csv", ".csv.gz", ".jsonl", ".jsonl.gz"))
    )
    if not files:
        sys.exit(f"train.py: no .csv/.jsonl(.gz) files under {folder}")
    for path in files:
        with open_text(path) as handle:
            if ".jsonl" in path:
                records = (json.loads(line) for line in handle if line.strip())
            else:
                records = csv.DictReader(handle)
            for record in records:
                values = [parse_number(record.get(f)) for f in FEATURES]
                label = parse_number(record.get(LABEL))
                if any(v is None for v in values) or label is None or np.isnan(label):
                    skipped += 1
                    continue
                ids.append(str(record.get(ID, len(ids))))
                rows.append(values)
                labels.append(label)
    print(f"read {len(rows)} rows from {len(files)} files ({skipped} unusable rows skipped)")
    return ids, np.array(rows, dtype=np.float64), np.array(labels, dtype=np.float64)


def synthetic_bench_tests(rng, n, missing_fraction):
    """bench_tests-like features, rounded as a CSV would carry them, with some missing values."""
    x = np.column_stack(
        [
            np.round(rng.gamma(4.0, 30.0, n), 2),  # duration_s
            np.round(rng.normal(45.0, 18.0, n), 2),  # temperature_c
            np.round(rng.normal(12.0, 1.5, n), 3),  # voltage_v
            np.round(rng.gamma(2.0, 1.2, n), 3),  # current_a
            np.round(rng.exponential(2.5, n), 3),  # vibration_mm_s
            np.round(rng.normal(101.3, 12.0, n), 2),  # pressure_kpa
            rng.poisson(0.8, n).astype(np.float64),  # error_count
        ]
    )
    mask = rng.random(x.shape) < missing_fraction
    x[mask] = np.nan
    return x


def synthetic_margin(x):
    filled = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    d, t, v, c, vib, p, e = filled.T
    return (
        0.045 * (t - 60.0)
        + 0.6 * (vib - 3.0)
        + 0.9 * e
        + 0.8 * np.abs(v - 12.0)
        + 0.35 * (c - 2.4)
        + 0.02 * np.abs(p - 101.3)
        + 0.004 * (d - 120.0)
        - 1.5
    )


def synthetic_labels(rng, x, objective):
    margin = synthetic_margin(x) + rng.normal(0.0, 0.7, len(x))
    if objective == "binary:logistic":
        return (margin > 0).astype(np.float64)
    if objective == "reg:logistic":
        return 1.0 / (1.0 + np.exp(-margin))  # a probability-valued target
    if objective == "reg:squarederror":
        return 20.0 + 4.0 * margin
    if objective == "multi:softprob":
        return np.digitize(margin, [-1.0, 1.0]).astype(np.float64)  # 3 classes
    raise ValueError(objective)


def auc(labels, scores):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def params_for(objective, base_score, booster="gbtree"):
    params = {
        "booster": booster,
        "objective": objective,
        "tree_method": "hist",
        "max_depth": 6,
        "eta": 0.1,
        "subsample": 0.9,
        "colsample_bytree": 0.9,
        "min_child_weight": 2,
        "seed": 7,
        "nthread": 2,
    }
    if booster == "gblinear":
        del params["tree_method"], params["max_depth"], params["subsample"], params["colsample_bytree"]
        del params["min_child_weight"]
    if objective == "multi:softprob":
        params["num_class"] = 3
    if base_score is not None:
        params["base_score"] = base_score
    return params


def write_reference(path, ids, x, predictions):
    """id, the features (empty = missing), then XGBoost's own prediction(s), float32-exact."""
    preds = predictions.reshape(len(x), -1)
    pred_cols = ["prediction"] if preds.shape[1] == 1 else [f"prediction_{k}" for k in range(preds.shape[1])]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["id", *FEATURES, *pred_cols])
        for i in range(len(x)):
            out.writerow([ids[i], *(fmt_value(v) for v in x[i]), *(fmt_prediction(p) for p in preds[i])])


def reparse(x):
    """The values exactly as a reader of the CSV sees them (string -> float64), so XGBoost and
    the scorer score the very same inputs."""
    return np.array([[parse_number(fmt_value(v)) for v in row] for row in x], dtype=np.float64)


def train_and_write(args, ids, x, y, source_note):
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(x))
    holdout_n = max(args.reference_rows, len(x) // 5)
    hold, train = order[:holdout_n], order[holdout_n:]
    dtrain = xgb.DMatrix(x[train], label=y[train], missing=np.nan)
    dhold = xgb.DMatrix(x[hold], label=y[hold], missing=np.nan)
    booster = xgb.train(params_for(args.objective, args.base_score, args.booster), dtrain, num_boost_round=args.rounds)

    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "xgboost-model.json")
    booster.save_model(model_path)

    # Predict with the model as saved, the way the SageMaker container does.
    loaded = xgb.Booster(model_file=model_path)
    hold_pred = loaded.predict(dhold)
    ref = hold[: args.reference_rows]
    # Blank some reference values so the scorer's missing-value paths (default_left) are proven too.
    x_ref = x[ref].copy()
    x_ref[rng.random(x_ref.shape) < args.reference_missing] = np.nan
    ref_pred = loaded.predict(xgb.DMatrix(x_ref, missing=np.nan))
    write_reference(os.path.join(args.out, "reference.csv"), [ids[i] for i in ref], x_ref, ref_pred)

    metric_lines = []
    if args.objective == "binary:logistic":
        metric_lines.append(f"- holdout AUC: {auc(y[hold], hold_pred):.4f} ({len(hold)} rows)")
    elif args.objective == "multi:softprob":
        acc = float((hold_pred.reshape(len(hold), -1).argmax(axis=1) == y[hold]).mean())
        metric_lines.append(f"- holdout accuracy: {acc:.4f} ({len(hold)} rows)")
    else:
        rmse = float(np.sqrt(np.mean((hold_pred - y[hold]) ** 2)))
        metric_lines.append(f"- holdout RMSE: {rmse:.4f} ({len(hold)} rows)")

    missing = int(np.isnan(x_ref).sum())
    with open(os.path.join(args.out, "MODEL.md"), "w", encoding="utf-8") as handle:
        handle.write(
            "\n".join(
                [
                    f"# {os.path.basename(os.path.normpath(args.out))}: XGBoost {args.objective}",
                    "",
                    "Generated by `tools/model-training/train.py`; do not edit by hand.",
                    "",
                    "- features, in order (the columns after the id in `features/`): "
                    + ", ".join(f"`{f}`" for f in FEATURES),
                    f"- objective: `{args.objective}`"
                    + (" (3 classes)" if args.objective == "multi:softprob" else ""),
                    f"- booster: gbtree, {args.rounds} rounds, max_depth 6, eta 0.1, tree_method hist",
                    f"- base_score: {args.base_score if args.base_score is not None else 'XGBoost default (0.5)'}",
                    f"- training rows: {len(train)}",
                    *metric_lines,
                    f"- data: {source_note}",
                    f"- reference.csv: {len(ref)} holdout rows with XGBoost {xgb.__version__}'s own predictions"
                    f" ({missing} missing feature values)",
                    f"- seed: {args.seed}",
                    "",
                    "Feature names are deliberately not stored in the model: SageMaker's XGBoost container",
                    "scores header-less CSV, and a model with feature names would refuse it.",
                    "",
                ]
            )
        )
    print(f"wrote {model_path}, reference.csv ({len(ref)} rows), MODEL.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("bench-tests", "synthetic"):
        p = sub.add_parser(name)
        p.add_argument("--out", required=True, help="folder for xgboost-model.json, reference.csv, MODEL.md")
        p.add_argument("--objective", choices=OBJECTIVES, default="binary:logistic")
        p.add_argument("--rounds", type=int, default=150)
        p.add_argument("--base-score", type=float, default=None)
        p.add_argument("--reference-rows", type=int, default=2000)
        p.add_argument("--seed", type=int, default=42)
        p.add_argument("--reference-missing", type=float, default=0.03, help="share of reference values blanked")
        if name == "bench-tests":
            p.add_argument("--data", required=True, help="tools/datagen output folder")
        else:
            p.add_argument("--rows", type=int, default=20000)
            p.add_argument("--missing-fraction", type=float, default=0.05)
            p.add_argument(
                "--booster", choices=["gbtree", "gblinear", "dart"], default="gbtree",
                help="gblinear/dart only for the scorer's rejection fixtures",
            )
    args = parser.parse_args()

    if args.command == "bench-tests":
        ids, x, y = read_bench_tests(args.data)
        note = f"tools/datagen output ({len(x)} rows), label `{LABEL}`"
        args.booster = "gbtree"
    else:
        rng = np.random.default_rng(args.seed)
        x = reparse(synthetic_bench_tests(rng, args.rows, args.missing_fraction))
        y = synthetic_labels(rng, x, args.objective)
        ids = [f"T-{i:09d}" for i in range(len(x))]
        note = f"synthetic bench_tests-like rows ({len(x)}), {args.missing_fraction:.0%} missing values"
    train_and_write(args, ids, x, y, note)


if __name__ == "__main__":
    main()
