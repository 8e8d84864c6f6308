CREATE EXTERNAL TABLE IF NOT EXISTS `rejected_bench_tests` (
  `run_id` string,
  `source_file` string,
  `line_number` bigint,
  `reason_column` string,
  `reason_rule` string,
  `reason` string,
  `raw_value` string,
  `raw_record` string
)
PARTITIONED BY (
  `run` string
)
STORED AS PARQUET
LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/rejected/bench_tests/'
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
