CREATE EXTERNAL TABLE IF NOT EXISTS `raw_bench_tests` (
  `test_id` string,
  `device_id` string,
  `bench_id` string,
  `firmware` string,
  `started_at` string,
  `duration_s` string,
  `temperature_c` string,
  `voltage_v` string,
  `current_a` string,
  `vibration_mm_s` string,
  `pressure_kpa` string,
  `error_count` string,
  `failed_in_field` string
)
PARTITIONED BY (
  `dt` date,
  `run` string
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/raw/bench_tests/'
TBLPROPERTIES ('skip.header.line.count' = '1')
