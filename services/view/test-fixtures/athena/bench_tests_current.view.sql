CREATE OR REPLACE VIEW "bench_tests_current" AS
SELECT c."test_id", c."device_id", c."bench_id", c."firmware", c."started_at", c."duration_s", c."temperature_c", c."voltage_v", c."current_a", c."vibration_mm_s", c."pressure_kpa", c."error_count", c."failed_in_field", c."run_id", c."source_file", c."dt", s."score", s."score" >= 0.5 AS "flagged"
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY "test_id" ORDER BY "run_id" DESC) AS "newest_first"
  FROM "curated_bench_tests"
) AS c
LEFT JOIN "scored_bench_tests" AS s
  ON s."id" = c."test_id" AND s."run" = c."run_id"
WHERE c."newest_first" = 1
