CREATE EXTERNAL TABLE IF NOT EXISTS `curated_bench_tests` (
  `test_id` string,
  `device_id` string,
  `bench_id` string,
  `firmware` string,
  `started_at` timestamp,
  `duration_s` double,
  `temperature_c` double,
  `voltage_v` double,
  `current_a` double,
  `vibration_mm_s` double,
  `pressure_kpa` double,
  `error_count` int,
  `failed_in_field` int,
  `run_id` string,
  `source_file` string
)
PARTITIONED BY (
  `dt` date
)
STORED AS PARQUET
LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/curated/bench_tests/'
TBLPROPERTIES ('parquet.compression' = 'ZSTD')
