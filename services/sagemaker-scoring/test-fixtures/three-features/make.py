"""Writes model.json and model.ubj: a small XGBoost binary:logistic model on 3 named features.

The trees are written by hand (python xgboost is not needed), in the exact layout
Booster.save_model('model.json') / ('model.ubj') of XGBoost 1.7 uses, so the file is read the
way a user's own model is. Run: python3 make.py
"""

import json
import struct

FEATURES = ["temperature_c", "pressure_kpa", "rpm"]
INT32 = 2147483647


def tree(tid, left, right, split_index, split_condition, default_left):
    n = len(left)
    parents = [INT32] + [0] * (n - 1)
    for i, (l, r) in enumerate(zip(left, right)):
        if l != -1:
            parents[l] = i
            parents[r] = i
    return {
        "base_weights": [float(c) for c in split_condition],
        "categories": [],
        "categories_nodes": [],
        "categories_segments": [],
        "categories_sizes": [],
        "default_left": default_left,
        "id": tid,
        "left_children": left,
        "loss_changes": [0.0] * n,
        "parents": parents,
        "right_children": right,
        "split_conditions": [float(c) for c in split_condition],
        "split_indices": split_index,
        "split_type": [0] * n,
        "sum_hessian": [1.0] * n,
        "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": str(n), "size_leaf_vector": "0"},
    }


# tree 0: temperature_c < 80 ? (pressure_kpa < 150 ? -1.0 : 0.5) : 1.5; a missing value goes left
# tree 1: rpm < 3000 ? -0.5 : 1.0; a missing rpm goes right
TREES = [
    tree(0, [1, 3, -1, -1, -1], [2, 4, -1, -1, -1], [0, 1, 0, 0, 0], [80, 150, 1.5, -1.0, 0.5], [1, 1, 0, 0, 0]),
    tree(1, [1, -1, -1], [2, -1, -1], [2, 0, 0], [3000, -0.5, 1.0], [0, 0, 0]),
]

MODEL = {
    "learner": {
        "attributes": {},
        "feature_names": FEATURES,
        "feature_types": ["float"] * 3,
        "gradient_booster": {
            "model": {
                "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(TREES)), "size_leaf_vector": "0"},
                "tree_info": [0] * len(TREES),
                "trees": TREES,
            },
            "name": "gbtree",
        },
        "learner_model_param": {
            "base_score": "5E-1",
            "boost_from_average": "1",
            "num_class": "0",
            "num_feature": "3",
            "num_target": "1",
        },
        "objective": {"name": "binary:logistic", "reg_loss_param": {"scale_pos_weight": "1"}},
    },
    "version": [1, 7, 4],
}


def ubj(value):
    """UBJSON as XGBoost writes it: typed, counted arrays of numbers; int64 lengths."""
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"l" + struct.pack(">i", value)
    if isinstance(value, float):
        return b"d" + struct.pack(">f", value)
    if isinstance(value, str):
        data = value.encode()
        return b"S" + b"L" + struct.pack(">q", len(data)) + data
    if isinstance(value, list):
        if value and all(isinstance(v, float) for v in value):
            return b"[$d#L" + struct.pack(">q", len(value)) + b"".join(struct.pack(">f", v) for v in value)
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return b"[$l#L" + struct.pack(">q", len(value)) + b"".join(struct.pack(">i", v) for v in value)
        return b"[" + b"".join(ubj(v) for v in value) + b"]"
    if isinstance(value, dict):
        out = b"{"
        for k, v in value.items():
            data = k.encode()
            out += b"L" + struct.pack(">q", len(data)) + data + ubj(v)
        return out + b"}"
    raise TypeError(type(value))


with open("model.json", "w") as f:
    json.dump(MODEL, f, separators=(",", ":"))
with open("model.ubj", "wb") as f:
    f.write(ubj(MODEL))
