"""lakepipe spark-etl: the generic Glue 5.0 (Spark 3.5) job of one spark-etl stage.

Reads the run's raw/ files as text (every line accounted for), runs the Spark SQL that
@lakepipe/spark-etl compiled from the dataset spec (uploaded beside this script as the job
spec), and writes curated/ (zstd Parquet, Hive partitions, this run's files only), rejected/,
features/, the manifest and the ledger movements. Outputs go to a staging prefix first and
are moved into place, so a failed run publishes nothing and a re-run replaces only its own files.

Arguments: --spec_s3_uri --lake_bucket --dataset --run_id --stage_id --ledger_table
"""

import json
import sys
import uuid

import boto3
from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark import StorageLevel
from pyspark.context import SparkContext
from pyspark.sql.types import LongType, StringType, StructField, StructType

import lakepipe_etl_helpers as h

LINES_SCHEMA = StructType(
    [
        StructField("_run_id", StringType(), False),
        StructField("_source_file", StringType(), False),
        StructField("_line_number", LongType(), False),
        StructField("_line", StringType(), True),
    ]
)
FILES_SCHEMA = StructType([StructField("_source_file", StringType(), False), StructField("_header", StringType(), True)])


def list_keys(s3, bucket, prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return sorted(keys)


def move(s3, bucket, from_key, to_key):
    """Server-side copy (S3 computes the SHA-256 of the copy), then delete the staged object."""
    s3.copy_object(
        Bucket=bucket,
        Key=to_key,
        CopySource={"Bucket": bucket, "Key": from_key},
        ChecksumAlgorithm="SHA256",
        MetadataDirective="COPY",
    )
    s3.delete_object(Bucket=bucket, Key=from_key)
    head = s3.head_object(Bucket=bucket, Key=to_key, ChecksumMode="ENABLED")
    return {"to": to_key, "bytes": head["ContentLength"], "sha256": h.sha256_hex(head["ChecksumSHA256"])}


def delete_keys(s3, bucket, keys):
    for i in range(0, len(keys), 1000):
        chunk = keys[i : i + 1000]
        if chunk:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})


def record_movements(dynamodb, table, movements, run_id, stage_id):
    items = h.movement_items(movements, run_id, stage_id, h.iso_now())
    for batch in h.batches(items):
        request = {table: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            response = dynamodb.batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or None


def read_lines(spark, sc, bucket, run_id, keys):
    """Every line of every file, numbered per file from 1 (zipWithIndex keeps file order)."""
    frames = []
    headers = []
    for key in keys:
        rdd = sc.textFile("s3://%s/%s" % (bucket, key))
        numbered = rdd.zipWithIndex().map(lambda t, key=key: (run_id, key, t[1] + 1, t[0]))
        frames.append(spark.createDataFrame(numbered, LINES_SCHEMA))
        first = rdd.take(1)
        headers.append((key, first[0] if first else None))
    lines = frames[0] if frames else spark.createDataFrame([], LINES_SCHEMA)
    for frame in frames[1:]:
        lines = lines.unionByName(frame)
    lines.createOrReplaceTempView("etl_lines")
    spark.createDataFrame(headers, FILES_SCHEMA).createOrReplaceTempView("etl_files")


def main():
    args = h.parse_job_args(sys.argv, getResolvedOptions)
    started_at = h.iso_now()
    bucket, dataset, run_id, stage_id = args["lake_bucket"], args["dataset"], args["run_id"], args["stage_id"]
    s3 = boto3.client("s3")
    dynamodb = boto3.client("dynamodb")
    spec = json.loads(s3.get_object(Bucket=args["spec_bucket"], Key=args["spec_key"])["Body"].read())

    sc = SparkContext.getOrCreate()
    spark = GlueContext(sc).spark_session
    # The generated SQL assumes these: null on a failed cast, timestamps in UTC, zstd Parquet with micros.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.compression.codec", "zstd")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")

    files = list_keys(s3, bucket, h.raw_prefix(dataset, run_id))
    h.check_readable(files)
    read_lines(spark, sc, bucket, run_id, files)
    for statement in spec["sql"]["transform"]:
        spark.sql(statement)
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

    staging = h.staging_prefix(run_id, stage_id, uuid.uuid4().hex[:6])
    stage_uri = "s3://%s/%s" % (bucket, staging)
    movements = []
    try:
        delete_keys(s3, bucket, list_keys(s3, bucket, h.rejected_prefix(dataset, run_id)))
        if rejected_rows > 0:
            spark.table("etl_rejected").orderBy("source_file", "line_number").coalesce(1).write.parquet(stage_uri + "rejected/")
            staged = [k for k in list_keys(s3, bucket, staging + "rejected/") if h.is_data_file(k)]
            for i, key in enumerate(staged):
                movements.append(move(s3, bucket, key, "%spart-%d.parquet" % (h.rejected_prefix(dataset, run_id), i)))
        if h.exceeds(rejected_rows, rows_read, spec["maxRejectRatio"]):
            record_movements(dynamodb, args["ledger_table"], movements, run_id, stage_id)
            raise h.reject_ratio_error(dataset, rejected_rows, rows_read, spec["maxRejectRatio"], run_id)

        if curated_rows > 0:
            writer = spark.table("etl_curated").write
            if partition_by:
                writer = writer.partitionBy(*partition_by)
            writer.parquet(stage_uri + "curated/")
            if spec["features"]:
                spark.table("etl_features").write.option("header", "false").option("emptyValue", "").csv(
                    stage_uri + "features/"
                )

        # publish: this run's old curated files go, the new ones arrive; other runs' rows stay
        old = [k for k in list_keys(s3, bucket, h.curated_prefix(dataset)) if h.is_run_file(k, run_id)]
        delete_keys(s3, bucket, old)
        counters = {}
        for key in [k for k in list_keys(s3, bucket, staging + "curated/") if h.is_data_file(k)]:
            relative = key[len(staging + "curated/") :]
            folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
            counters[folder] = counters.get(folder, -1) + 1
            movements.append(move(s3, bucket, key, h.curated_target(dataset, run_id, relative, counters[folder])))
        delete_keys(s3, bucket, list_keys(s3, bucket, h.features_prefix(dataset, run_id)))
        staged_features = [k for k in list_keys(s3, bucket, staging + "features/") if h.is_data_file(k)]
        for i, key in enumerate(staged_features):
            movements.append(move(s3, bucket, key, "%spart-%d.csv" % (h.features_prefix(dataset, run_id), i)))

        manifest = h.build_manifest(
            dataset, run_id, stage_id, files, file_counts, partition_counts,
            [m["to"] for m in movements], started_at, h.iso_now(),
        )
        key = h.manifest_key(run_id, stage_id)
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=(json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
            ContentType="application/json",
            Metadata=h.manifest_metadata(manifest),
            ChecksumAlgorithm="SHA256",
        )
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        movements.append({"to": key, "bytes": head["ContentLength"], "sha256": h.sha256_hex(head["ChecksumSHA256"])})
        record_movements(dynamodb, args["ledger_table"], movements, run_id, stage_id)
    finally:
        delete_keys(s3, bucket, list_keys(s3, bucket, staging))
        out.unpersist()


if __name__ == "__main__":
    main()
