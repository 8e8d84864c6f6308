CREATE EXTERNAL TABLE IF NOT EXISTS `scored_bench_tests` (
  `id` string,
  `score` double
)
PARTITIONED BY (
  `run` string
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION 's3://lakepipe-dev-lake-111111111111-eu-west-1/scored/bench_tests/'
