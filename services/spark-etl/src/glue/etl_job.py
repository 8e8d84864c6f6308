"""lakepipe spark-etl: the generic job of one spark-etl stage, on any Spark 3.5.

Reads the run's raw/ files as text (every line accounted for), runs the Spark SQL that
@lakepipe/spark-etl compiled from the dataset spec (the job spec), and writes curated/ (zstd
Parquet, Hive partitions, this run's files only), rejected/, features/, the manifest and the
ledger movements. Outputs go to a staging prefix first and are moved into place, so a failed run
publishes nothing and a re-run replaces only its own files.

One script for every Spark: a plain SparkSession and its own argument parsing (no awsglue
import), so AWS Glue 5.0, EMR, EMR Serverless, a standalone cluster and `spark-submit --master
local[*]` run it unchanged (the service README has the spark-submit line of each).

Arguments (Glue's own, e.g. --JOB_ID, are ignored):
  --spec_s3_uri (or --spec) --dataset --run_id --stage_id
  and either --lake_bucket --ledger_table [--fs_scheme s3|s3a]   (S3 + DynamoDB)
  or         --lake_root <folder> [--movements_out <file>]       (a local lake: the twin)

Progress goes to stdout as `lakepipe-progress {json}` lines (the twin shows them); a failure
ends the job with the error's class and message on stderr and exit code 1.
"""

import hashlib
import json
import os
import shutil
import sys
import traceback
import uuid

import lakepipe_etl_helpers as h

# What the generated SQL and the outputs depend on, set on every run (test_etl_job_spark.py asserts them).
SPARK_SETTINGS = {
    # a failed cast is NULL (the rules then name the reason), never an error that fails the job
    "spark.sql.ansi.enabled": "false",
    # offsets in timestamps are converted to UTC; curated timestamps are UTC wall-clock (TIMESTAMP_NTZ)
    "spark.sql.session.timeZone": "UTC",
    # dates before 1582/1900 are written as they are (proleptic Gregorian), never a job failure
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}

LINE_PROGRESS = "lakepipe-progress "


def progress(**update):
    print(LINE_PROGRESS + json.dumps(update), flush=True)


class Steps:
    """Reports each step's wall time as a progress line, like the DuckDB engine's `name: 1.23 s`."""

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.started = self.clock()

    def done(self, name):
        now = self.clock()
        progress(message="%s: %.2f s" % (name, now - self.started))
        self.started = now


def configure(spark):
    for key, value in SPARK_SETTINGS.items():
        spark.conf.set(key, value)
    return spark


class S3Lake:
    """The lake in a bucket: boto3 for listing, moving and small objects; Spark reads and writes s3:// or s3a://."""

    def __init__(self, bucket, scheme, endpoint_url=None):
        import boto3

        self.bucket = bucket
        self.scheme = scheme
        self.s3 = boto3.client("s3", endpoint_url=endpoint_url) if endpoint_url else boto3.client("s3")

    def uri(self, key):
        return "%s://%s/%s" % (self.scheme, self.bucket, key)

    def list(self, prefix):
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return sorted(keys)

    def move(self, from_key, to_key):
        """Server-side copy (S3 computes the SHA-256 of the copy), then delete the staged object."""
        self.s3.copy_object(
            Bucket=self.bucket,
            Key=to_key,
            CopySource={"Bucket": self.bucket, "Key": from_key},
            ChecksumAlgorithm="SHA256",
            MetadataDirective="COPY",
        )
        self.s3.delete_object(Bucket=self.bucket, Key=from_key)
        head = self.s3.head_object(Bucket=self.bucket, Key=to_key, ChecksumMode="ENABLED")
        return {"to": to_key, "bytes": head["ContentLength"], "sha256": h.sha256_hex(head["ChecksumSHA256"])}

    def delete(self, keys):
        for i in range(0, len(keys), 1000):
            chunk = keys[i : i + 1000]
            if chunk:
                self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})

    def put_json(self, key, body, metadata):
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            Metadata=metadata,
            ChecksumAlgorithm="SHA256",
        )
        head = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        return {"to": key, "bytes": head["ContentLength"], "sha256": h.sha256_hex(head["ChecksumSHA256"])}


class FolderLake:
    """The lake in a local folder (the twin's .lake/): the same keys, Spark reads and writes file://."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def path(self, key):
        return os.path.join(self.root, *key.split("/"))

    def uri(self, key):
        return "file:" + self.path(key)

    def list(self, prefix):
        base = self.path(prefix.rstrip("/"))
        keys = []
        for folder, _dirs, names in os.walk(base):
            for name in names:
                relative = os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/")
                keys.append(relative)
        return sorted(k for k in keys if k.startswith(prefix))

    def move(self, from_key, to_key):
        target = self.path(to_key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(self.path(from_key), target)
        return {"to": to_key, "bytes": os.path.getsize(target), "sha256": file_sha256(target)}

    def delete(self, keys):
        for key in keys:
            try:
                os.remove(self.path(key))
            except FileNotFoundError:
                pass

    def remove_tree(self, prefix):
        shutil.rmtree(self.path(prefix.rstrip("/")), ignore_errors=True)

    def put_json(self, key, body, _metadata):
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temp = "%s.%s.tmp" % (target, uuid.uuid4().hex[:8])
        with open(temp, "wb") as f:
            f.write(body)
        os.replace(temp, target)
        return {"to": key, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class DynamoLedger:
    def __init__(self, table, endpoint_url=None):
        import boto3

        self.table = table
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url) if endpoint_url else boto3.client("dynamodb")

    def record(self, movements, run_id, stage_id):
        items = h.movement_items(movements, run_id, stage_id, h.iso_now())
        for batch in h.batches(items):
            request = {self.table: [{"PutRequest": {"Item": item}} for item in batch]}
            while request:
                response = self.dynamodb.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or None


class FileLedger:
    """The twin records the movements in its own ledger: they are handed over in a JSON file."""

    def __init__(self, path):
        self.path = path

    def record(self, movements, _run_id, _stage_id):
        if not self.path:
            return
        existing = []
        if os.path.exists(self.path):
            with open(self.path) as f:
                existing = json.load(f)
        with open(self.path, "w") as f:
            json.dump(existing + movements, f)


def read_spec(args, lake):
    spec = args["spec"]
    if spec.startswith("s3://"):
        bucket, key = h.split_s3_uri(spec)
        return json.loads(lake.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    with open(spec, encoding="utf-8") as f:
        return json.load(f)


def read_lines(spark, lake, run_id, keys):
    """
    etl_lines: every line of every file, numbered per file from 1, and etl_files: each file's first line.

    Lines end at LF only (a CR before the LF is dropped, a CR elsewhere is text), bytes are decoded
    as UTF-8 with U+FFFD for what is not (the rules reject such a line). A file is read in splits;
    monotonically_increasing_id() grows with the position in a file (Spark orders a file's splits
    by offset), so a line's number is its id's rank within its file, computed from per-split
    counts (a small aggregate) instead of a sort of every line.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    lines_schema = StructType(
        [
            StructField("_run_id", StringType(), False),
            StructField("_source_file", StringType(), False),
            StructField("_line_number", LongType(), False),
            StructField("_line", StringType(), True),
        ]
    )
    if not keys:
        spark.createDataFrame([], lines_schema).createOrReplaceTempView("etl_lines")
        spark.createDataFrame([], "_source_file string, _header string").createOrReplaceTempView("etl_files")
        return None
    # _metadata.file_path is the qualified URI of the file (file:/x, s3://b/k, with %-escapes): map it back to the key
    jvm = spark.sparkContext._jvm

    def qualified(uri):
        return jvm.org.apache.hadoop.fs.Path(uri).toUri().toString()

    uri_to_key = dict((qualified(lake.uri(k)), k) for k in keys)
    text = (
        spark.read.option("lineSep", "\n")
        .text([lake.uri(k) for k in keys])
        # a UTF8String holds the file's bytes as they are: decoding them (encode goes through a Java
        # String) turns each undecodable byte into U+FFFD, which the rules reject (rule encoding)
        .select(F.decode(F.encode("value", "UTF-8"), "UTF-8").alias("_text"), F.col("_metadata.file_path").alias("_uri"))
        .withColumn("_id", F.monotonically_increasing_id())
    )
    key_map = spark.createDataFrame(list(uri_to_key.items()), "_uri string, _source_file string")
    text = text.join(F.broadcast(key_map), "_uri").drop("_uri").persist()
    chunks = (
        text.groupBy("_source_file", F.spark_partition_id().alias("_p"))
        .agg(F.min("_id").alias("_first"), F.count(F.lit(1)).alias("_n"))
        .collect()
    )
    offsets = []
    by_file = {}
    for c in sorted(chunks, key=lambda c: (c["_source_file"], c["_first"])):
        before = by_file.get(c["_source_file"], 0)
        offsets.append((c["_source_file"], c["_first"], c["_first"] + c["_n"] - 1, before - c["_first"] + 1))
        by_file[c["_source_file"]] = before + c["_n"]
    offsets_df = spark.createDataFrame(offsets, "_f string, _first long, _last long, _shift long")
    lines = (
        text.join(
            F.broadcast(offsets_df),
            (text["_source_file"] == offsets_df["_f"]) & text["_id"].between(offsets_df["_first"], offsets_df["_last"]),
        )
        .select(
            F.lit(run_id).alias("_run_id"),
            F.col("_source_file"),
            (F.col("_id") + F.col("_shift")).alias("_line_number"),
            F.expr("CASE WHEN endswith(_text, '\\r') THEN substring(_text, 1, length(_text) - 1) ELSE _text END").alias("_line"),
        )
        .persist()
    )
    text.unpersist()
    lines.createOrReplaceTempView("etl_lines")
    # one small local table: the transform joins every line to its file's header positions
    found = dict((r["_source_file"], r["_line"]) for r in lines.where("_line_number = 1").select("_source_file", "_line").collect())
    spark.createDataFrame([(k, found.get(k)) for k in keys], "_source_file string, _header string").createOrReplaceTempView("etl_files")
    return lines


def run(args, spark, lake, ledger):
    started_at = h.iso_now()
    dataset, run_id, stage_id = args["dataset"], args["run_id"], args["stage_id"]
    spec = read_spec(args, lake)

    raw_prefix = h.raw_prefix(dataset, run_id)
    files = lake.list(raw_prefix)
    h.check_readable(files)
    progress(files=len(files), message="reading %d file(s) of %s" % (len(files), raw_prefix))
    steps = Steps()
    text = read_lines(spark, lake, run_id, files)
    steps.done("read and number the lines")
    for statement in spec["sql"]["transform"]:
        spark.sql(statement)
    from pyspark import StorageLevel

    out = spark.table("etl_result").persist(StorageLevel.MEMORY_AND_DISK)
    out.createOrReplaceTempView("etl_out")
    for statement in spec["sql"]["outputs"]:
        spark.sql(statement)

    file_counts = [
        {"file": r["source_file"], "rowsRead": r["rows_read"], "curatedRows": r["curated_rows"], "rejectedRows": r["rejected_rows"]}
        for r in spark.table("etl_file_counts").collect()
    ]
    partition_by = spec["partitionBy"]
    partition_counts = [
        (h.partition_name(partition_by, r.asDict()), r["curated_rows"]) for r in spark.table("etl_partition_counts").collect()
    ]
    rows_read = sum(c["rowsRead"] for c in file_counts)
    rejected_rows = sum(c["rejectedRows"] for c in file_counts)
    curated_rows = rows_read - rejected_rows
    steps.done("parse, type and check every line; count")
    progress(rows=rows_read, message="%d curated, %d rejected" % (curated_rows, rejected_rows))

    staging = h.staging_prefix(run_id, stage_id, uuid.uuid4().hex[:6])
    stage_uri = lake.uri(staging)
    movements = []
    try:
        lake.delete(lake.list(h.rejected_prefix(dataset, run_id)))
        if rejected_rows > 0:
            spark.table("etl_rejected").orderBy("source_file", "line_number").coalesce(1).write.parquet(stage_uri + "rejected/")
            staged = [k for k in lake.list(staging + "rejected/") if h.is_data_file(k)]
            for i, key in enumerate(staged):
                movements.append(lake.move(key, "%spart-%d.parquet" % (h.rejected_prefix(dataset, run_id), i)))
            steps.done("write rejected")
        if h.exceeds(rejected_rows, rows_read, spec["maxRejectRatio"]):
            ledger.record(movements, run_id, stage_id)
            raise h.reject_ratio_error(dataset, rejected_rows, rows_read, spec["maxRejectRatio"], run_id)

        if curated_rows > 0:
            curated = spark.table("etl_curated")
            if partition_by:
                # one file per partition, as the DuckDB engine writes
                curated.repartition(*partition_by).write.partitionBy(*partition_by).parquet(stage_uri + "curated/")
            else:
                curated.coalesce(1).write.parquet(stage_uri + "curated/")
            steps.done("write curated")
            if spec["features"]:
                write_features(spark, lake, staging + "features/part-0.csv")
                steps.done("write features")

        # publish: this run's old curated files go, the new ones arrive; other runs' rows stay
        old = [k for k in lake.list(h.curated_prefix(dataset)) if h.is_run_file(k, run_id)]
        lake.delete(old)
        counters = {}
        for key in [k for k in lake.list(staging + "curated/") if h.is_data_file(k)]:
            relative = key[len(staging + "curated/") :]
            folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
            counters[folder] = counters.get(folder, -1) + 1
            movements.append(lake.move(key, h.curated_target(dataset, run_id, relative, counters[folder])))
        lake.delete(lake.list(h.features_prefix(dataset, run_id)))
        staged_features = [k for k in lake.list(staging + "features/") if k.endswith(".csv")]
        for i, key in enumerate(staged_features):
            movements.append(lake.move(key, "%spart-%d.csv" % (h.features_prefix(dataset, run_id), i)))

        manifest = h.build_manifest(
            dataset, run_id, stage_id, files, file_counts, partition_counts,
            movements, started_at, h.iso_now(), spec.get("schema"),
        )
        key = h.manifest_key(run_id, stage_id)
        body = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
        movements.append(lake.put_json(key, body, h.manifest_metadata(manifest)))
        ledger.record(movements, run_id, stage_id)
        return manifest
    finally:
        lake.delete(lake.list(staging))
        if isinstance(lake, FolderLake):
            lake.remove_tree(staging)
        out.unpersist()
        if text is not None:
            text.unpersist()


def write_features(spark, lake, key):
    """
    features/part-0.csv: no header, id first, features in declared order, null = empty field, every
    value formatted as the DuckDB engine's CSV writer does (h.features_line), one file per run.
    """
    rows = spark.table("etl_features").toLocalIterator(prefetchPartitions=True)
    if isinstance(lake, FolderLake):
        target = lake.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as f:
            for r in rows:
                f.write(h.features_line(r))
    else:
        import io

        buffer = io.StringIO()
        for r in rows:
            buffer.write(h.features_line(r))
        lake.s3.put_object(Bucket=lake.bucket, Key=key, Body=buffer.getvalue().encode("utf-8"))


def main(argv=None):
    args = h.parse_job_args(sys.argv[1:] if argv is None else argv)
    from pyspark.sql import SparkSession

    spark = configure(SparkSession.builder.appName("lakepipe-etl-%s-%s" % (args["stage_id"], args["run_id"])).getOrCreate())
    if args["lake_root"]:
        lake, ledger = FolderLake(args["lake_root"]), FileLedger(args["movements_out"])
    else:
        lake = S3Lake(args["lake_bucket"], args["fs_scheme"], args["aws_endpoint_url"])
        ledger = DynamoLedger(args["ledger_table"], args["aws_endpoint_url"])
    manifest = run(args, spark, lake, ledger)
    progress(message="manifest %s" % h.manifest_key(args["run_id"], args["stage_id"]), rows=manifest["counts"]["rowsRead"])
    return manifest


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        # the traceback, then the error's class and first line last: the twin shows that line as the stage's error
        traceback.print_exc()
        sys.stderr.write("\n%s: %s\n" % (type(error).__name__, (str(error).strip().split("\n") or [""])[0]))
        sys.exit(1)
