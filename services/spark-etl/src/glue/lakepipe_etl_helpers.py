"""Pure helpers of the spark-etl Glue job: argument parsing, lake keys, manifest, ledger items.

Importable without pyspark or boto3, so `python3 -m unittest` tests them anywhere. The rules
themselves are not here: the job runs the Spark SQL that the TypeScript compiler generated
(uploaded beside the script), so the Glue job and the local DuckDB engine apply the same rules.
"""

import argparse
import base64
import json
import math
import re
from datetime import datetime, timezone

RUN_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{6})$")
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
READABLE_FILE = re.compile(r"\.(csv|txt|jsonl|ndjson|json)(\.gz)?$")
MANIFEST_COUNTS = ["filesRead", "rowsRead", "curatedRows", "rejectedRows", "rejectedRatio", "partitions"]
BATCH_SIZE = 25


class JobArgumentError(ValueError):
    """A job argument is missing or malformed."""


class RejectRatioExceededError(RuntimeError):
    """More rows were rejected than the dataset allows; curated/ and features/ were not published."""


class UnsupportedFileError(RuntimeError):
    """A raw file has an extension the ETL cannot read."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise JobArgumentError(message)


def job_arg_parser():
    """The job's own arguments. Glue adds its own (--JOB_ID, --TempDir, --enable-metrics...): they are ignored."""
    p = _Parser(prog="etl_job.py", add_help=False, allow_abbrev=False)
    p.add_argument("--spec_s3_uri", "--spec", dest="spec", required=True, help="the job spec: s3://bucket/key or a local path")
    p.add_argument("--lake_bucket", help="the lake bucket (Glue, EMR, any Spark with S3)")
    p.add_argument("--lake_root", help="a local lake folder instead of a bucket (the twin: spark-submit --master local[*])")
    p.add_argument("--dataset", required=True)
    p.add_argument("--run_id", required=True)
    p.add_argument("--stage_id", required=True)
    p.add_argument("--ledger_table", help="DynamoDB ledger table (with --lake_bucket)")
    p.add_argument("--movements_out", help="with --lake_root: write the ledger movements to this JSON file instead")
    p.add_argument("--fs_scheme", default="s3a", choices=["s3", "s3a"], help="Hadoop filesystem of the bucket: s3 on Glue/EMR (EMRFS), s3a elsewhere")
    p.add_argument("--aws_endpoint_url", help="S3 and DynamoDB endpoint of an S3-compatible server (tests)")
    return p


def parse_job_args(argv):
    """Parses and checks the job's arguments (argv without the program name); unknown ones are ignored."""
    args, _unknown = job_arg_parser().parse_known_args(argv)
    args = vars(args)
    if not RUN_ID.match(args["run_id"]):
        raise JobArgumentError(
            "--run_id %r is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx" % args["run_id"]
        )
    for name in ("dataset", "stage_id"):
        if not SAFE_NAME.match(args[name]):
            raise JobArgumentError("--%s %r must match ^[a-z][a-z0-9_]{0,62}$" % (name, args[name]))
    if bool(args["lake_bucket"]) == bool(args["lake_root"]):
        raise JobArgumentError("give exactly one of --lake_bucket (S3) and --lake_root (a local folder)")
    if args["lake_bucket"] and not args["ledger_table"]:
        raise JobArgumentError("--ledger_table is required with --lake_bucket")
    return args


def split_s3_uri(uri):
    match = re.match(r"^s3://([^/]+)/(.+)$", uri)
    if not match:
        raise JobArgumentError("%r is not an s3://bucket/key URI" % uri)
    return match.group(1), match.group(2)


def run_date(run_id):
    """The run's date, YYYY-MM-DD: the dt= of its raw/ prefix."""
    m = RUN_ID.match(run_id)
    if not m:
        raise JobArgumentError("run id %r is malformed" % run_id)
    return "%s-%s-%s" % (m.group(1), m.group(2), m.group(3))


def raw_prefix(dataset, run_id):
    return "raw/%s/dt=%s/run=%s/" % (dataset, run_date(run_id), run_id)


def curated_prefix(dataset):
    return "curated/%s/" % dataset


def rejected_prefix(dataset, run_id):
    return "rejected/%s/run=%s/" % (dataset, run_id)


def features_prefix(dataset, run_id):
    return "features/%s/run=%s/" % (dataset, run_id)


def manifest_key(run_id, stage_id):
    return "_manifests/run=%s/%s.json" % (run_id, stage_id)


def staging_prefix(run_id, stage_id, token):
    return "_tmp/etl/%s-%s-%s/" % (run_id, stage_id, token)


def check_readable(keys):
    for key in keys:
        if not READABLE_FILE.search(key):
            raise UnsupportedFileError(
                "raw file %s has an unsupported extension: use .csv, .jsonl (or .ndjson, .json), optionally .gz"
                % key
            )


def is_run_file(key, run_id):
    """True for this run's curated files (`<runId>-<n>.parquet`): what a re-run replaces."""
    return key.rsplit("/", 1)[-1].startswith(run_id + "-")


def curated_target(dataset, run_id, staged_relative_key, index):
    """`dt=2026-11-25/part-00000-...zstd.parquet` -> `curated/<ds>/dt=2026-11-25/<runId>-<index>.parquet`."""
    folder = staged_relative_key.rsplit("/", 1)[0] if "/" in staged_relative_key else ""
    return "%s%s%s-%d.parquet" % (curated_prefix(dataset), folder + "/" if folder else "", run_id, index)


def is_data_file(key):
    """Spark also writes _SUCCESS and .crc files: only part files are data."""
    name = key.rsplit("/", 1)[-1]
    return name.startswith("part-") and not name.endswith(".crc")


def rejected_ratio(rejected_rows, rows_read):
    """rejected / read rounded half-up to 6 decimals, as the DuckDB engine's Math.round(x * 1e6) / 1e6
    (Python's round() rounds half to even: 1/128 would be 0.007812 here and 0.007813 there)."""
    return 0 if rows_read == 0 else math.floor(rejected_rows / rows_read * 1e6 + 0.5) / 1e6


def reject_ratio_error(dataset, rejected_rows, rows_read, max_ratio, run_id):
    ratio = 0 if rows_read == 0 else rejected_rows / rows_read
    return RejectRatioExceededError(
        "dataset %s: rejected ratio %.4f (%d of %d rows) is above maxRejectRatio %s; "
        "curated/ and features/ were not published, inspect %s"
        % (dataset, ratio, rejected_rows, rows_read, max_ratio, rejected_prefix(dataset, run_id))
    )


def exceeds(rejected_rows, rows_read, max_ratio):
    return rows_read > 0 and rejected_rows / rows_read > max_ratio


def build_manifest(dataset, run_id, stage_id, files, file_counts, partition_counts, outputs, started_at, finished_at, schema=None):
    """
    The stage manifest (packages/lake manifest.ts, manifestVersion 1) the DuckDB engine writes too:
    counts the workflow reads, every output measured (key, bytes, sha256), the output schema, and
    the ETL's detail (per partition, per file). `outputs` are {"to", "bytes", "sha256"} movements.
    """
    by_key = dict((c["file"], c) for c in file_counts)
    by_file = []
    for key in files:
        c = by_key.get(key, {})
        by_file.append(
            {
                "file": key,
                "rowsRead": int(c.get("rowsRead", 0)),
                "curatedRows": int(c.get("curatedRows", 0)),
                "rejectedRows": int(c.get("rejectedRows", 0)),
            }
        )
    rows_read = sum(f["rowsRead"] for f in by_file)
    rejected = sum(f["rejectedRows"] for f in by_file)
    by_partition = sorted(
        ({"partition": p, "curatedRows": int(n)} for p, n in partition_counts if int(n) > 0),
        key=lambda x: x["partition"],
    )
    return {
        "manifestVersion": 1,
        "runId": run_id,
        "stageId": stage_id,
        "stageType": "spark-etl",
        "engine": "spark",
        "counts": {
            "filesRead": len(files),
            "rowsRead": rows_read,
            "curatedRows": sum(f["curatedRows"] for f in by_file),
            "rejectedRows": rejected,
            "rejectedRatio": rejected_ratio(rejected, rows_read),
            "partitions": len(by_partition),
        },
        "outputs": sorted(
            ({"key": o["to"], "bytes": int(o["bytes"]), "sha256": o["sha256"]} for o in outputs), key=lambda o: o["key"]
        ),
        "schema": schema or {},
        "timings": {
            "startedAt": started_at,
            "finishedAt": finished_at,
            "durationMs": max(0, int(round((parse_iso(finished_at) - parse_iso(started_at)).total_seconds() * 1000))),
        },
        "details": {"dataset": dataset, "byPartition": by_partition, "byFile": by_file},
    }


def parse_iso(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def manifest_metadata(manifest):
    """The counts as S3 user metadata (JSON text, lower-case keys): the workflow's ResultSelector reads them."""
    return dict((k.lower(), json.dumps(manifest["counts"][k])) for k in MANIFEST_COUNTS)


def partition_name(partition_by, row):
    return "/".join("%s=%s" % (p, row[p]) for p in partition_by)


def iso_now(now=None):
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def sha256_hex(checksum_base64):
    """S3's ChecksumSHA256 (base64) as the ledger's hex sha256."""
    return base64.b64decode(checksum_base64).hex()


def movement_items(movements, run_id, stage_id, at):
    """Ledger items (DynamoDB JSON) for objects this stage created; the layout of packages/ledger keys.ts."""
    items = []
    for m in movements:
        items.append(
            {
                "PK": {"S": "OBJ#" + m["to"]},
                "SK": {"S": "MOVE#%s#%s#%s" % (at, run_id, stage_id)},
                "type": {"S": "MOVE"},
                "key": {"S": m["to"]},
                "runId": {"S": run_id},
                "stageId": {"S": stage_id},
                "to": {"S": m["to"]},
                "bytes": {"N": str(int(m["bytes"]))},
                "sha256": {"S": m["sha256"]},
                "at": {"S": at},
            }
        )
    return items


def features_value(value):
    """One features CSV field as the DuckDB engine's COPY (FORMAT csv) writes it: doubles as the
    shortest text that reads back to the same double (Python's repr: 0.0002, 1e-05, 1e+22), null as
    nothing, text quoted only when it holds the delimiter, a quote, a line break or is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += ("." + "%06d" % value.microsecond).rstrip("0")
        return text
    if isinstance(value, str):
        if value == "" or any(c in value for c in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def features_line(values):
    return ",".join(features_value(v) for v in values) + "\n"


def batches(items, size=BATCH_SIZE):
    return [items[i : i + size] for i in range(0, len(items), size)]
