CREATE OR REPLACE VIEW "bench_tests_rejects_summary" AS
SELECT "run_id", "reason_column", "reason_rule", COUNT(*) AS "rejected_rows"
FROM "rejected_bench_tests"
GROUP BY "run_id", "reason_column", "reason_rule"
