"""stdlib unittest of the Glue job's pure helpers: python3 -m unittest discover -s src/glue"""

import json
import unittest

import lakepipe_etl_helpers as h

RUN = "20261126T020000Z-a1b2c3"


def argv(**overrides):
    args = {
        "spec_s3_uri": "s3://lake/_glue/etl/job-spec.json",
        "lake_bucket": "lake",
        "dataset": "bench_tests",
        "run_id": RUN,
        "stage_id": "etl",
        "ledger_table": "lakepipe-dev-ledger",
    }
    args.update(overrides)
    out = []
    for k, v in args.items():
        out += ["--" + k, v]
    return out


class ParseJobArgsTest(unittest.TestCase):
    def test_resolves_every_argument_and_ignores_glues_own(self):
        args = h.parse_job_args(argv() + ["--JOB_ID", "j_1", "--TempDir", "s3://t/", "--enable-metrics", "true"])
        self.assertEqual(args["spec"], "s3://lake/_glue/etl/job-spec.json")
        self.assertEqual(args["run_id"], RUN)
        self.assertEqual(args["fs_scheme"], "s3a")

    def test_needs_exactly_one_lake(self):
        with self.assertRaises(h.JobArgumentError) as caught:
            h.parse_job_args(argv() + ["--lake_root", "/tmp/lake"])
        self.assertIn("exactly one of --lake_bucket", str(caught.exception))
        args = [a for a in argv() if a not in ("--lake_bucket", "lake", "--ledger_table", "lakepipe-dev-ledger")]
        self.assertEqual(h.parse_job_args(args + ["--lake_root", "/tmp/lake"])["lake_root"], "/tmp/lake")

    def test_names_a_missing_argument(self):
        with self.assertRaises(h.JobArgumentError) as caught:
            h.parse_job_args(["--dataset", "x"])
        self.assertIn("--spec_s3_uri", str(caught.exception))

    def test_rejects_a_malformed_run_id_naming_the_value(self):
        with self.assertRaises(h.JobArgumentError) as caught:
            h.parse_job_args(argv(run_id="yesterday"))
        self.assertEqual(str(caught.exception), "--run_id 'yesterday' is malformed: expected YYYYMMDDTHHMMSSZ-xxxxxx")

    def test_rejects_a_dataset_that_could_escape_its_prefix(self):
        with self.assertRaises(h.JobArgumentError) as caught:
            h.parse_job_args(argv(dataset="../raw"))
        self.assertIn("--dataset '../raw'", str(caught.exception))


class LakeKeysTest(unittest.TestCase):
    def test_builds_the_prefixes_of_the_lake_contract(self):
        self.assertEqual(h.raw_prefix("bench_tests", RUN), "raw/bench_tests/dt=2026-11-26/run=%s/" % RUN)
        self.assertEqual(h.rejected_prefix("bench_tests", RUN), "rejected/bench_tests/run=%s/" % RUN)
        self.assertEqual(h.features_prefix("bench_tests", RUN), "features/bench_tests/run=%s/" % RUN)
        self.assertEqual(h.manifest_key(RUN, "etl"), "_manifests/run=%s/etl.json" % RUN)

    def test_names_curated_files_after_the_run_in_their_partition(self):
        target = h.curated_target("bench_tests", RUN, "dt=2026-11-25/part-00000-abc.zstd.parquet", 2)
        self.assertEqual(target, "curated/bench_tests/dt=2026-11-25/%s-2.parquet" % RUN)

    def test_recognises_only_this_runs_curated_files(self):
        self.assertTrue(h.is_run_file("curated/b/dt=2026-11-25/%s-0.parquet" % RUN, RUN))
        self.assertFalse(h.is_run_file("curated/b/dt=2026-11-25/20261126T140000Z-d4e5f6-0.parquet", RUN))

    def test_keeps_spark_part_files_and_drops_markers(self):
        self.assertTrue(h.is_data_file("_tmp/x/curated/dt=1/part-00000-a.zstd.parquet"))
        self.assertFalse(h.is_data_file("_tmp/x/curated/_SUCCESS"))
        self.assertFalse(h.is_data_file("_tmp/x/curated/.part-00000-a.parquet.crc"))

    def test_refuses_a_raw_file_it_cannot_read(self):
        h.check_readable(["a.csv", "b.csv.gz", "c.jsonl", "d.ndjson.gz"])
        with self.assertRaises(h.UnsupportedFileError) as caught:
            h.check_readable(["raw/x/report.xlsx"])
        self.assertIn("raw file raw/x/report.xlsx has an unsupported extension", str(caught.exception))


class ManifestTest(unittest.TestCase):
    def test_builds_the_same_manifest_shape_as_the_local_engine(self):
        files = ["raw/a.csv", "raw/b.csv", "raw/empty.csv"]
        counts = [
            {"file": "raw/a.csv", "rowsRead": 15, "curatedRows": 5, "rejectedRows": 10},
            {"file": "raw/b.csv", "rowsRead": 8, "curatedRows": 4, "rejectedRows": 4},
        ]
        outputs = [{"to": "k2", "bytes": 3, "sha256": "ab" * 32}, {"to": "k1", "bytes": 4, "sha256": "cd" * 32}]
        manifest = h.build_manifest(
            "bench_tests", RUN, "etl", files, counts, [("dt=2026-11-25", 7), ("dt=2026-11-24", 2)], outputs,
            "2026-11-26T02:00:00.000Z", "2026-11-26T02:00:01.250Z", {"curated": [{"name": "a", "type": "string"}]},
        )
        self.assertEqual(manifest["manifestVersion"], 1)
        self.assertEqual((manifest["stageType"], manifest["engine"]), ("spark-etl", "spark"))
        self.assertEqual(
            manifest["counts"],
            {"filesRead": 3, "rowsRead": 23, "curatedRows": 9, "rejectedRows": 14, "rejectedRatio": 0.608696, "partitions": 2},
        )
        details = manifest["details"]
        self.assertEqual(details["byPartition"][0], {"partition": "dt=2026-11-24", "curatedRows": 2})
        self.assertEqual(details["byFile"][2], {"file": "raw/empty.csv", "rowsRead": 0, "curatedRows": 0, "rejectedRows": 0})
        self.assertEqual([o["key"] for o in manifest["outputs"]], ["k1", "k2"])
        self.assertEqual(manifest["outputs"][0], {"key": "k1", "bytes": 4, "sha256": "cd" * 32})
        self.assertEqual(manifest["timings"]["durationMs"], 1250)
        self.assertEqual(manifest["schema"]["curated"], [{"name": "a", "type": "string"}])

    def test_publishes_the_counts_as_lower_case_json_metadata(self):
        manifest = {"counts": {"filesRead": 3, "rowsRead": 23, "curatedRows": 9, "rejectedRows": 14, "rejectedRatio": 0.608696, "partitions": 3}}
        self.assertEqual(
            h.manifest_metadata(manifest),
            {"filesread": "3", "rowsread": "23", "curatedrows": "9", "rejectedrows": "14", "rejectedratio": "0.608696", "partitions": "3"},
        )
        self.assertEqual(json.loads(h.manifest_metadata(manifest)["rejectedratio"]), 0.608696)

    def test_rounds_the_ratio_half_up_like_the_duckdb_engine(self):
        self.assertEqual(h.rejected_ratio(1, 128), 0.007813)
        self.assertEqual(h.rejected_ratio(1, 2000000), 0.000001)

    def test_a_run_with_no_rows_has_ratio_zero_and_never_exceeds(self):
        self.assertEqual(h.rejected_ratio(0, 0), 0)
        self.assertFalse(h.exceeds(0, 0, 0.2))
        self.assertTrue(h.exceeds(3, 10, 0.2))
        self.assertFalse(h.exceeds(2, 10, 0.2))

    def test_formats_the_reject_ratio_error_like_the_local_engine(self):
        error = h.reject_ratio_error("bench_tests", 14, 23, 0.2, RUN)
        self.assertEqual(
            str(error),
            "dataset bench_tests: rejected ratio 0.6087 (14 of 23 rows) is above maxRejectRatio 0.2; "
            "curated/ and features/ were not published, inspect rejected/bench_tests/run=%s/" % RUN,
        )


class LedgerItemsTest(unittest.TestCase):
    def test_writes_movements_in_the_ledger_key_layout_in_batches_of_25(self):
        movements = [{"to": "curated/b/dt=1/%s-%d.parquet" % (RUN, i), "bytes": 10, "sha256": "ab" * 32} for i in range(30)]
        items = h.movement_items(movements, RUN, "etl", "2026-11-26T02:10:00.000Z")
        self.assertEqual(items[0]["PK"], {"S": "OBJ#curated/b/dt=1/%s-0.parquet" % RUN})
        self.assertEqual(items[0]["SK"], {"S": "MOVE#2026-11-26T02:10:00.000Z#%s#etl" % RUN})
        self.assertEqual(items[0]["bytes"], {"N": "10"})
        self.assertEqual([len(b) for b in h.batches(items)], [25, 5])

    def test_converts_the_s3_base64_checksum_to_hex(self):
        self.assertEqual(h.sha256_hex("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


if __name__ == "__main__":
    unittest.main()
