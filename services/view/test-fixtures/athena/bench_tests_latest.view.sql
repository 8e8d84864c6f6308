CREATE OR REPLACE VIEW "bench_tests_latest" AS
SELECT c.*, s."score", s."score" >= 0.5 AS "flagged"
FROM "curated_bench_tests" AS c
LEFT JOIN "scored_bench_tests" AS s
  ON s."id" = c."test_id" AND s."run" = c."run_id"
WHERE c."run_id" = (SELECT MAX("run_id") FROM "curated_bench_tests")
