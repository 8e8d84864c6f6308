CREATE OR REPLACE VIEW "daily_defect_rate" AS
SELECT dt, bench_id,
       COUNT(*) AS tests,
       SUM(CASE WHEN flagged THEN 1 ELSE 0 END) AS flagged_tests,
       CAST(SUM(CASE WHEN flagged THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS flagged_ratio,
       AVG(score) AS mean_score
FROM bench_tests_latest
GROUP BY dt, bench_id
