CREATE EXTERNAL TABLE IF NOT EXISTS `features_bench_tests` (
  `id` string,
  `duration_s` double,
  `temperature_c` double,
  `voltage_v` double,
  `current_a` double,
  `vibration_mm_s` double,
  `pressure_kpa` double,
  `error_count` int
)
PARTITIONED BY (
  `run` string
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/features/bench_tests/'
