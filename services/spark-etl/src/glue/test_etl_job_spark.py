"""The job on real Spark (the project's .venv pyspark, local mode): settings and line reading.

Run by glue-job.test.ts with .venv/bin/python; skipped by plain `python3 -m unittest` (no pyspark).
"""

import os
import shutil
import tempfile
import unittest

try:
    from pyspark.sql import SparkSession
except ImportError:  # stdlib-only run of the helper tests
    SparkSession = None

import etl_job

RUN = "20261126T020000Z-a1b2c3"


@unittest.skipIf(SparkSession is None, "pyspark is not installed (use the project's .venv)")
class SparkJobTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = etl_job.configure(
            SparkSession.builder.master("local[1]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            # small splits: a file is read by several tasks, as on a cluster
            .config("spark.sql.files.maxPartitionBytes", "64")
            .config("spark.sql.files.openCostInBytes", "0")
            .getOrCreate()
        )
        cls.lake = tempfile.mkdtemp(prefix="lakepipe-spark-job-")

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        shutil.rmtree(cls.lake, ignore_errors=True)

    def test_sets_every_setting_the_sql_and_outputs_depend_on(self):
        conf = self.spark.conf
        self.assertEqual(conf.get("spark.sql.ansi.enabled"), "false")
        self.assertEqual(conf.get("spark.sql.session.timeZone"), "UTC")
        self.assertEqual(conf.get("spark.sql.parquet.datetimeRebaseModeInWrite"), "CORRECTED")
        self.assertEqual(conf.get("spark.sql.parquet.int96RebaseModeInWrite"), "CORRECTED")
        self.assertEqual(conf.get("spark.sql.parquet.compression.codec"), "zstd")
        self.assertEqual(conf.get("spark.sql.parquet.outputTimestampType"), "TIMESTAMP_MICROS")
        for key, value in etl_job.SPARK_SETTINGS.items():
            self.assertEqual(conf.get(key), value, key)
        # what the settings mean, observed: a bad cast is NULL, an offset is converted to UTC
        row = self.spark.sql(
            "SELECT CAST('x' AS INT) AS bad, CAST(CAST('2026-01-01T10:00:00+02:00' AS TIMESTAMP) AS TIMESTAMP_NTZ) AS utc"
        ).collect()[0]
        self.assertIsNone(row["bad"])
        self.assertEqual(str(row["utc"]), "2026-01-01 08:00:00")

    def write(self, name, data):
        key = "%s%s" % ("raw/t/dt=2026-11-26/run=%s/" % RUN, name)
        path = os.path.join(self.lake, *key.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return key

    def test_numbers_every_line_of_a_file_read_in_many_splits(self):
        lines = ["line %03d %s" % (i, "x" * (i % 7)) for i in range(1, 201)]
        big = self.write("big.csv", ("\n".join(lines) + "\n").encode())
        small = self.write("small.csv", b"a\r\nb\rc\r\n\r\nlast")
        etl_job.read_lines(self.spark, etl_job.FolderLake(self.lake), RUN, [big, small])
        got = dict(
            ((r["_source_file"], r["_line_number"]), r["_line"])
            for r in self.spark.table("etl_lines").collect()
        )
        self.assertGreater(self.spark.read.text(etl_job.FolderLake(self.lake).uri(big)).rdd.getNumPartitions(), 10)
        self.assertEqual([got[(big, n)] for n in range(1, 201)], lines)
        # lines end at LF; the CR of a CRLF is dropped, a CR elsewhere is text
        self.assertEqual([got[(small, n)] for n in range(1, 5)], ["a", "b\rc", "", "last"])
        self.assertEqual(len([k for k in got if k[0] == small]), 4)
        headers = dict((r["_source_file"], r["_header"]) for r in self.spark.table("etl_files").collect())
        self.assertEqual(headers, {big: "line 001 x", small: "a"})


if __name__ == "__main__":
    unittest.main()
